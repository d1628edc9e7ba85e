/**
 * (5) restore of saved sessions → all fresh, and until restore() resolves; (6) retained heap per
 * session. One run for one library each, on a fresh NDK and manager.
 */
import type { Account } from "../fixtures";
import { now, settleHeap } from "../measure";
import { freshManager, hasFollows, signerOf, waitVia, type Library } from "./adapters";
import type { RelayThread } from "../relayThread";

const WAIT_MS = 20_000;

/** A first manager logs the accounts in, waits for their lists (all of them: ours says `ready`), saves, and goes: the storage it leaves. */
export async function savedSessions(relay: RelayThread, lib: Library, accounts: readonly Account[]): Promise<unknown> {
  const storage = lib.storage();
  const { manager, done } = await freshManager(relay, lib, storage);
  try {
    for (const account of accounts) await manager.login(signerOf(account));
    const settled = (a: Account) => hasFollows(manager, a) && lib.refreshed(manager.getSession(a.pubkey)!);
    await waitVia(manager, () => accounts.every(settled), WAIT_MS, "the sessions to save");
    await manager.persist();
    return storage;
  } finally {
    await done();
  }
}

export interface RestoreRun {
  /** restore() start → resolved. */
  resolved: number;
  /** restore() start → every session with its 1,000 follows from the relay and its signer back. */
  fresh: number;
}

export async function restoreOnce(relay: RelayThread, lib: Library, storage: unknown, accounts: readonly Account[]): Promise<RestoreRun> {
  const { manager, done } = await freshManager(relay, lib, storage);
  try {
    const fresh = () =>
      accounts.every((a) => {
        const session = manager.getSession(a.pubkey);
        return session !== undefined && hasFollows(manager, a) && lib.refreshed(session) && !manager.isReadOnly(a.pubkey);
      });
    const started = now();
    await manager.restore();
    const resolved = now() - started;
    await waitVia(manager, fresh, WAIT_MS, "every restored session to be fresh and signing");
    return { resolved, fresh: now() - started };
  } finally {
    await done();
  }
}

/**
 * (6) KiB retained per session: a collected baseline after the NDK and manager exist, the logins
 * back to back, every follow set in, collected again. A function of its own (see ../heap.ts: a
 * suspended frame of a loop would keep a previous run's manager alive across the baseline).
 */
export async function heapOnce(relay: RelayThread, lib: Library, accounts: readonly Account[], gc: () => void): Promise<number> {
  const { manager, done } = await freshManager(relay, lib);
  try {
    const signers = accounts.map(signerOf);
    const before = await settleHeap(gc);
    for (const signer of signers) await manager.login(signer);
    await waitVia(manager, () => accounts.every((a) => hasFollows(manager, a)), WAIT_MS, "every follow set");
    const after = await settleHeap(gc);
    return (after - before) / 1024 / accounts.length;
  } finally {
    await done();
  }
}
