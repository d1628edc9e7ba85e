// Issue 10.5: wallet preferences as the peer keeps them.
import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner, type NDKKind } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage } from "../../src";

const fixture = useRelay();
const WALLET = 17375 as NDKKind;

describe("enableWallet / disableWallet / isWalletEnabled", () => {
  it("with no active session, or for an unknown pubkey, do nothing and do not throw; isWalletEnabled answers false", async () => {
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const stranger = NDKPrivateKeySigner.generate().pubkey;
    expect(() => manager.enableWallet()).not.toThrow();
    expect(() => manager.disableWallet()).not.toThrow();
    expect(() => manager.enableWallet(stranger)).not.toThrow();
    expect(manager.isWalletEnabled()).toBe(false);
    expect(manager.isWalletEnabled(stranger)).toBe(false);
    expect(manager.getSessions().size).toBe(0);
  });

  it("a session's wallet preference fetches its wallet events, and is the session's own", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const bob = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, alice, { kind: WALLET, content: "wallet" });
    const { manager, ready } = managerFor(fixture.ndk, { fetches: { follows: true } });
    fixture.defer(() => manager.destroy());
    await manager.login(bob, { setActive: false });
    await manager.login(alice);
    await ready(alice.pubkey);
    expect(manager.isWalletEnabled()).toBe(false);
    expect(manager.getSession(alice.pubkey)!.events.has(WALLET)).toBe(false);
    manager.enableWallet();
    expect(manager.isWalletEnabled()).toBe(true);
    expect(manager.isWalletEnabled(bob.pubkey)).toBe(false);
    await eventually(() => manager.getSession(alice.pubkey)!.events.get(WALLET)?.content === "wallet", 3000, "the wallet event");
    manager.disableWallet(alice.pubkey);
    expect(manager.isWalletEnabled(alice.pubkey)).toBe(false);
  });

  it("a restore starts each session with the restoring manager's fetches plus its saved walletEnabled", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const friend = NDKPrivateKeySigner.generate().pubkey;
    await publish(fixture.ndk, alice, { kind: WALLET, content: "wallet" });
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", friend]] });
    const storage = new MemoryStorage();
    const first = managerFor(fixture.ndk, { storage, fetches: {} });
    await first.manager.login(alice);
    first.manager.enableWallet();
    await first.ready(alice.pubkey);
    await first.manager.persist();
    await first.manager.destroy();

    const second = managerFor(fixture.ndk, { storage, fetches: { follows: true } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    expect(second.manager.isWalletEnabled(alice.pubkey)).toBe(true);
    await eventually(() => second.manager.getSession(alice.pubkey)?.followSet?.has(friend) === true, 3000, "follows, from the restoring manager's fetches");
    await eventually(() => second.manager.getSession(alice.pubkey)!.events.get(WALLET)?.content === "wallet", 3000, "the wallet, from the saved preference");
  });
});
