import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { connectedNdk, disconnect, eventually, publish, withRelay } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor, savedSessions as saved } from "../support/engine";
import type { SessionManagerOptions } from "../../src";

const fixture = useRelay();
const randomPubkeys = (n: number) => Array.from({ length: n }, () => NDKPrivateKeySigner.generate().pubkey);

const savedSessions = (signers: NDKPrivateKeySigner[], options: SessionManagerOptions = {}) => saved(fixture.ndk, signers, options);

describe("restore()", () => {
  it("brings sessions back with their last-known lists before any relay answers, active one wired", async () => {
    const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    const follows = randomPubkeys(5);
    await publish(fixture.ndk, alice!, { kind: 3, tags: follows.map((p) => ["p", p]) });
    await publish(fixture.ndk, alice!, { kind: 10000, tags: [["word", "spam"]] });
    const storage = await savedSessions([alice!, bob!], { unsafePersistPrivateKeys: true });

    const down = await withRelay();
    const deadUrl = down.url;
    await down.close();
    const offline = await connectedNdk([deadUrl]);
    fixture.defer(() => disconnect(offline));
    const second = managerFor(offline, { storage, timeouts: { fetchMs: 200, signerMs: 500 } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    const session = second.manager.getSession(alice!.pubkey)!;
    expect([...session.followSet!].sort()).toEqual([...follows].sort());
    expect(session.mutedWords).toEqual(new Set(["spam"]));
    expect(second.manager.activePubkey).toBe(alice!.pubkey);
    expect(offline.signer?.pubkey).toBe(alice!.pubkey);
    expect(offline.activeUser?.pubkey).toBe(alice!.pubkey);
    expect(offline.muteFilter).toBeTypeOf("function");
    expect(second.manager.getSessions().size).toBe(2);
  });

  it("refreshes the lists from relays after showing the stored ones (stale-while-revalidate)", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const [old, fresh] = randomPubkeys(2);
    const t = Math.floor(Date.now() / 1000) - 100;
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", old!]], created_at: t });
    const storage = await savedSessions([alice], { unsafePersistPrivateKeys: true });
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", fresh!]], created_at: t + 1 });

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    expect([...second.manager.getSession(alice.pubkey)!.followSet!]).toEqual([old]);
    await eventually(() => second.manager.getSession(alice.pubkey)?.followSet?.has(fresh!) === true, 3000, "refreshed list");
    expect(second.status(alice.pubkey)).toBe("ready");
  });

  it("one unrestorable session among five: the other four sign, and it still reads its lists", async () => {
    const signers = Array.from({ length: 5 }, () => NDKPrivateKeySigner.generate());
    const storage = await savedSessions(signers, { unsafePersistPrivateKeys: true });
    const text = (await storage.getItem("state"))!;
    const broken = JSON.parse(text);
    broken.unsafeSecrets[signers[2]!.pubkey] = '{"type":"private-key","payload":"not-a-key"}';
    await storage.setItem("state", JSON.stringify(broken));

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    for (const [i, signer] of signers.entries()) {
      await second.ready(signer.pubkey);
      if (i === 2) continue;
      await second.signer(signer.pubkey);
      expect(second.manager.isReadOnly(signer.pubkey)).toBe(false);
    }
    await second.signer(signers[2]!.pubkey, "needsLogin");
    expect(second.manager.getSession(signers[2]!.pubkey)!.signerFailure!.code).toBe("signer-unavailable");
    expect(second.manager.isReadOnly(signers[2]!.pubkey)).toBe(true);
  });

  it("signers of an unknown type or a missing extension say why they cannot sign; every session reads", async () => {
    const [good, mystery, extension] = [0, 1, 2].map(() => NDKPrivateKeySigner.generate());
    const storage = await savedSessions([good!, mystery!, extension!], { unsafePersistPrivateKeys: true });
    const state = JSON.parse((await storage.getItem("state"))!);
    const account = (pk: string) => state.registry.accounts.find((a: { pubkey: string }) => a.pubkey === pk);
    account(mystery!.pubkey).signer.type = "mystery";
    state.unsafeSecrets[mystery!.pubkey] = JSON.stringify({ type: "mystery", payload: "x" });
    state.snapshot.children[`session:${mystery!.pubkey}`].snapshot.context.signer.type = "mystery";
    account(extension!.pubkey).signer.type = "nip07"; // an extension, and Node has none
    state.snapshot.children[`session:${extension!.pubkey}`].snapshot.context.signer.type = "nip07";
    delete state.unsafeSecrets[extension!.pubkey];
    state.payloads = { [extension!.pubkey]: JSON.stringify({ type: "nip07", payload: "" }) };
    await storage.setItem("state", JSON.stringify(state));

    const second = managerFor(fixture.ndk, { storage, timeouts: { signerMs: 300, fetchMs: 2000 } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    await second.signer(good!.pubkey);
    await second.signer(mystery!.pubkey, "needsLogin");
    await second.signer(extension!.pubkey, "extensionAway");
    expect(second.manager.getSession(mystery!.pubkey)!.signerFailure!.code).toBe("signer-unavailable");
    expect(second.manager.getSession(extension!.pubkey)!.signerFailure!.code).toBe("extension-missing");
    for (const signer of [good!, mystery!, extension!]) await second.ready(signer.pubkey);
  });

  it("without the unsafe option no private key reaches storage, and sessions ask for a login by name", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const storage = await savedSessions([alice]);
    const text = (await storage.getItem("state"))!;
    expect(text).toContain(alice.pubkey);
    expect(text).not.toContain(alice.privateKey);
    expect(text).not.toContain(alice.nsec);

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    await second.signer(alice.pubkey, "needsLogin");
    expect(second.manager.getSession(alice.pubkey)!.failure!.code).toBe("signer-unavailable");
    await second.ready(alice.pubkey);
    await second.manager.login(alice);
    await second.signer(alice.pubkey);
  });
});
