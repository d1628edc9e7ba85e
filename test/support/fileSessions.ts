/**
 * Run in a child process by test/persistence/processes.test.ts.
 *   tsx fileSessions.ts save <relayUrl> <file>  → 5 accounts with lists, logged in, saved; prints them
 *   tsx fileSessions.ts load <relayUrl> <file>  → restores (the relay may be down); prints what it got
 */
import { connectedNdk, disconnect, eventually, publish, NDKPrivateKeySigner } from "./env";
import { FileStorage, NDKSessionManager } from "../../src";

const [mode, relayUrl, file] = process.argv.slice(2) as [string, string, string];
const ndk = await connectedNdk([relayUrl]);
const storage = new FileStorage(file);

if (mode === "save") {
  const signers = Array.from({ length: 5 }, () => NDKPrivateKeySigner.generate());
  const follows: Record<string, number> = {};
  for (const [i, signer] of signers.entries()) {
    follows[signer.pubkey] = i + 1;
    const tags = Array.from({ length: i + 1 }, () => ["p", NDKPrivateKeySigner.generate().pubkey]);
    await publish(ndk, signer, { kind: 3, tags });
  }
  const manager = new NDKSessionManager(ndk, { storage });
  for (const signer of signers) await manager.login(signer);
  await eventually(() => [...manager.getSessions().values()].every((s) => s.followSet?.size === follows[s.pubkey]), 5000, "lists");
  await manager.switchTo(signers[2]!.pubkey);
  await manager.destroy();
  // The keys go to the parent test only, which checks that none of them reached the file.
  console.log(JSON.stringify({ active: signers[2]!.pubkey, follows, secrets: signers.flatMap((s) => [s.privateKey, s.nsec]) }));
} else {
  const manager = new NDKSessionManager(ndk, { storage, timeouts: { fetchMs: 300, signerMs: 300 } });
  const started = performance.now();
  const report = await manager.restore();
  const follows = Object.fromEntries([...manager.getSessions()].map(([pk, s]) => [pk, s.followSet?.size ?? 0]));
  console.log(JSON.stringify({ report, active: manager.activePubkey, follows, ms: performance.now() - started }));
  await manager.destroy();
}
disconnect(ndk);
process.exit(0);
