/**
 * Child process of test/faults/killDuringSave.ts: restores the manager kept in <file> (FileStorage,
 * keys sealed as NIP-49 under $NSE_FAULTS_PASSPHRASE), then saves over and over — each save gives
 * <account> the profile name "seq-<n>" — printing n once persist() has resolved, until it is killed.
 *   node --import tsx test/faults/crashSaver.ts <file> <first n> <account pubkey>
 */
import NDK from "@nostr-dev-kit/ndk";
import { FileStorage, NDKSessionManager } from "../../src";

const [file, first, account] = process.argv.slice(2) as [string, string, string];
const ndk = new NDK({ explicitRelayUrls: [], enableOutboxModel: false, autoConnectUserRelays: false });
const passphrase = process.env.NSE_FAULTS_PASSPHRASE ?? "";
const manager = new NDKSessionManager(ndk, { storage: new FileStorage(file), autoSave: false, secrets: { passphrase, logn: 8 } });
await manager.restore();
process.stdout.write("ready\n");
for (let seq = Number(first); ; seq++) {
  manager.updateSession(account, { profile: { name: `seq-${seq}` } });
  await manager.persist();
  process.stdout.write(`${seq}\n`); // synchronous on a pipe (Linux): out before the next save starts
}
