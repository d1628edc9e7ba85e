import { describe, expect, it } from "vitest";
import { NDKEvent, NDKPrivateKeySigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { activeSigner, managerFor } from "../support/engine";

const fixture = useRelay();
const cleanups = { push: fixture.defer };

/** A real key whose `user()` answers late, as NIP-07 and NIP-46 signers do. */
class SlowSigner extends NDKPrivateKeySigner {
  delayMs = 0;
  override async user(): Promise<NDKUser> {
    const user = await super.user();
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return user;
  }
}

const note = (pubkey: string, content = "hello") => new NDKEvent(fixture.ndk, { kind: 1, pubkey, content, tags: [], created_at: 1 });

describe("NDK wiring follows the active session", () => {
  it("switches signer, activeUser, mute and relay filters together", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const bob = NDKPrivateKeySigner.generate();
    const spammer = NDKPrivateKeySigner.generate().pubkey;
    await publish(fixture.ndk, alice, { kind: 10000, tags: [["p", spammer]] });
    await publish(fixture.ndk, alice, { kind: 10006, tags: [["relay", "wss://blocked.example.com"]] });
    const { manager, ready } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    await manager.login(alice);
    await manager.login(bob);
    await ready(alice.pubkey);
    await ready(bob.pubkey);

    expect(manager.activePubkey).toBe(bob.pubkey);
    expect(activeSigner(fixture.ndk)).toBe(bob);
    expect(fixture.ndk.activeUser?.pubkey).toBe(bob.pubkey);
    expect(fixture.ndk.muteFilter).toBeUndefined();

    await manager.switchTo(alice.pubkey);
    expect(activeSigner(fixture.ndk)).toBe(alice);
    expect(fixture.ndk.activeUser?.pubkey).toBe(alice.pubkey);
    expect(fixture.ndk.muteFilter?.(note(spammer))).toBe(true);
    expect(fixture.ndk.relayConnectionFilter?.("wss://blocked.example.com/")).toBe(false);
    expect(fixture.ndk.relayConnectionFilter?.("wss://fine.example.com")).toBe(true);
    expect(manager.getSession(alice.pubkey)!.lastActive).toBeGreaterThan(0);

    await manager.switchTo(null);
    expect(fixture.ndk.signer).toBeUndefined();
    expect(fixture.ndk.activeUser).toBeUndefined();
    expect(fixture.ndk.muteFilter).toBeUndefined();
    expect(fixture.ndk.relayConnectionFilter).toBeUndefined();
  });

  it("a read-only login after a signer login clears fixture.ndk.signer and points activeUser at the read-only user", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const watcher = NDKPrivateKeySigner.generate().pubkey;
    const { manager, ready } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    await manager.login(alice);
    await manager.login(fixture.ndk.getUser({ pubkey: watcher }));
    expect(manager.activePubkey).toBe(watcher);
    expect(fixture.ndk.signer).toBeUndefined();
    expect(fixture.ndk.activeUser?.pubkey).toBe(watcher);
    expect(manager.isReadOnly()).toBe(true);
    expect(manager.isReadOnly(alice.pubkey)).toBe(false);
    await ready(watcher);
    // Nothing late (NDK's own signer setter settles asynchronously) may put alice back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fixture.ndk.activeUser?.pubkey).toBe(watcher);
  });

  it("fast switches between slow signers never leave activeUser on the previous user", async () => {
    const slow = new SlowSigner(NDKPrivateKeySigner.generate().privateKey);
    const fast = NDKPrivateKeySigner.generate();
    const { manager } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    await manager.login(slow);
    await manager.login(fast);
    slow.delayMs = 60;
    await manager.switchTo(slow.pubkey);
    await manager.switchTo(fast.pubkey);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(activeSigner(fixture.ndk)).toBe(fast);
    expect(fixture.ndk.activeUser?.pubkey).toBe(fast.pubkey);
  });

  it("leaves ndk's filters alone with setMuteFilter: false and setRelayConnectionFilter: false", async () => {
    const alice = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, alice, { kind: 10000, tags: [["word", "nope"]] });
    const own = () => false;
    fixture.ndk.muteFilter = own;
    fixture.ndk.relayConnectionFilter = own;
    const { manager, ready } = managerFor(fixture.ndk, {
      fetches: { mutes: true, blockedRelays: true, setMuteFilter: false, setRelayConnectionFilter: false },
    });
    cleanups.push(() => {
      manager.destroy();
      fixture.ndk.muteFilter = undefined;
      fixture.ndk.relayConnectionFilter = undefined;
    });
    await manager.login(alice);
    await ready(alice.pubkey);
    expect(manager.getSession(alice.pubkey)!.mutedWords).toEqual(new Set(["nope"]));
    expect(fixture.ndk.muteFilter).toBe(own);
    expect(fixture.ndk.relayConnectionFilter).toBe(own);
  });

  it("logout of the active session activates the oldest remaining one; the last logout clears NDK", async () => {
    const [a, b, c] = [0, 1, 2].map(() => NDKPrivateKeySigner.generate());
    const { manager } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    for (const signer of [a!, b!, c!]) await manager.login(signer);
    manager.logout(); // c
    expect(manager.activePubkey).toBe(a!.pubkey);
    expect(activeSigner(fixture.ndk)).toBe(a);
    manager.logout(b!.pubkey);
    expect(manager.activePubkey).toBe(a!.pubkey);
    manager.logout();
    expect(manager.activePubkey).toBeUndefined();
    expect(fixture.ndk.signer).toBeUndefined();
    expect(fixture.ndk.activeUser).toBeUndefined();
    expect(manager.getSessions().size).toBe(0);
  });

  it("login with setActive: false leaves the active session and NDK as they were", async () => {
    const [a, b] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    const { manager } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    await manager.login(a!);
    await manager.login(b!, { setActive: false });
    expect(manager.activePubkey).toBe(a!.pubkey);
    expect(activeSigner(fixture.ndk)).toBe(a);
    expect(manager.getSession(b!.pubkey)!.lastActive).toBe(0);
    await eventually(() => manager.getSessions().size === 2);
  });
});
