/**
 * Issue 5's overhead figures: what feeding the read model from inspection costs a switch and one
 * live list update. The same engine code runs bare (no observer) and with the facade's real
 * `SessionReadModel` as its inspection observer (its @xstate/store atom updated on every
 * snapshot); one more run adds a `select` listener, as a UI binding would, and one has an observer
 * that does nothing, which is XState's own cost of inspection.
 */
import { NDKEvent, type NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { createRuntime, createSessionEngine, type SessionEngine } from "../../src";
import type { RelayThread } from "./relayThread";
import { readModelOf } from "../../src/facade/readModel";
import { connectedNdk, disconnect, type Account, type NDK } from "./fixtures";
import { now, sleep, waitFor } from "./measure";

export type Variant = "bare" | "dispatch" | "inspected" | "selected";

const sessionSnapshot = (engine: SessionEngine, pubkey: string) =>
  engine.actor.getSnapshot().children[`session:${pubkey}`]?.getSnapshot() as { value: unknown; context: unknown } | undefined;

function engineFor(ndk: NDK, variant: Variant): SessionEngine {
  if (variant === "bare") return createSessionEngine({ ndk });
  // XState's own cost of inspection: events built and dispatched to an observer that does nothing.
  if (variant === "dispatch") return createSessionEngine({ ndk, inspect: [() => {}] });
  const runtime = createRuntime({ ndk });
  const model = readModelOf(runtime, new Map());
  const engine = createSessionEngine({ runtime, inspect: [model.observe] });
  model.attach(engine.actor);
  if (variant === "selected") model.select((state) => state.activePubkey).subscribe(() => {});
  return engine;
}

async function loggedIn(engine: SessionEngine, accounts: Account[]): Promise<void> {
  for (const account of accounts) {
    engine.runtime.keyring.handOver(account.pubkey, account.signer);
    engine.actor.send({ type: "account.login", pubkey: account.pubkey, signer: { type: "private-key" }, setActive: true, at: 0 });
  }
  const ready = (pk: string) => JSON.stringify(sessionSnapshot(engine, pk)?.value).includes("ready");
  await waitFor(() => accounts.every((a) => ready(a.pubkey)), 5000, "sessions ready");
}

/** Mean µs of one `account.switch`, per batch. */
async function switchMeans(engine: SessionEngine, a: Account, b: Account, batches: number, perBatch: number): Promise<number[]> {
  await loggedIn(engine, [a, b]);
  const loop = (count: number) => {
    for (let i = 0; i < count; i++) engine.actor.send({ type: "account.switch", pubkey: i & 1 ? a.pubkey : b.pubkey, at: i });
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

/** `count` signed kind-3 updates of `follows` follows each, newer one after another. */
async function followUpdates(ndk: NDK, signer: NDKPrivateKeySigner, count: number, follows: number): Promise<NostrEvent[]> {
  const base = Math.floor(Date.now() / 1000);
  const tags = Array.from({ length: follows }, (_, i) => ["p", i.toString(16).padStart(64, "0")]);
  const events: NostrEvent[] = [];
  for (let i = 0; i < count; i++) {
    const event = new NDKEvent(ndk, { kind: 3, content: "", tags: [...tags, ["p", (follows + i).toString(16).padStart(64, "0")]], created_at: base + 1 + i });
    await event.sign(signer);
    events.push(event.rawEvent() as NostrEvent);
  }
  return events;
}

/**
 * Mean µs to process one live list update, per batch: the relay hub's own path (verify, parse,
 * `list.received`, the session's transition) up to the session holding the new list.
 */
async function liveUpdateMeans(engine: SessionEngine, account: Account, batches: number, perBatch: number, follows: number): Promise<number[]> {
  await loggedIn(engine, [account]);
  // The hub's receive() is what NDK's onEvent calls; driving it directly keeps sockets out of the figure.
  const hub = engine.runtime.hub as unknown as { receive(event: NostrEvent): Promise<void> };
  const updates = await followUpdates(engine.runtime.ndk, account.signer, 20 + batches * perBatch, follows);
  const receive = async (event: NostrEvent) => {
    await hub.receive(event);
    const lists = (sessionSnapshot(engine, account.pubkey)?.context as { lists: Record<string, { id: string }> }).lists;
    if (lists["3"]?.id !== event.id) throw new Error("bench: the live update did not reach the session");
  };
  for (const event of updates.splice(0, 20)) await receive(event);
  const means: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const started = now();
    for (const event of updates.splice(0, perBatch)) await receive(event);
    means.push(((now() - started) * 1000) / perBatch);
    await sleep(0);
  }
  return means;
}

export async function inspectionOverhead(relay: RelayThread, a: Account, b: Account, batches: number, perBatch: number) {
  const run = async <T>(variant: Variant, measure: (engine: SessionEngine) => Promise<T>) => {
    const ndk = await connectedNdk([relay.url]);
    const engine = engineFor(ndk, variant);
    try {
      return await measure(engine);
    } finally {
      engine.stop();
      disconnect(ndk);
    }
  };
  const variants: Variant[] = ["bare", "dispatch", "inspected", "selected"];
  const switches: Record<Variant, number[]> = { bare: [], dispatch: [], inspected: [], selected: [] };
  const updates: Record<Variant, number[]> = { bare: [], dispatch: [], inspected: [], selected: [] };
  // A short list too: the less a list costs to verify and parse, the larger inspection's share.
  const smallUpdates: Record<Variant, number[]> = { bare: [], dispatch: [], inspected: [], selected: [] };
  // Rounds of every variant, so a slow spell of this noisy machine does not land on one variant only.
  const rounds = 3;
  const perRound = Math.max(1, Math.ceil(batches / rounds));
  for (let round = 0; round < rounds; round++)
    for (const variant of variants) {
      switches[variant].push(...(await run(variant, (engine) => switchMeans(engine, a, b, perRound, perBatch))));
      updates[variant].push(...(await run(variant, (engine) => liveUpdateMeans(engine, a, perRound, 50, 1000))));
      smallUpdates[variant].push(...(await run(variant, (engine) => liveUpdateMeans(engine, b, perRound, 200, 10))));
    }
  return { switches, updates, smallUpdates };
}
