import { afterAll, expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { LeakScanner } from "../support/leakScanner";
import { MemoryStorage } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";

const fixture = useRelay();
const scanner = new LeakScanner();
afterAll(() => scanner.stop());

it("no secret of any login method appears in storage, logs, errors, subscribe payloads, inspection or snapshots", async () => {
  scanner.captureConsole();
  const storage = new MemoryStorage();
  const key = await generateSealingKey();
  const [plain, guarded, sealed] = [0, 1, 2].map(() => NDKPrivateKeySigner.generate());
  const passphrase = "a passphrase nobody may see";
  const watcher = NDKPrivateKeySigner.generate().pubkey;
  const secrets = [plain, guarded, sealed].flatMap((s) => [s!.privateKey, s!.nsec]).concat(passphrase);

  const first = managerFor(fixture.ndk, { storage, inspect: scanner.inspect, secrets: { key, logn: 8 } });
  const stopWatching = scanner.watch(first.manager);
  await first.manager.login(plain!);
  await first.manager.login(guarded!, { passphrase });
  await first.manager.login(sealed!);
  await first.manager.login(fixture.ndk.getUser({ pubkey: watcher }));
  for (const pk of [plain!.pubkey, guarded!.pubkey, sealed!.pubkey, watcher]) await first.ready(pk);
  await first.manager.switchTo(guarded!.pubkey);
  // List writes: a public and a private mute signed and encrypted by sessions' keys, and one refused.
  for (const pk of [plain!.pubkey, sealed!.pubkey]) await first.signer(pk);
  await first.manager.mute({ word: "public" }, { pubkey: plain!.pubkey });
  await first.manager.mute({ pubkey: watcher }, { pubkey: sealed!.pubkey, private: true });
  await first.manager.follow(plain!.pubkey, { pubkey: watcher }).catch((error) => scanner.addError("write error", error));
  for (const attempt of [() => first.manager.unlock(plain!.pubkey, passphrase), () => first.manager.switchTo("f".repeat(64))])
    await attempt().catch((error) => scanner.addError("error", error));
  await first.manager.persist();
  scanner.add("persisted snapshot", first.manager.actor.getPersistedSnapshot());
  stopWatching();
  await first.manager.destroy();

  const second = managerFor(fixture.ndk, { storage, inspect: scanner.inspect, secrets: { key, logn: 8 } });
  fixture.defer(() => second.manager.destroy());
  scanner.watch(second.manager);
  await second.manager.restore();
  await second.signer(guarded!.pubkey, "locked", 2000);
  await second.manager.unlock(guarded!.pubkey, "wrong").catch((error) => scanner.addError("unlock error", error));
  await second.manager.unlock(guarded!.pubkey, passphrase);
  await second.ready(guarded!.pubkey);
  await second.ready(sealed!.pubkey);
  for (const storedKey of await storage.keys()) scanner.add(`storage ${storedKey}`, await storage.getItem(storedKey));
  scanner.add("persisted snapshot after restore", second.manager.actor.getPersistedSnapshot());

  expect(scanner.size).toBeGreaterThan(100); // the scan saw the run, not an empty room
  expect(scanner.findings(secrets)).toEqual([]);
  // And the scanner finds what it should: a stored secret planted on purpose is reported.
  scanner.add("planted", `x${plain!.privateKey}x`);
  expect(scanner.findings(secrets)).toEqual([`planted holds ${plain!.privateKey.slice(0, 6)}…`]);
});

it("remote signers and extensions leak nothing either: NIP-46 secret, its client key, the extension's key", async () => {
  scanner.captureConsole();
  const { startBunker } = await import("../support/bunker");
  const { createFakeNip07 } = await import("../support/nip07");
  const { nip07SignerFor } = await import("../../src/effects/nip07");
  const { NDKNip46Signer } = await import("@nostr-dev-kit/ndk");
  const { generateSecretKey } = await import("nostr-tools/pure");
  const { bytesToHex } = await import("@noble/hashes/utils");

  const bunkerSecret = "nip46-single-use-secret-value";
  const bunker = await startBunker(fixture.relay.url, fixture.relay, { secret: bunkerSecret });
  fixture.defer(() => bunker.close());
  const extensionKey = generateSecretKey();
  const extension = createFakeNip07(extensionKey);
  fixture.defer(() => extension.remove());
  const storage = new MemoryStorage();
  const key = await generateSealingKey();

  const first = managerFor(fixture.ndk, { storage, inspect: scanner.inspect, secrets: { key }, timeouts: { signerMs: 3000 } });
  scanner.watch(first.manager);
  const remote = NDKNip46Signer.bunker(fixture.ndk, bunker.bunkerUri(true));
  const remotePubkey = await first.manager.login(remote);
  const extensionPubkey = await first.manager.login(nip07SignerFor(fixture.ndk, 1000));
  await first.ready(remotePubkey);
  await first.ready(extensionPubkey);
  const clientKey = (remote as unknown as { localSigner: NDKPrivateKeySigner }).localSigner;
  await first.manager.persist();
  scanner.add("persisted snapshot", first.manager.actor.getPersistedSnapshot());
  await first.manager.destroy();

  const second = managerFor(fixture.ndk, { storage, inspect: scanner.inspect, secrets: { key }, timeouts: { signerMs: 3000 } });
  fixture.defer(() => second.manager.destroy());
  scanner.watch(second.manager);
  await second.manager.restore();
  await second.ready(remotePubkey);
  await second.ready(extensionPubkey);
  for (const storedKey of await storage.keys()) scanner.add(`storage ${storedKey}`, await storage.getItem(storedKey));

  const { readdirSync, readFileSync } = await import("node:fs");
  const diagrams = new URL("../../visualizations/", import.meta.url);
  for (const file of readdirSync(diagrams)) scanner.add(`visualizations/${file}`, readFileSync(new URL(file, diagrams), "utf8"));
  const secrets = [bunkerSecret, clientKey.privateKey, clientKey.nsec, bytesToHex(extensionKey)];
  expect(scanner.findings(secrets)).toEqual([]);
});
