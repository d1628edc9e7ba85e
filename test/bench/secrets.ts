/** Secrets figures (issue 4): plain keys in storage for 50 sessions, unlock time, scrypt work on restore. */
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { MemoryStorage, NDKSessionManager } from "../../src";
import type { RelayThread } from "./relayThread";
import { connectedNdk, disconnect, type Account } from "./fixtures";
import { now, waitFor } from "./measure";

export interface SecretsResult {
  /** Private keys (hex or nsec) readable in what 50 sessions store, per policy. */
  readableKeys: { default: number; nip49: number; unsafe: number };
  /** unlock() of one NIP-49 session at logn 16 (ms). */
  unlock: number[];
  /** restore() of the 50 locked sessions (ms), and how many NIP-49 decryptions it made. */
  restoreLocked: number;
  scryptOnRestore: number;
}

async function stored(relay: RelayThread, accounts: readonly Account[], options: ConstructorParameters<typeof NDKSessionManager>[1]) {
  const storage = new MemoryStorage();
  const ndk = await connectedNdk([relay.url]);
  const manager = new NDKSessionManager(ndk, { ...options, storage, autoSave: false });
  for (const account of accounts) await manager.login(account.signer, { setActive: false });
  await manager.persist();
  await manager.destroy();
  disconnect(ndk);
  return storage;
}

const readable = (text: string, accounts: readonly Account[]) =>
  accounts.filter((a) => text.includes(a.signer.privateKey) || text.includes(a.signer.nsec)).length;

export async function secretsFigures(relay: RelayThread, accounts: readonly Account[], unlockRuns: number): Promise<SecretsResult> {
  const text = async (storage: MemoryStorage) => (await storage.getItem("state")) ?? "";
  const byDefault = await stored(relay, accounts, {});
  const unsafe = await stored(relay, accounts, { unsafePersistPrivateKeys: true });
  // logn 8 for the 50 (sealing cost is not the figure); the unlock below is measured at the default 16.
  const nip49 = await stored(relay, accounts, { secrets: { passphrase: "bench passphrase", logn: 8 } });

  const ndk = await connectedNdk([relay.url]);
  const derive = NDKPrivateKeySigner.fromNcryptsec;
  let decryptions = 0;
  NDKPrivateKeySigner.fromNcryptsec = (...args) => (decryptions++, derive.apply(NDKPrivateKeySigner, args));
  const manager = new NDKSessionManager(ndk, { storage: nip49, autoSave: false });
  const started = now();
  await manager.restore();
  const restoreLocked = now() - started;
  await waitFor(() => accounts.every((a) => manager.getSession(a.pubkey)?.signerState === "locked"), 10_000, "sessions to lock");
  const scryptOnRestore = decryptions;
  NDKPrivateKeySigner.fromNcryptsec = derive;
  await manager.destroy();
  disconnect(ndk);

  const unlock: number[] = [];
  for (let run = 0; run < unlockRuns; run++) {
    const account = accounts[run % accounts.length]!;
    const storage = await stored(relay, [account], { secrets: { passphrase: "bench passphrase" } }); // logn 16
    const fresh = await connectedNdk([relay.url]);
    const restored = new NDKSessionManager(fresh, { storage, autoSave: false });
    await restored.restore();
    await waitFor(() => restored.getSession(account.pubkey)?.signerState === "locked", 5000, "locked");
    const t = now();
    await restored.unlock(account.pubkey, "bench passphrase");
    unlock.push(now() - t);
    await restored.destroy();
    disconnect(fresh);
  }
  return {
    readableKeys: { default: readable(await text(byDefault), accounts), nip49: readable(await text(nip49), accounts), unsafe: readable(await text(unsafe), accounts) },
    unlock,
    restoreLocked,
    scryptOnRestore,
  };
}
