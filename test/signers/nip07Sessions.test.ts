import { afterEach, expect, it } from "vitest";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
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

it("a sign made while the extension is on another account is refused, and the session comes back when the user switches back", async () => {
  const key = generateSecretKey();
  extension = createFakeNip07(key);
  const pubkey = getPublicKey(key);
  const { manager, ready, signer } = managerFor(fixture.ndk, { timeouts: { signerMs: 300, fetchMs: 2000 }, retry: { baseMs: 50, maxMs: 200 } });
  fixture.defer(() => manager.destroy());
  const nip07 = nip07SignerFor(fixture.ndk, 300);
  await manager.login(nip07);
  await ready(pubkey);
  await signer(pubkey);

  // The extension switches before the page regains focus: the app's next sign reaches the other account.
  extension.switchAccount(generateSecretKey());
  const event = new NDKEvent(fixture.ndk, { kind: 1, content: "as whom?", tags: [] });
  await expect(event.sign()).rejects.toMatchObject({ code: "signer-mismatch" });
  expect(event.sig).toBeFalsy();
  await eventually(() => manager.getSession(pubkey)!.signerState !== "ready", 2000, "the session to stop signing");
  // Not a lost login: the extension is the page's and may come back to this account.
  expect(manager.getSession(pubkey)!.signerState).not.toBe("needsLogin");
  expect(manager.getSession(pubkey)!.signerFailure?.code).toBe("extension-other-account");

  extension.switchAccount(key);
  manager.actor.send({ type: "signers.recheck" });
  await signer(pubkey, "ready", 3000);
  expect(manager.getCurrentState().signers.get(pubkey)).toBe(nip07);
});
