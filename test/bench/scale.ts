/**
 * `npm run bench:scale` (issue 12): how restore grows with the number of sessions — 10, 100 and
 * 1,000 accounts with realistic lists (1,000 follows, a mute list with NIP-44 private items, blocked
 * and NIP-65 relays), keys sealed with an AES-GCM key. Per size: restore() until it resolves with
 * every session's stored lists readable (no relay involved yet), until every session is fresh again
 * (refreshed from the relay and signing), and the retained heap per session once all are fresh.
 * The relay runs on a thread of its own; its work and memory are not on these figures.
 */
import { MemoryStorage, NDKSessionManager, type SessionManagerOptions } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";
import { connectedNdk, disconnect, publishAccounts, type Account } from "./fixtures";
import { getGc, median, now, settleHeap, spread, waitFor, type Row } from "./measure";
import type { RelayThread } from "./relayThread";
import { FETCHES } from "./compare/adapters";
import { logger, runBench } from "./entry";

const SIZES = [10, 100, 1000] as const;
const RUNS: Record<(typeof SIZES)[number], number> = { 10: 7, 100: 5, 1000: 3 };
const FOLLOWS = 1000;
const DEADLINE_MS = 480_000;
const TARGETS = { usable: 100, fresh: 1500 }; // at 1,000 sessions

const log = logger("scale");

interface SizeResult {
  usable: number[];
  fresh: number[];
  heapKiB: number[];
}

const fresh = (manager: NDKSessionManager, accounts: readonly Account[]) =>
  accounts.every((a) => {
    const session = manager.getSession(a.pubkey);
    return session?.status === "ready" && session.canSign && session.followSet?.size === a.follows;
  });

/** Logs the accounts in once and saves them: the stored state every restore of this size starts from. */
async function saved(relay: RelayThread, accounts: readonly Account[], options: SessionManagerOptions): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  const ndk = await connectedNdk([relay.url]);
  const saver = new NDKSessionManager(ndk, { ...options, storage, autoSave: false });
  await Promise.all(accounts.map((a) => saver.login(a.signer, { setActive: a === accounts[0] })));
  await waitFor(() => fresh(saver, accounts), 60_000, `${accounts.length} sessions to log in`);
  await saver.persist();
  await saver.destroy();
  disconnect(ndk);
  return storage;
}

/** One restore, in a function of its own so that nothing of it stays reachable from the caller's frame. */
async function restoreOnce(relay: RelayThread, accounts: readonly Account[], options: SessionManagerOptions, storage: MemoryStorage, gc: () => void) {
  await relay.idle(10_000);
  const ndk = await connectedNdk([relay.url]);
  const manager = new NDKSessionManager(ndk, { ...options, storage, autoSave: false });
  try {
    const before = await settleHeap(gc);
    const started = now();
    await manager.restore();
    const usable = now() - started;
    if (!accounts.every((a) => manager.getSession(a.pubkey)?.followSet?.size === a.follows)) throw new Error("bench: restore() resolved without the lists");
    await waitFor(() => fresh(manager, accounts), 30_000, `${accounts.length} sessions to be fresh`);
    const freshMs = now() - started;
    const heapKiB = ((await settleHeap(gc)) - before) / 1024 / accounts.length;
    return { usable, fresh: freshMs, heapKiB };
  } finally {
    await manager.destroy();
    disconnect(ndk);
  }
}

async function main(relay: RelayThread): Promise<Row[]> {
  const { gc } = getGc();
  const publisher = await connectedNdk([relay.url]);
  const started = now();
  const accounts = await publishAccounts(publisher, relay.url, Math.max(...SIZES), FOLLOWS, 8, "full");
  disconnect(publisher);
  log(`published ${accounts.length * 5} events in ${((now() - started) / 1000).toFixed(1)} s`);
  const options: SessionManagerOptions = { fetches: FETCHES, secrets: { key: await generateSealingKey() } };

  const results = new Map<number, SizeResult>();
  for (const size of SIZES) {
    const some = accounts.slice(0, size);
    const storage = await saved(relay, some, options);
    const result: SizeResult = { usable: [], fresh: [], heapKiB: [] };
    for (let run = 0; run < 1 + RUNS[size]; run++) {
      const once = await restoreOnce(relay, some, options, storage, gc);
      if (run === 0) continue; // warm-up
      result.usable.push(once.usable);
      result.fresh.push(once.fresh);
      result.heapKiB.push(once.heapKiB);
    }
    results.set(size, result);
    log(`${size} sessions done`);
  }

  const rows: Row[] = [];
  for (const size of SIZES) {
    const r = results.get(size)!;
    const at1000 = size === 1000;
    const perSession = (values: number[]) => `${spread(values)}; ${((median(values) * 1000) / size).toFixed(0)} µs per session`;
    rows.push(
      { figure: `${size} sessions: restore() -> usable`, value: median(r.usable), unit: "ms", runs: `${r.usable.length} (+1 warm)`, target: at1000 ? TARGETS.usable : undefined, detail: perSession(r.usable) },
      { figure: "   -> all fresh and signing", value: median(r.fresh), unit: "ms", runs: `${r.fresh.length}`, target: at1000 ? TARGETS.fresh : undefined, detail: perSession(r.fresh) },
      { figure: "   heap per session, all fresh", value: median(r.heapKiB), unit: "KiB", runs: `${r.heapKiB.length}`, detail: spread(r.heapKiB) },
    );
  }
  return rows;
}

await runBench("bench:scale", DEADLINE_MS, main);
