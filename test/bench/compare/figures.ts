/**
 * One run of each latency figure for one library (a fresh NDK and manager each time): (1) login →
 * 1,000 follows, (2) 20 logins one after another, (3) 20 login() calls back to back with the REQ
 * frames the relay received, (4) `await switchTo()` among 20 sessions.
 */
import { assign, createActor, setup } from "xstate";
import type { Account } from "../fixtures";
import { now, sleep } from "../measure";
import { freshManager, hasFollows, signerOf, waitVia, type Library } from "./adapters";
import type { RelayThread } from "../relayThread";

const LOGIN_WAIT_MS = 10_000;

/** (1) ms from login() to a follow set of 1,000. */
export async function loginOnce(relay: RelayThread, lib: Library, account: Account): Promise<number> {
  const { manager, done } = await freshManager(relay, lib);
  try {
    const signer = signerOf(account);
    const started = now();
    await manager.login(signer);
    await waitVia(manager, () => hasFollows(manager, account), LOGIN_WAIT_MS, "the follow set");
    return now() - started;
  } finally {
    await done();
  }
}

/** (2) ms for `accounts` logins, each waited to its follows before the next. */
export async function sequentialOnce(relay: RelayThread, lib: Library, accounts: readonly Account[]): Promise<number> {
  const { manager, done } = await freshManager(relay, lib);
  try {
    const signers = accounts.map(signerOf);
    const started = now();
    for (const [i, account] of accounts.entries()) {
      await manager.login(signers[i]!);
      await waitVia(manager, () => hasFollows(manager, account), LOGIN_WAIT_MS, `the follow set of login ${i + 1}`);
    }
    return now() - started;
  } finally {
    await done();
  }
}

export interface BurstRun {
  ms: number;
  /** REQ frames the relay received from the first login() until 100 ms after all follows were in. */
  reqs: number;
}

/** (3) `accounts` login() calls back to back (each call awaited, no wait for lists), then all follows. */
export async function burstOnce(relay: RelayThread, lib: Library, accounts: readonly Account[]): Promise<BurstRun> {
  const { manager, done } = await freshManager(relay, lib);
  try {
    const signers = accounts.map(signerOf);
    const before = (await relay.stats()).reqs;
    const started = now();
    for (const signer of signers) await manager.login(signer);
    await waitVia(manager, () => accounts.every((a) => hasFollows(manager, a)), 2 * LOGIN_WAIT_MS, "every follow set");
    const ms = now() - started;
    await sleep(100); // a REQ sent right after the last list (a live subscription re-issued) counts too
    return { ms, reqs: (await relay.stats()).reqs - before };
  } finally {
    await done();
  }
}

/** (4) mean µs of one `await switchTo()`, cycling through `accounts`, over `batches` × `perBatch` switches. */
export async function switchOnce(relay: RelayThread, lib: Library, accounts: readonly Account[], batches: number, perBatch: number): Promise<number> {
  const { manager, done } = await freshManager(relay, lib);
  try {
    for (const account of accounts) await manager.login(signerOf(account));
    await waitVia(manager, () => accounts.every((a) => hasFollows(manager, a)), 2 * LOGIN_WAIT_MS, "every follow set");
    const pubkeys = accounts.map((a) => a.pubkey);
    let next = 0;
    const loop = async (count: number) => {
      for (let i = 0; i < count; i++) await manager.switchTo(pubkeys[next++ % pubkeys.length]!);
    };
    await loop(perBatch); // warm-up
    await sleep(0);
    let total = 0;
    for (let batch = 0; batch < batches; batch++) {
      const started = now();
      await loop(perBatch);
      total += now() - started;
      await sleep(0); // NDK's and the libraries' deferred work runs between batches, outside the clock
    }
    return (total * 1000) / (batches * perBatch);
  } finally {
    await done();
  }
}

/**
 * (4b) The floor under any XState switch: µs per `send()` to an actor with an inspection observer
 * (ours keeps inspection on: it feeds the read model), whose one transition assigns the active key.
 */
export function xstateFloorOnce(pubkeys: readonly string[], batches: number, perBatch: number): number {
  const machine = setup({ types: { context: {} as { active: string | null }, events: {} as { type: "account.switch"; pubkey: string } } }).createMachine({
    context: { active: null },
    on: { "account.switch": { actions: assign({ active: ({ event }) => event.pubkey }) } },
  });
  let seen = 0;
  const actor = createActor(machine, { inspect: () => void seen++ }).start();
  let next = 0;
  const loop = (count: number) => {
    for (let i = 0; i < count; i++) actor.send({ type: "account.switch", pubkey: pubkeys[next++ % pubkeys.length]! });
  };
  loop(perBatch); // warm-up
  let total = 0;
  for (let batch = 0; batch < batches; batch++) {
    const started = now();
    loop(perBatch);
    total += now() - started;
  }
  actor.stop();
  if (seen === 0) throw new Error("bench: the inspection observer saw nothing");
  return (total * 1000) / (batches * perBatch);
}
