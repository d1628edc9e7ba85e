// Issue 10.3: updateSession(pubkey, data) patches a session through its actor.
import { describe, expect, it, vi } from "vitest";
import { NDKEvent, NDKPrivateKeySigner, type NDKKind } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { createSessionStore, MemoryStorage, normalizeRelayUrl } from "../../src";

const fixture = useRelay();
const pubkeys = (n: number) => Array.from({ length: n }, () => NDKPrivateKeySigner.generate().pubkey);
const by = (pubkey: string, content = "") => new NDKEvent(fixture.ndk, { kind: 1, pubkey, content, tags: [] });

async function loggedIn(options = {}) {
  const setup = managerFor(fixture.ndk, { fetches: { follows: true, mutes: true, blockedRelays: true, relayList: true }, ...options });
  fixture.defer(() => setup.manager.destroy());
  const signer = NDKPrivateKeySigner.generate();
  await setup.manager.login(signer);
  await setup.ready(signer.pubkey);
  return { ...setup, signer };
}

describe("updateSession from getCurrentState()", () => {
  it("a profile edit shows on activeUser (the peer's own test)", async () => {
    const { manager, signer } = await loggedIn();
    manager.getCurrentState().updateSession(signer.pubkey, { profile: { name: "Test User", about: "Test" } });
    expect(manager.activeUser?.pubkey).toBe(signer.pubkey);
    expect(manager.activeUser?.profile?.name).toBe("Test User");
    expect(manager.getSession(signer.pubkey)!.profile).toEqual({ name: "Test User", about: "Test" });
  });

  it("follows, mutes, blocked relays and relay list: the read model, subscribers and NDK's filters follow at once", async () => {
    const { manager, signer } = await loggedIn();
    const heard = vi.fn();
    manager.subscribe(heard);
    const [a, b, muted] = pubkeys(3);
    const state = manager.getCurrentState();
    state.updateSession(signer.pubkey, { followSet: new Set([a!, b!]) });
    state.updateSession(signer.pubkey, { muteSet: new Map([[muted!, "p"]]) });
    state.updateSession(signer.pubkey, { mutedWords: new Set(["Spam"]) }); // the mute set stays
    state.updateSession(signer.pubkey, { blockedRelays: new Set(["wss://blocked.example.com"]) });
    state.updateSession(signer.pubkey, { relayList: new Map([["wss://r.example.com", { read: true, write: false }]]) });
    const session = manager.getSession(signer.pubkey)!;
    expect([...session.followSet!].sort()).toEqual([a, b].sort());
    expect(session.muteSet).toEqual(new Map([[muted, "p"]]));
    expect(session.mutedWords).toEqual(new Set(["spam"]));
    expect(session.blockedRelays).toEqual(new Set([normalizeRelayUrl("wss://blocked.example.com")]));
    expect(session.relayList).toEqual(new Map([[normalizeRelayUrl("wss://r.example.com"), { read: true, write: false }]]));
    expect(fixture.ndk.muteFilter!(by(muted!))).toBe(true);
    expect(fixture.ndk.muteFilter!(by(a!, "spam here"))).toBe(true);
    expect(fixture.ndk.relayConnectionFilter!("wss://blocked.example.com")).toBe(false);
    await Promise.resolve();
    expect(heard).toHaveBeenCalled();
    expect(heard.mock.calls.at(-1)![0].sessions.get(signer.pubkey).followSet.size).toBe(2);
  });

  it("an event edit is kept by kind; an unknown pubkey or a field that is not data changes nothing", async () => {
    const { manager, signer } = await loggedIn();
    const interests = new NDKEvent(fixture.ndk, { kind: 10015, content: "", tags: [["t", "nostr"]], created_at: 1 });
    manager.updateSession(signer.pubkey, { events: new Map([[10015 as NDKKind, interests]]) });
    expect(manager.getSession(signer.pubkey)!.events.get(10015 as NDKKind)?.tags).toEqual([["t", "nostr"]]);
    const before = manager.getCurrentState();
    expect(() => manager.updateSession(pubkeys(1)[0]!, { followSet: new Set() })).not.toThrow();
    manager.updateSession(signer.pubkey, { status: "idle", lastActive: 1 });
    expect(manager.getCurrentState()).toBe(before);
  });
});

describe("what happens to an edit afterwards", () => {
  it("it is persisted: a restore brings it back", async () => {
    const storage = new MemoryStorage();
    const { manager, signer } = await loggedIn({ storage });
    const follows = pubkeys(2);
    manager.updateSession(signer.pubkey, { followSet: new Set(follows) });
    await manager.persist();
    const second = managerFor(fixture.ndk, { storage, fetches: { follows: true } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    expect([...second.manager.getSession(signer.pubkey)!.followSet!].sort()).toEqual([...follows].sort());
  });

  it("a newer relay list replaces it (newer wins); the edit replaced the older relay list", async () => {
    const { manager, signer } = await loggedIn();
    const [old, edited, fresh] = pubkeys(3);
    await publish(fixture.ndk, signer, { kind: 3, tags: [["p", old!]], created_at: Math.floor(Date.now() / 1000) - 50 });
    manager.refresh(signer.pubkey);
    await eventually(() => manager.getSession(signer.pubkey)?.followSet?.has(old!) === true, 3000, "the relay's list");
    manager.updateSession(signer.pubkey, { followSet: new Set([edited!]) });
    expect([...manager.getSession(signer.pubkey)!.followSet!]).toEqual([edited]);
    await eventually(() => fixture.relay.openSubscriptions() > 0, 2000, "the live subscription");
    await publish(fixture.ndk, signer, { kind: 3, tags: [["p", fresh!]], created_at: Math.floor(Date.now() / 1000) + 5 });
    await eventually(() => manager.getSession(signer.pubkey)?.followSet?.has(fresh!) === true, 3000, "the newer relay list");
    expect(manager.getSession(signer.pubkey)!.followSet!.has(edited!)).toBe(false);
  });
});

describe("updateSession from createSessionStore()", () => {
  it("patches the session of the store's manager", async () => {
    const store = createSessionStore();
    store.getState().init(fixture.ndk);
    const signer = NDKPrivateKeySigner.generate();
    await store.getState().addSession(signer, true);
    const [friend] = pubkeys(1);
    store.getState().updateSession(signer.pubkey, { followSet: new Set([friend!]) });
    await eventually(() => store.getState().sessions.get(signer.pubkey)?.followSet?.has(friend!) === true, 2000, "the patched follows");
    store.getState().removeSession(signer.pubkey);
  });
});
