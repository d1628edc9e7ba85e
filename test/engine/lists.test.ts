import { describe, expect, it } from "vitest";
import { NDKEvent, type NDKSigner } from "@nostr-dev-kit/ndk";
import { eventually, NDKPrivateKeySigner, publish, withRelay } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";

const randomPubkeys = (n: number) => Array.from({ length: n }, () => NDKPrivateKeySigner.generate().pubkey);

const fixture = useRelay();
const ndkOn = (...urls: string[]) => fixture.ndkOn(...urls);
const cleanups = { push: fixture.defer };

class TaggedEvent extends NDKEvent {
  static kinds = [10030];
  static from(event: NDKEvent) {
    return new TaggedEvent(event.ndk, event.rawEvent());
  }
}

describe("login fetches and parses every list", () => {
  it("reaches ready with profile, follows, mutes (public and private), blocked relays, relay list, wallet and custom kinds", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const alice = NDKPrivateKeySigner.generate();
    const follows = randomPubkeys(3);
    const [mutedPk, privatePk, mutedEvent] = randomPubkeys(3);
    const privateItems = await alice.encrypt(await alice.user(), JSON.stringify([["p", privatePk], ["word", "Secret"]]), "nip44");
    await publish(ndk, alice, { kind: 0, content: JSON.stringify({ name: "alice", about: "hi" }) });
    await publish(ndk, alice, { kind: 3, tags: [...follows.map((p) => ["p", p]), ["p", "npub1notahexkey"]] });
    await publish(ndk, alice, {
      kind: 10000,
      content: privateItems,
      tags: [["p", mutedPk!], ["e", mutedEvent!], ["word", "SpAm"], ["t", "#NSFW"]],
    });
    await publish(ndk, alice, { kind: 10006, tags: [["relay", "wss://Bad.example.com/"]] });
    await publish(ndk, alice, { kind: 10002, tags: [["r", "wss://a.example.com/"], ["r", "wss://a.example.com", "read"], ["r", "wss://w.example.com", "write"]] });
    await publish(ndk, alice, { kind: 17375, content: "wallet" });
    await publish(ndk, alice, { kind: 10019, tags: [["mint", "https://mint.example.com"]] });
    await publish(ndk, alice, { kind: 30078, tags: [["d", "one"]], content: "1" });
    await publish(ndk, alice, { kind: 30078, tags: [["d", "two"]], content: "2" });
    await publish(ndk, alice, { kind: 10030, content: "emoji" });

    const { manager, ready } = managerFor(ndk, {
      fetches: { follows: true, mutes: true, blockedRelays: true, relayList: true, wallet: true, monitor: [30078, TaggedEvent] },
    });
    cleanups.push(() => manager.destroy());
    const pubkey = await manager.login(alice);
    await ready(pubkey);
    const session = manager.getSession(pubkey)!;

    expect(session.profile).toEqual({ name: "alice", about: "hi" });
    expect([...session.followSet!].sort()).toEqual([...follows].sort());
    expect(session.muteSet).toEqual(new Map([[mutedPk, "p"], [mutedEvent, "e"], [privatePk, "p"]]));
    expect([...session.mutedWords!].sort()).toEqual(["secret", "spam"]);
    expect([...session.mutedHashtags!]).toEqual(["nsfw"]);
    expect([...session.blockedRelays!]).toEqual(["wss://bad.example.com"]);
    expect(session.relayList).toEqual(
      new Map([
        ["wss://a.example.com", { read: true, write: true }],
        ["wss://w.example.com", { read: false, write: true }],
      ]),
    );
    expect(session.events.get(17375)?.content).toBe("wallet");
    expect(session.events.get(10019)?.kind).toBe(10019);
    expect(session.events.get("30078:one")?.content).toBe("1");
    expect(session.events.get("30078:two")?.content).toBe("2");
    expect(session.events.get(10030)).toBeInstanceOf(TaggedEvent);
    expect(session.subscriptions).toHaveLength(1);
  });
});

describe("the follow list first", () => {
  it("a login's follows reach the app before its other lists are checked", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const alice = NDKPrivateKeySigner.generate();
    // Written first (a relay answers newest first): only its filter of its own puts it first.
    await publish(ndk, alice, { kind: 3, tags: randomPubkeys(300).map((p) => ["p", p]) });
    await publish(ndk, alice, { kind: 10000, tags: [["word", "spam"]] });
    await publish(ndk, alice, { kind: 10002, tags: [["r", "wss://a.example.com/"]] });
    await publish(ndk, alice, { kind: 0, content: JSON.stringify({ name: "alice" }) });
    const { manager, ready } = managerFor(ndk, { fetches: { follows: true, mutes: true, relayList: true } });
    cleanups.push(() => manager.destroy());
    // What the app saw when the follows first showed up.
    let seenWithFollows: { muted: boolean; relays: boolean; profile: boolean } | undefined;
    cleanups.push(
      manager.subscribe(() => {
        const session = manager.getSession(alice.pubkey);
        if (seenWithFollows || !session?.followSet?.size) return;
        seenWithFollows = { muted: !!session.mutedWords?.size, relays: !!session.relayList?.size, profile: !!session.profile };
      }),
    );
    await manager.login(alice);
    await ready(alice.pubkey);
    expect(manager.getSession(alice.pubkey)!.followSet!.size).toBe(300);
    expect(seenWithFollows).toEqual({ muted: false, relays: false, profile: false });
  });
});

describe("the 0.6.3 option shapes", () => {
  it("follows: NDKKind[], events and eventConstructors add kinds, wrapped by their `from`", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const alice = NDKPrivateKeySigner.generate();
    await publish(ndk, alice, { kind: 3, tags: [["p", alice.pubkey]] });
    await publish(ndk, alice, { kind: 10030, content: "emoji" });
    await publish(ndk, alice, { kind: 10015, content: "interests" });
    await publish(ndk, alice, { kind: 30078, tags: [["d", "app"]], content: "settings" });
    class Interests extends NDKEvent {}
    const { manager, ready } = managerFor(ndk, {
      fetches: {
        follows: [30078],
        events: new Map([[10015, { from: (e: NDKEvent) => new Interests(e.ndk, e.rawEvent()) }]]),
        eventConstructors: [TaggedEvent],
      },
    });
    cleanups.push(() => manager.destroy());
    const pubkey = await manager.login(alice);
    await ready(pubkey);
    const session = manager.getSession(pubkey)!;
    expect(session.followSet?.size).toBe(1);
    expect(session.events.get("30078:app")?.content).toBe("settings");
    expect(session.events.get(10015)).toBeInstanceOf(Interests);
    expect(session.events.get(10030)).toBeInstanceOf(TaggedEvent);
    expect(session.muteSet).toBeUndefined(); // not asked for
  });
});

describe("live updates", () => {
  it("applies newer kind 3 and mute lists, and rebuilds ndk.muteFilter without a switch", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const alice = NDKPrivateKeySigner.generate();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    const [first, second, spammer] = randomPubkeys(3);
    await publish(ndk, alice, { kind: 3, tags: [["p", first!]], created_at: t0 });
    const { manager, ready } = managerFor(ndk);
    cleanups.push(() => manager.destroy());
    const pubkey = await manager.login(alice);
    await ready(pubkey);
    expect(ndk.muteFilter).toBeUndefined();

    await publish(ndk, alice, { kind: 3, tags: [["p", first!], ["p", second!]], created_at: t0 + 1 });
    await eventually(() => manager.getSession(pubkey)?.followSet?.size === 2, 3000, "live kind 3");
    expect(manager.getSession(pubkey)!.followSet!.has(second!)).toBe(true);

    await publish(ndk, alice, { kind: 10000, tags: [["p", spammer!]], created_at: t0 + 2 });
    await eventually(() => manager.getSession(pubkey)?.muteSet?.has(spammer!) === true, 3000, "live mute list");
    const fromSpammer = new NDKEvent(ndk, { kind: 1, pubkey: spammer!, content: "buy", tags: [], created_at: t0 });
    expect(ndk.muteFilter?.(fromSpammer)).toBe(true);
    expect(ndk.muteFilter?.(new NDKEvent(ndk, { kind: 1, pubkey: first!, content: "hi", tags: [], created_at: t0 }))).toBe(false);
  });
});

describe("NIP-01 replaceable rule across relays", () => {
  async function publishTo(url: string, signer: NDKSigner, template: Parameters<typeof publish>[2]) {
    const ndk = await ndkOn(url);
    return publish(ndk, signer, template);
  }

  it("keeps the newer list when another relay serves an older one, and ignores an older live update", async () => {
    const other = await withRelay();
    cleanups.push(() => other.close());
    const alice = NDKPrivateKeySigner.generate();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    const [older, newer, stale] = randomPubkeys(3);
    await publishTo(fixture.relay.url, alice, { kind: 3, tags: [["p", newer!]], created_at: t0 + 10 });
    await publishTo(other.url, alice, { kind: 3, tags: [["p", older!]], created_at: t0 });
    const ndk = await ndkOn(fixture.relay.url, other.url);
    const { manager, ready } = managerFor(ndk);
    cleanups.push(() => manager.destroy());
    const pubkey = await manager.login(alice);
    await ready(pubkey);
    expect([...manager.getSession(pubkey)!.followSet!]).toEqual([newer]);

    // Newer than what `other` holds, older than what the session holds: `other` stores and broadcasts it.
    await publishTo(other.url, alice, { kind: 3, tags: [["p", stale!]], created_at: t0 + 5 });
    const probe = randomPubkeys(1)[0]!;
    await publishTo(fixture.relay.url, alice, { kind: 10000, tags: [["p", probe]], created_at: t0 + 11 });
    await eventually(() => manager.getSession(pubkey)?.muteSet?.has(probe) === true, 3000, "a later live event");
    expect([...manager.getSession(pubkey)!.followSet!]).toEqual([newer]);
  });

  it("on equal created_at keeps the event with the lowest id", async () => {
    const other = await withRelay();
    cleanups.push(() => other.close());
    const alice = NDKPrivateKeySigner.generate();
    const at = Math.floor(Date.now() / 1000) - 50;
    const [x, y] = randomPubkeys(2);
    const a = await publishTo(fixture.relay.url, alice, { kind: 3, tags: [["p", x!]], created_at: at });
    const b = await publishTo(other.url, alice, { kind: 3, tags: [["p", y!]], created_at: at });
    const expected = a.id < b.id ? x : y;
    const ndk = await ndkOn(fixture.relay.url, other.url);
    const { manager, ready } = managerFor(ndk);
    cleanups.push(() => manager.destroy());
    const pubkey = await manager.login(alice);
    await ready(pubkey);
    expect([...manager.getSession(pubkey)!.followSet!]).toEqual([expected]);
  });
});
