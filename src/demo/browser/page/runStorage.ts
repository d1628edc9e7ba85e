/**
 * Storage per server run. The relay keeps its events in memory and the bunker's key is new on each
 * start, so sessions stored by an earlier run would restore accounts whose lists and signer no
 * longer exist; each run gets its own LocalStorage prefix, and earlier runs' keys are removed.
 */
const PREFIX = "nse-demo";

export const storagePrefix = (runId: string): string => `${PREFIX}-${runId}`;

/** Public pubkeys of sessions whose key is kept as NIP-49 (lockable), shared by the tabs of this run. */
export const lockableKey = (runId: string): string => `${PREFIX}-lockable-${runId}`;

export function forgetEarlierRuns(runId: string): void {
  const keep = [`${storagePrefix(runId)}:`, lockableKey(runId)];
  const stale: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(`${PREFIX}-`) && !keep.some((k) => key.startsWith(k))) stale.push(key);
  }
  for (const key of stale) localStorage.removeItem(key);
}

export function readLockable(runId: string): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(lockableKey(runId)) ?? "[]") as string[]);
  } catch {
    return new Set();
  }
}

export function markLockable(runId: string, pubkey: string): void {
  const set = readLockable(runId);
  set.add(pubkey);
  localStorage.setItem(lockableKey(runId), JSON.stringify([...set]));
}
