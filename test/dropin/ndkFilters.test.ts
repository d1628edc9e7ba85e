// Issue 10.4: NDK's mute and relay filters follow the peer's rules, and ours where the peer had a bug.
import { describe, expect, it } from "vitest";
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";

const fixture = useRelay();
const FETCHES = { mutes: true, blockedRelays: true };
const stranger = () => NDKPrivateKeySigner.generate().pubkey;
const eventBy = (pubkey: string, content = "", tags: string[][] = [], id = "") =>
  Object.assign(new NDKEvent(fixture.ndk, { kind: 1, pubkey, content, tags }), id ? { id } : {});

describe("ndk.muteFilter and ndk.relayConnectionFilter", () => {
  it("a session with mutes blocks its muted pubkeys, words, hashtags and events; blocked relays are refused", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const [muted, friend, mutedEvent] = [stranger(), stranger(), "e".repeat(64)];
    await publish(fixture.ndk, alice, { kind: 10000, tags: [["p", muted], ["word", "Spam"], ["t", "nsfw"], ["e", mutedEvent]] });
    await publish(fixture.ndk, alice, { kind: 10006, tags: [["relay", "wss://blocked.example.com"]] });
    const { manager, ready } = managerFor(fixture.ndk, { fetches: FETCHES });
    fixture.defer(() => manager.destroy());
    await manager.login(alice);
    await ready(alice.pubkey);
    const mute = fixture.ndk.muteFilter!;
    expect(mute(eventBy(muted, "hello"))).toBe(true);
    expect(mute(eventBy(friend, "this is SPAM"))).toBe(true);
    expect(mute(eventBy(friend, "hi", [["t", "NSFW"]]))).toBe(true);
    expect(mute(eventBy(friend, "hi", [], mutedEvent))).toBe(true);
    expect(mute(eventBy(friend, "hello"))).toBe(false);
    const relays = fixture.ndk.relayConnectionFilter!;
    expect(relays("wss://blocked.example.com")).toBe(false);
    expect(relays("wss://blocked.example.com/")).toBe(false);
    expect(relays("wss://fine.example.com")).toBe(true);
  });

  it("a session without mutes or blocked relays leaves both undefined; the filters follow each switch", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const bob = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, alice, { kind: 10000, tags: [["word", "spam"]] });
    const { manager, ready } = managerFor(fixture.ndk, { fetches: FETCHES });
    fixture.defer(() => manager.destroy());
    await manager.login(alice);
    await ready(alice.pubkey);
    expect(fixture.ndk.muteFilter).toBeTypeOf("function");
    expect(fixture.ndk.relayConnectionFilter).toBeUndefined();
    await manager.login(bob);
    await ready(bob.pubkey);
    expect(fixture.ndk.muteFilter).toBeUndefined();
    expect(fixture.ndk.relayConnectionFilter).toBeUndefined();
    await manager.switchTo(alice.pubkey);
    expect(fixture.ndk.muteFilter).toBeTypeOf("function");
  });

  it("a mute list arriving later sets the filter at once for the active session (the peer waited for the next switch)", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const { manager, ready } = managerFor(fixture.ndk, { fetches: FETCHES });
    fixture.defer(() => manager.destroy());
    await manager.login(alice);
    await ready(alice.pubkey);
    expect(fixture.ndk.muteFilter).toBeUndefined();
    await eventually(() => fixture.relay.openSubscriptions() > 0, 2000, "the live subscription");
    await publish(fixture.ndk, alice, { kind: 10000, tags: [["word", "later"]] });
    await eventually(() => fixture.ndk.muteFilter?.(eventBy(stranger(), "later on")) === true, 3000, "the filter");
  });

  it("switchTo(null), and logging out the last session, clear both filters and ndk.signer", async () => {
    const alice = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, alice, { kind: 10000, tags: [["word", "spam"]] });
    await publish(fixture.ndk, alice, { kind: 10006, tags: [["relay", "wss://blocked.example.com"]] });
    const { manager, ready } = managerFor(fixture.ndk, { fetches: FETCHES });
    fixture.defer(() => manager.destroy());
    await manager.login(alice);
    await ready(alice.pubkey);
    expect(fixture.ndk.signer).toBe(alice);
    await manager.switchTo(null);
    expect([fixture.ndk.muteFilter, fixture.ndk.relayConnectionFilter, fixture.ndk.signer, fixture.ndk.activeUser]).toEqual([undefined, undefined, undefined, undefined]);
    await manager.switchTo(alice.pubkey);
    expect(fixture.ndk.relayConnectionFilter).toBeTypeOf("function");
    manager.logout();
    expect([fixture.ndk.muteFilter, fixture.ndk.relayConnectionFilter, fixture.ndk.signer, fixture.ndk.activeUser]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
