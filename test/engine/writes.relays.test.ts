/**
 * Issue 13, safe list writes, when relays are the problem: down, silent, refusing, or holding a
 * newer version another client published while our write was under way. Real relay, real NDK,
 * real keys; every wait bounded, and "nothing happened" checked on the relay's own frames.
 */
import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner, NDKRelayStatus } from "@nostr-dev-kit/ndk";
import { hexToBytes } from "@noble/hashes/utils.js";
import { finalizeEvent, type NostrEvent } from "nostr-tools/pure";
import { managerFor } from "../support/engine";
import { useRelay } from "../support/fixture";
import { rejectionOf } from "../support/bounded";
import { olderThanStored, REFUSAL, startRefusingRelay } from "../support/refusingRelay";
import { eventsSince, listReadsSince, publishRaw, readBack } from "../support/writes";
import { eventually, publish } from "../support/env";
import { RelayLink } from "../model/relayLink";

const fixture = useRelay();
const stranger = () => NDKPrivateKeySigner.generate().pubkey;
const FETCH_MS = 500;

/** A session of a fresh user on `ndk`, ready to sign (reads its follows and mutes). */
async function sessionOn(ndk: Parameters<typeof managerFor>[0], signer = NDKPrivateKeySigner.generate()) {
  const engine = managerFor(ndk, { timeouts: { fetchMs: FETCH_MS, signerMs: 2000, publishMs: 1000 }, fetches: { follows: true, mutes: true } });
  fixture.defer(() => engine.manager.destroy());
  const pubkey = await engine.manager.login(signer);
  await Promise.all([engine.ready(pubkey), engine.signer(pubkey)]);
  return { ...engine, pubkey, signer };
}

describe("no relay answered: nothing is built, nothing is published", () => {
  it("an unfollow while the relay does not answer fails with write-no-relay; the relay saw the read and no EVENT", async () => {
    const link = await RelayLink.open(fixture.relay.url);
    fixture.defer(() => link.close());
    const ndk = await fixture.ndkOn(link.url);
    const me = NDKPrivateKeySigner.generate();
    const friend = stranger();
    await publish(fixture.ndk, me, { kind: 3, tags: [["p", friend]] });
    const { manager, pubkey } = await sessionOn(ndk, me);
    link.hold("all"); // the relay's answers (EOSE, OK) stop on the way back
    const mark = fixture.relay.frames.length;
    const error = await rejectionOf(manager.unfollow(friend), FETCH_MS + 2000, "unfollow");
    expect(error).toMatchObject({ name: "ListWriteError", code: "write-no-relay", message: expect.stringContaining(`${FETCH_MS} ms`) });
    expect(listReadsSince(fixture.relay, mark, pubkey, 3)).toBe(1);
    expect(eventsSince(fixture.relay, mark)).toBe(0);
    expect([...manager.getSession(pubkey)!.followSet!]).toEqual([friend]);
    link.release();
  });

  it("a follow of a user with no contact list creates one only once the relay answered; with it down, none", async () => {
    const link = await RelayLink.open(fixture.relay.url);
    fixture.defer(() => link.close());
    const ndk = await fixture.ndkOn(link.url);
    const { manager, pubkey } = await sessionOn(ndk);
    expect(manager.getSession(pubkey)!.followSet).toBeUndefined();

    await link.close(); // the only relay is down: connections cut, new ones refused
    const mark = fixture.relay.frames.length;
    const error = await rejectionOf(manager.follow(stranger()), FETCH_MS + 2000, "follow while down");
    expect(error).toMatchObject({ name: "ListWriteError", code: "write-no-relay" });
    expect(eventsSince(fixture.relay, mark)).toBe(0);
    expect(await readBack(fixture.ndk, pubkey, 3)).toBeNull();
    expect(manager.getSession(pubkey)!.followSet).toBeUndefined();

    await link.up();
    for (const relay of ndk.pool.relays.values()) relay.connect().catch(() => {});
    await eventually(() => [...ndk.pool.relays.values()].every((relay) => relay.status >= NDKRelayStatus.CONNECTED), 3000, "the relay connected again");
    const friend = stranger();
    const from = fixture.relay.frames.length;
    await expect(manager.follow(friend)).resolves.toMatchObject({ changed: true });
    const frames = fixture.relay.frames.slice(from);
    const read = frames.findIndex((f) => f.type === "REQ" && f.filters?.[0]?.kinds?.join() === "3" && f.filters[0].authors?.join() === pubkey);
    expect(read).toBeGreaterThanOrEqual(0);
    expect(frames.findIndex((f) => f.type === "EVENT")).toBeGreaterThan(read);
    expect((await readBack(fixture.ndk, pubkey, 3))!.tags).toEqual([["p", friend]]);
  });
});

describe("callers that stop waiting", () => {
  it("a logout while a write waits for the relay rejects it with write-cancelled; its read is closed, nothing published", async () => {
    const link = await RelayLink.open(fixture.relay.url);
    fixture.defer(() => link.close());
    const ndk = await fixture.ndkOn(link.url);
    const { manager, pubkey } = await sessionOn(ndk);
    link.hold("all");
    const mark = fixture.relay.frames.length;
    const asked = manager.follow(stranger());
    await fixture.relay.waitForReq((f) => f.kinds?.join() === "3" && f.authors?.join() === pubkey && f.limit === undefined, 2000);
    const read = fixture.relay.frames.slice(mark).find((f) => f.type === "REQ" && f.filters?.[0]?.kinds?.join() === "3")!.subscriptionId;
    manager.logout(pubkey);
    await expect(rejectionOf(asked, 2000, "follow during logout")).resolves.toMatchObject({ name: "ListWriteError", code: "write-cancelled" });
    link.release(); // NDK closes a REQ at its EOSE, which the relay now sends
    await eventually(() => fixture.relay.frames.some((f) => f.type === "CLOSE" && f.subscriptionId === read), 2000, "the read's CLOSE");
    expect(eventsSince(fixture.relay, mark)).toBe(0);
  });

  it("an aborted signal ends the caller's wait (write-aborted); the write itself goes on and lands", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const { manager, pubkey } = await sessionOn(ndk);
    const controller = new AbortController();
    const friend = stranger();
    const asked = manager.follow(friend, { signal: controller.signal });
    controller.abort();
    await expect(rejectionOf(asked, 1000, "aborted follow")).resolves.toMatchObject({ name: "ListWriteError", code: "write-aborted" });
    await eventually(() => manager.getSession(pubkey)?.lastWrite?.outcome.ok === true, 3000, "the write settled");
    expect((await readBack(fixture.ndk, pubkey, 3))!.tags).toEqual([["p", friend]]);
    await expect(manager.follow(friend, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "write-aborted" });
  });
});

describe("relays that refuse, and other clients", () => {
  it("every relay refusing the new list rolls the session's copy back and rejects with the relays' reason", async () => {
    const me = NDKPrivateKeySigner.generate();
    const friend = stranger();
    const base = signed(me, { kind: 3, tags: [["p", friend]], content: "", created_at: Math.floor(Date.now() / 1000) - 10 });
    const relay = await startRefusingRelay([base]);
    fixture.defer(() => relay.close());
    const ndk = await fixture.ndkOn(relay.url);
    const { manager, pubkey } = await sessionOn(ndk, me);
    expect([...manager.getSession(pubkey)!.followSet!]).toEqual([friend]);
    const newcomer = stranger();
    const shown: boolean[] = [];
    fixture.defer(manager.select((s) => s.sessions.get(pubkey)?.followSet?.has(newcomer) ?? false).subscribe((v) => shown.push(v)));

    const error = await rejectionOf(manager.follow(newcomer), 5000, "follow on a refusing relay");
    expect(error).toMatchObject({ name: "ListWriteError", code: "write-refused", message: expect.stringContaining(REFUSAL) });
    expect(shown).toEqual([true, false]); // stored at once, then rolled back
    expect(relay.refused).toHaveLength(1);
    const session = manager.getSession(pubkey)!;
    expect([...session.followSet!]).toEqual([friend]);
    expect(session.lastWrite).toMatchObject({ kind: 3, outcome: { ok: false, failure: { code: "write-refused" } } });
    expect(session.writing).toBe(false);
  });

  it("another client's newer list published while our follow is under way: both follows end up in the list", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const other = await fixture.ndkOn(fixture.relay.url);
    const me = new PausingSigner(NDKPrivateKeySigner.generate().privateKey);
    const [old, theirs, ours] = [stranger(), stranger(), stranger()];
    const now = Math.floor(Date.now() / 1000);
    await publishRaw(fixture.ndk, signed(me, { kind: 3, tags: [["p", old]], content: "", created_at: now - 10 }));
    const { manager, pubkey } = await sessionOn(ndk, me);
    // Our write has read the base and is about to sign: the other client publishes its own edit of that base, newer than ours will be.
    me.beforeSign = () => publishRaw(other, signed(me, { kind: 3, tags: [["p", old], ["p", theirs]], content: "", created_at: now + 2 }));
    const mark = fixture.relay.frames.length;
    const result = await manager.follow(ours);
    expect(result).toEqual({ changed: true, relays: [`${fixture.relay.url}/`] });
    const final = (await readBack(fixture.ndk, pubkey, 3))!;
    expect(final.tags).toEqual([["p", old], ["p", theirs], ["p", ours]]);
    expect(final.created_at).toBeGreaterThan(now + 2);
    expect(eventsSince(fixture.relay, mark)).toBe(3); // theirs, ours on the old base (older: the relay kept theirs), ours rebased
    expect([...manager.getSession(pubkey)!.followSet!].sort()).toEqual([old, theirs, ours].sort());
  });

  it("a relay that refuses our older version (another client's won) gets the follow again on top of theirs", async () => {
    const me = new PausingSigner(NDKPrivateKeySigner.generate().privateKey);
    const [old, theirs, ours] = [stranger(), stranger(), stranger()];
    const now = Math.floor(Date.now() / 1000);
    const relay = await startRefusingRelay([signed(me, { kind: 3, tags: [["p", old]], content: "", created_at: now - 10 })], olderThanStored);
    fixture.defer(() => relay.close());
    const { manager, pubkey } = await sessionOn(await fixture.ndkOn(relay.url), me);
    me.beforeSign = async () => relay.add(signed(me, { kind: 3, tags: [["p", old], ["p", theirs]], content: "", created_at: now + 2 }));
    await expect(manager.follow(ours)).resolves.toMatchObject({ changed: true });
    expect(relay.refused).toHaveLength(1); // ours on the old base: refused as older
    const reader = await fixture.ndkOn(relay.url);
    expect((await readBack(reader, pubkey, 3))!.tags).toEqual([["p", old], ["p", theirs], ["p", ours]]);
    expect([...manager.getSession(pubkey)!.followSet!].sort()).toEqual([old, theirs, ours].sort());
  });

  it("other clients win every attempt: the follow gives up after 3 with write-contended, and the session shows their newest list", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const other = await fixture.ndkOn(fixture.relay.url);
    const me = new RivalledSigner(NDKPrivateKeySigner.generate().privateKey);
    const [old, ours] = [stranger(), stranger()];
    await publishRaw(fixture.ndk, signed(me, { kind: 3, tags: [["p", old]], content: "", created_at: Math.floor(Date.now() / 1000) - 10 }));
    const { manager, pubkey } = await sessionOn(ndk, me);
    // Before each version of ours is signed, the other client publishes its own, a second newer.
    const rivals: NostrEvent[] = [];
    me.beforeSign = async (event) => {
      const rival = signed(me, { kind: 3, tags: [["p", old], ["p", stranger()]], content: "", created_at: event.created_at + 1 });
      rivals.push(rival);
      await publishRaw(other, rival);
    };
    const mark = fixture.relay.frames.length;
    const error = await rejectionOf(manager.follow(ours), 8000, "follow against rivals");
    expect(error).toMatchObject({ name: "ListWriteError", code: "write-contended", message: expect.stringContaining("3 times") });
    expect(rivals).toHaveLength(3);
    expect(eventsSince(fixture.relay, mark)).toBe(6); // theirs and ours, three times
    expect((await readBack(fixture.ndk, pubkey, 3))!.id).toBe(rivals[2]!.id);
    await eventually(() => manager.getSession(pubkey)!.followSet?.has(ours) === false, 3000, "their newest list shown");
    expect(manager.getSession(pubkey)).toMatchObject({ writing: false, pendingWrites: 0, lastWrite: { kind: 3, outcome: { ok: false, failure: { code: "write-contended" } } } });
  });

  it("two edits of one list in one tick are published as one event", async () => {
    const ndk = await fixture.ndkOn(fixture.relay.url);
    const { manager, pubkey } = await sessionOn(ndk);
    const [a, b] = [stranger(), stranger()];
    const mark = fixture.relay.frames.length;
    const [first, second] = await Promise.all([manager.follow(a), manager.follow(b)]);
    expect(first).toEqual(second);
    expect(eventsSince(fixture.relay, mark)).toBe(1);
    expect((await readBack(fixture.ndk, pubkey, 3))!.tags).toEqual([["p", a], ["p", b]]);
  });
});

/** A private-key signer that runs `beforeSign` once before its next signature. */
class PausingSigner extends NDKPrivateKeySigner {
  beforeSign: (() => Promise<void>) | undefined;
  override async sign(event: NostrEvent): Promise<string> {
    const hook = this.beforeSign;
    this.beforeSign = undefined;
    if (hook) await hook();
    return super.sign(event);
  }
}

/** A private-key signer that runs `beforeSign` before each kind-3 signature. */
class RivalledSigner extends NDKPrivateKeySigner {
  beforeSign: ((event: NostrEvent) => Promise<void>) | undefined;
  override async sign(event: NostrEvent): Promise<string> {
    if (event.kind === 3) await this.beforeSign?.(event);
    return super.sign(event);
  }
}

type Template = { kind: number; tags: string[][]; content: string; created_at: number };

/** Signed with the key itself (not through the session's gate). */
const signed = (signer: NDKPrivateKeySigner, template: Template): NostrEvent => finalizeEvent(template, hexToBytes(signer.privateKey));
