/**
 * Issue 13, safe list writes, against a real relay with real keys: what a write keeps, what NDK
 * follows, who may write at all. (Relays that are down, refuse, or race with another client:
 * writes.relays.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { parseMutes } from "../../src/lists/parse";
import { startBunker } from "../support/bunker";
import { managerFor } from "../support/engine";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { testAccount, type TestAccount } from "../support/listCrypto";
import { eventsSince, listReadsSince, publishRaw, readBack, until } from "../support/writes";

const fixture = useRelay();
const stranger = () => NDKPrivateKeySigner.generate().pubkey;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A mute list with a bit of everything, private items encrypted to its owner. */
function richMuteList(me: TestAccount) {
  const privateItems = [["p", stranger()], ["word", "spoiler"], ["t", "politics"], ["e", "d".repeat(64)]];
  const tags = [["p", stranger(), "wss://hint.example"], ["e", "f".repeat(64)], ["word", "gm"], ["t", "crypto"], ["client", "some-app"]];
  return { privateItems, event: me.sign(10000, tags, me.seal(privateItems), nowSeconds() - 60) };
}

/** What a session reads of a mute list: its public tags plus its private items, decrypted with the real key. */
const readMutes = (me: TestAccount, event: { tags: string[][]; content: string }) =>
  parseMutes([...event.tags, ...(event.content ? (me.open(event.content) as string[][]) : [])]);

describe("a mute keeps what the list holds", () => {
  it("ours: words, hashtags, events and private items all survive, read back from the relay; NDK Svelte's way loses them", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const reader = await fixture.ndkOn(fixture.relay.url);
    const [ours, theirs] = [testAccount(), testAccount()];
    const mineBefore = richMuteList(ours);
    const theirsBefore = richMuteList(theirs);
    await publishRaw(ndk, mineBefore.event);
    await publishRaw(ndk, theirsBefore.event);
    const newcomer = stranger();

    const { manager, ready, signer } = managerFor(ndk, { fetches: { mutes: true } });
    fixture.defer(() => manager.destroy());
    const pubkey = await manager.login(ours.signer);
    await Promise.all([ready(pubkey), signer(pubkey)]);
    expect(await manager.mute({ pubkey: newcomer })).toEqual({ changed: true, relays: [`${fixture.relay.url}/`] });

    const after = (await readBack(reader, pubkey, 10000))!;
    expect(after.tags).toEqual([...mineBefore.event.tags, ["p", newcomer]]);
    expect(after.content).toBe(mineBefore.event.content); // a public mute leaves the encrypted items byte for byte
    expect(ours.open(after.content)).toEqual(mineBefore.privateItems);
    const before = readMutes(ours, mineBefore.event);
    const now = readMutes(ours, after);
    expect(now.pubkeys.sort()).toEqual([...before.pubkeys, newcomer].sort());
    expect([now.words, now.hashtags, now.eventIds.sort()]).toEqual([before.words, before.hashtags, before.eventIds.sort()]);
    expect(manager.getSession(pubkey)!.mutedWords).toEqual(new Set(["gm", "spoiler"]));

    // NDK Svelte's MutesProxy.mute(): kind 10000 rebuilt from the set of muted pubkeys alone.
    const muted = new Set(theirsBefore.event.tags.filter((t) => t[0] === "p").map((t) => t[1]!));
    muted.add(newcomer);
    const lossy = new NDKEvent(ndk, { kind: 10000, content: "", tags: [...muted].map((p) => ["p", p]), created_at: nowSeconds() });
    await lossy.sign(theirs.signer);
    await lossy.publish();
    const lost = (await readBack(reader, theirs.pubkey, 10000))!;
    expect(lost.content).toBe("");
    expect(readMutes(theirs, lost)).toEqual({ pubkeys: [...muted], eventIds: [], words: [], hashtags: [] });
  });

  it("a private mute joins the encrypted items (NIP-44 to oneself); the public tags do not name it", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const me = testAccount();
    const { event, privateItems } = richMuteList(me);
    await publishRaw(ndk, event);
    const { manager, ready, signer } = managerFor(ndk, { fetches: { mutes: true } });
    fixture.defer(() => manager.destroy());
    const pubkey = await manager.login(me.signer);
    await Promise.all([ready(pubkey), signer(pubkey)]);
    const secret = stranger();
    await manager.mute({ pubkey: secret }, { private: true });
    const after = (await readBack(ndk, pubkey, 10000))!;
    expect(after.tags).toEqual(event.tags);
    expect(me.open(after.content)).toEqual([...privateItems, ["p", secret]]);
    expect(manager.getSession(pubkey)!.muteSet!.get(secret)).toBe("p");
    await manager.unmute({ pubkey: secret });
    expect(me.open((await readBack(ndk, pubkey, 10000))!.content)).toEqual(privateItems);
  });

  it("private items that do not decrypt stop a private edit (PrivateItemsError); a public one keeps them byte for byte", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const me = testAccount();
    const someoneElse = testAccount(); // items sealed to another key: this user cannot read them
    const unreadable = me.sign(10000, [["word", "gm"]], someoneElse.seal([["p", stranger()]]), nowSeconds() - 60);
    await publishRaw(ndk, unreadable);
    const { manager, ready, signer } = managerFor(ndk, { fetches: { mutes: true } });
    fixture.defer(() => manager.destroy());
    const pubkey = await manager.login(me.signer);
    await Promise.all([ready(pubkey), signer(pubkey)]);
    const mark = fixture.relay.frames.length;
    await expect(manager.mute({ word: "secret" }, { private: true })).rejects.toMatchObject({ name: "PrivateItemsError", code: "private-items-unreadable" });
    expect(eventsSince(fixture.relay, mark)).toBe(0);
    await manager.mute({ word: "public" });
    const after = (await readBack(ndk, pubkey, 10000))!;
    expect(after.content).toBe(unreadable.content);
    expect(after.tags).toEqual([["word", "gm"], ["word", "public"]]);
  });
});

describe("NDK follows a write at once", () => {
  it("ndk.muteFilter of the active session mutes the author as soon as the session shows the mute, before relays answer", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const me = NDKPrivateKeySigner.generate();
    const { manager, ready, signer } = managerFor(ndk, { fetches: { mutes: true } });
    fixture.defer(() => manager.destroy());
    const pubkey = await manager.login(me);
    await Promise.all([ready(pubkey), signer(pubkey)]);
    const noisy = stranger();
    const note = new NDKEvent(ndk, { kind: 1, pubkey: noisy, content: "hi", tags: [] });
    expect(ndk.muteFilter?.(note) ?? false).toBe(false);
    let seen: { muted: boolean; settled: boolean } | undefined;
    let settled = false;
    const unsubscribe = manager.select((s) => s.sessions.get(pubkey)?.muteSet?.has(noisy) ?? false).subscribe((shown) => {
      if (shown && !seen) seen = { muted: ndk.muteFilter?.(note) ?? false, settled };
    });
    fixture.defer(unsubscribe);
    await manager.mute({ pubkey: noisy }).then(() => (settled = true));
    expect(seen).toEqual({ muted: true, settled: false });
    expect(ndk.muteFilter!(note)).toBe(true);
  });

  it("our own list, delivered back by the live subscription, causes no second update", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const [me, other] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
    const { manager, ready, signer } = managerFor(ndk, { fetches: { follows: true } });
    fixture.defer(() => manager.destroy());
    const pubkey = await manager.login(me);
    await manager.login(other, { setActive: false });
    await Promise.all([ready(pubkey), signer(pubkey), ready(other.pubkey)]);
    await manager.follow(stranger());
    const view = manager.getSession(pubkey)!;
    let updates = 0;
    const unsubscribe = manager.select((s) => s.sessions.get(pubkey)?.followSet).subscribe(() => updates++);
    fixture.defer(unsubscribe);
    // The relay sends in order: once a later event on the same subscription has arrived, ours has too.
    const marker = stranger();
    await publish(fixture.ndk, other, { kind: 3, tags: [["p", marker]] });
    await eventually(() => manager.getSession(other.pubkey)?.followSet?.has(marker) === true, 3000, "the later event to arrive");
    expect(updates).toBe(0);
    expect(manager.getSession(pubkey)!.followSet).toBe(view.followSet);
  });
});

describe("who may write", () => {
  it("a read-only session and a locked one refuse before anything is built or sent", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const { manager, ready, signer } = managerFor(ndk, { secrets: { logn: 8 } });
    fixture.defer(() => manager.destroy());
    const reader = await manager.login(ndk.getUser({ pubkey: stranger() }), { setActive: false });
    const locked = await manager.login(NDKPrivateKeySigner.generate(), { passphrase: "pass" });
    await Promise.all([ready(reader), ready(locked), signer(locked)]);
    await until(() => manager.lock(locked), "the NIP-49 copy sealed");
    await signer(locked, "locked");

    const mark = fixture.relay.frames.length;
    await expect(manager.follow(stranger(), { pubkey: reader })).rejects.toMatchObject({ name: "ListWriteError", code: "write-cannot-sign" });
    await expect(manager.mute({ word: "x" })).rejects.toMatchObject({ name: "ListWriteError", code: "write-cannot-sign", message: expect.stringContaining("locked") });
    expect(eventsSince(fixture.relay, mark)).toBe(0);
    expect(listReadsSince(fixture.relay, mark, reader, 3) + listReadsSince(fixture.relay, mark, locked, 10000)).toBe(0);
    expect(manager.getSession(locked)!.writing).toBe(false);
    // A bad input is refused as early, whoever writes.
    await expect(manager.follow("npub1notahexkey", { pubkey: locked })).rejects.toMatchObject({ name: "ListEditError", code: "list-edit-invalid" });
  });

  it("a NIP-46 session follows through its remote signer (NDK's own backend)", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const bunker = await startBunker(fixture.relay.url, fixture.relay);
    fixture.defer(() => bunker.close());
    const { manager, ready, signer } = managerFor(ndk);
    fixture.defer(() => manager.destroy());
    const pubkey = await manager.login(bunker.bunkerUri());
    expect(pubkey).toBe(bunker.userPubkey);
    await Promise.all([ready(pubkey), signer(pubkey)]);
    const friend = stranger();
    const result = await manager.follow(friend, { petname: "friend" });
    expect(result.changed).toBe(true);
    const list = (await readBack(ndk, pubkey, 3))!;
    expect(list.tags).toEqual([["p", friend, "", "friend"]]);
    expect(bunker.requests.some((r) => r.method === "sign_event")).toBe(true);
    expect([...manager.getSession(pubkey)!.followSet!]).toEqual([friend]);
    expect(manager.getSession(pubkey)!.lastWrite).toMatchObject({ kind: 3, outcome: { ok: true, changed: true } });
  });
});
