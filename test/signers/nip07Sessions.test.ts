import { afterEach, expect, it } from "vitest";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { createFakeNip07, type FakeNip07 } from "../support/nip07";
import { MemoryStorage } from "../../src";
import { nip07SignerFor } from "../../src/effects/nip07";

// NIP-07 sessions on Node, with window.nostr backed by a real key (the extension is what cannot exist here).
const fixture = useRelay();
let extension: FakeNip07 | undefined;
afterEach(() => extension?.remove());

it("a NIP-07 session signs through the extension; another account or no extension is a named state, and focus re-checks", async () => {
  const key = generateSecretKey();
  extension = createFakeNip07(key);
  const pubkey = getPublicKey(key);
  await publish(fixture.ndk, new NDKPrivateKeySigner(key), { kind: 3, tags: [["p", pubkey]] });
  const bystander = NDKPrivateKeySigner.generate();
  const { manager, ready, signer } = managerFor(fixture.ndk, { timeouts: { signerMs: 300, fetchMs: 2000 } });
  fixture.defer(() => manager.destroy());
  await manager.login(bystander, { setActive: false });
  expect(await manager.login(nip07SignerFor(fixture.ndk, 300))).toBe(pubkey);
  await ready(pubkey);
  expect(manager.getSession(pubkey)!.followSet!.size).toBe(1);

  extension.switchAccount(generateSecretKey());
  manager.actor.send({ type: "signers.recheck" }); // what regaining focus sends
  await signer(pubkey, "extensionAway", 2000);
  expect(manager.getSession(pubkey)!.signerFailure!.code).toBe("extension-other-account");
  expect(manager.getSession(pubkey)!.followSet!.size).toBe(1); // lists stay
  expect(manager.getSession(pubkey)!.status).toBe("ready"); // and keep reading
  await ready(bystander.pubkey); // the others are unaffected

  extension.switchAccount(key);
  manager.actor.send({ type: "signers.recheck" });
  await signer(pubkey);

  extension.remove();
  manager.actor.send({ type: "signers.recheck" });
  await signer(pubkey, "extensionAway", 2000);
  expect(manager.getSession(pubkey)!.signerFailure!.code).toBe("extension-missing");
  extension.install();
  manager.actor.send({ type: "signers.recheck" });
  await signer(pubkey);
});

it("a NIP-07 session is stored by its pubkey and type only, and restores through the extension", async () => {
  const key = generateSecretKey();
  extension = createFakeNip07(key);
  const pubkey = getPublicKey(key);
  const storage = new MemoryStorage();
  const first = managerFor(fixture.ndk, { storage, timeouts: { signerMs: 300, fetchMs: 2000 } });
  await first.manager.login(nip07SignerFor(fixture.ndk, 300));
  await first.ready(pubkey);
  await first.manager.persist();
  await first.manager.destroy();
  expect(JSON.parse((await storage.getItem("state"))!).registry.accounts).toEqual([
    expect.objectContaining({ pubkey, signer: { type: "nip07" } }),
  ]);

  const second = managerFor(fixture.ndk, { storage, timeouts: { signerMs: 300, fetchMs: 2000 } });
  fixture.defer(() => second.manager.destroy());
  await second.manager.restore();
  await second.ready(pubkey);
  expect(second.manager.isReadOnly(pubkey)).toBe(false);
  expect(fixture.ndk.signer).toBeDefined();
});
