/**
 * Issue 5's overhead figure: what inspection costs a switch. The same two sessions switched through
 * the bare engine (no observer) and through one with an inspection observer that does what the
 * read model's does (mark state stale), measured as the mean µs of `actor.send`.
 */
import { createSessionEngine, type SessionEngine } from "../../src";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import { connectedNdk, disconnect, type Account } from "./fixtures";
import { now, sleep, waitFor } from "./measure";

async function switchMeans(engine: SessionEngine, a: Account, b: Account, batches: number, perBatch: number): Promise<number[]> {
  const { actor, runtime } = engine;
  for (const account of [a, b]) {
    runtime.signers.set(account.pubkey, account.signer);
    actor.send({ type: "account.login", pubkey: account.pubkey, signer: { type: "private-key" }, setActive: true, at: 0 });
  }
  const ready = (pk: string) => JSON.stringify(actor.getSnapshot().children[`session:${pk}`]?.getSnapshot().value).includes("ready");
  await waitFor(() => ready(a.pubkey) && ready(b.pubkey), 5000, "both sessions ready");
  const loop = (count: number) => {
    for (let i = 0; i < count; i++) actor.send({ type: "account.switch", pubkey: i & 1 ? a.pubkey : b.pubkey, at: i });
  };
  loop(2000);
  const means: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const started = now();
    loop(perBatch);
    means.push(((now() - started) * 1000) / perBatch);
    await sleep(0);
  }
  return means;
}

export async function inspectionOverhead(relay: LoopbackRelay, a: Account, b: Account, batches: number, perBatch: number) {
  const run = async (observe: boolean) => {
    const ndk = await connectedNdk([relay.url]);
    let stale = 0;
    const engine = createSessionEngine({ ndk, inspect: observe ? [(event) => void (event.type === "@xstate.snapshot" && stale++)] : [] });
    try {
      return await switchMeans(engine, a, b, batches, perBatch);
    } finally {
      engine.stop();
      disconnect(ndk);
    }
  };
  return { bare: await run(false), inspected: await run(true) };
}
