import { expect, it } from "vitest";
import { NDKPrivateKeySigner, nip19 } from "@nostr-dev-kit/ndk";
import { useRelay } from "../support/fixture";
import { activeSigner, managerFor } from "../support/engine";
import { startBunker } from "../support/bunker";
import { MemoryStorage } from "../../src";

const fixture = useRelay();

it("logs in from nsec, hex (when told what it is), npub and ncryptsec strings; ambiguous or bad ones are typed errors", async () => {
  const { manager } = managerFor(fixture.ndk, { timeouts: { signerMs: 2000 } });
  fixture.defer(() => manager.destroy());
  const [a, b, c] = [0, 1, 2].map(() => NDKPrivateKeySigner.generate());

  expect(await manager.login(a!.nsec)).toBe(a!.pubkey);
  expect(manager.isReadOnly(a!.pubkey)).toBe(false);
  expect(await manager.login(b!.privateKey, { as: "private-key" })).toBe(b!.pubkey);
  expect(manager.isReadOnly(b!.pubkey)).toBe(false);
  expect(await manager.login(nip19.npubEncode(c!.pubkey))).toBe(c!.pubkey);
  expect(manager.isReadOnly(c!.pubkey)).toBe(true);
  expect(await manager.login(c!.pubkey, { as: "read-only" })).toBe(c!.pubkey);
  expect(activeSigner(fixture.ndk)).toBeUndefined();

  const bad = "nsec1thisisnotavalidkeyatall";
  const rejection = await manager.login(bad).catch((error: Error) => error);
  expect(rejection).toMatchObject({ name: "SignerError", code: "invalid-login" });
  expect((rejection as Error).message).not.toContain(bad);
  await expect(manager.login(a!.privateKey)).rejects.toMatchObject({ code: "ambiguous-hex" });
  await expect(manager.login("hello")).rejects.toMatchObject({ code: "invalid-login" });
});

it("an ncryptsec login keeps the ncryptsec as given, and restores locked", async () => {
  const alice = NDKPrivateKeySigner.generate();
  const ncryptsec = alice.encryptToNcryptsec("pass phrase", 8);
  const storage = new MemoryStorage();
  const { manager } = managerFor(fixture.ndk, { storage });
  await expect(manager.login(ncryptsec)).rejects.toMatchObject({ code: "no-passphrase" });
  await expect(manager.login(ncryptsec, { passphrase: "nope" })).rejects.toMatchObject({ code: "wrong-passphrase" });
  expect(await manager.login(ncryptsec, { passphrase: "pass phrase" })).toBe(alice.pubkey);
  expect(manager.isReadOnly(alice.pubkey)).toBe(false);
  await manager.persist();
  await manager.destroy();
  const stored = (await storage.getItem("state"))!;
  expect(stored).toContain(ncryptsec);
  expect(stored).not.toContain("pass phrase");

  const second = managerFor(fixture.ndk, { storage });
  fixture.defer(() => second.manager.destroy());
  await second.manager.restore();
  await second.signer(alice.pubkey, "locked", 2000);
});

it("a bunker:// login that never completes can be cancelled", async () => {
  const bunker = await startBunker(fixture.relay.url, fixture.relay);
  const uri = bunker.bunkerUri(false);
  await bunker.stop(); // nobody answers
  fixture.defer(() => bunker.close());
  const { manager } = managerFor(fixture.ndk, { timeouts: { signerMs: 30_000 } });
  fixture.defer(() => manager.destroy());
  const controller = new AbortController();
  const login = manager.login(uri, { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await expect(login).rejects.toMatchObject({ code: "signer-cancelled" });
  expect(manager.getSessions().size).toBe(0);
});
