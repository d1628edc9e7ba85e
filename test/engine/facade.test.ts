import { describe, expect, it, vi } from "vitest";
import { NDKEvent, NDKPrivateKeySigner, nip19 } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage, PackedPubkeys, type SessionStore } from "../../src";

const fixture = useRelay();
const cleanups = { push: fixture.defer };

describe("the drop-in surface", () => {
  it("subscribe() hands callbacks the peer's store shape, batched per microtask", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    const seen: SessionStore[] = [];
    const unsubscribe = manager.subscribe((state) => seen.push(state));
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await ready(alice.pubkey);
    const last = seen.at(-1)!;
    expect(last.ndk).toBe(fixture.ndk);
    expect(last.activePubkey).toBe(alice.pubkey);
    expect(last.sessions.get(alice.pubkey)?.status).toBe("ready");
    // The app gets its own signer object back (gated in place), as the peer's state holds it.
    expect(last.signers.get(alice.pubkey)).toBe(alice);
    expect(fixture.ndk.signer).toBe(alice);
    expect(typeof last.switchToUser).toBe("function");
    expect(seen.length).toBeLessThan(10); // one notification per burst, not per transition
    unsubscribe();
    const count = seen.length;
    await manager.switchTo(null);
    await Promise.resolve();
    expect(seen.length).toBe(count);
  });

  it("the persisted manager snapshot is plain JSON, restorable by string keys, with no secret in it", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", NDKPrivateKeySigner.generate().pubkey]] });
    await manager.login(alice);
    await ready(alice.pubkey);
    type Persisted = { children: Record<string, { src: unknown; snapshot: Persisted }>; context?: { lists?: Record<string, { data: unknown }> } };
    const snapshot = manager.actor.getPersistedSnapshot() as unknown as Persisted;
    const json = JSON.stringify(snapshot);
    // A follow list is held as its bytes and written as its stored text; everything else is plain JSON as held.
    const followsOf = (node: Persisted) => node.children[`session:${alice.pubkey}`]!.snapshot.context!.lists!["3"]!;
    const held = followsOf(snapshot).data as PackedPubkeys;
    expect(held).toBeInstanceOf(PackedPubkeys);
    const plain = JSON.parse(json) as Persisted;
    expect(followsOf(plain).data).toEqual(held.toJSON());
    expect(PackedPubkeys.fromStored(followsOf(plain).data)!.bytes).toEqual(held.bytes);
    followsOf(plain).data = held;
    expect(plain).toEqual(snapshot);
    expect(snapshot.children[`session:${alice.pubkey}`]?.src).toBe("session");
    // Every actor down the tree is referenced by its setup() key: an inline one would persist as {}.
    const sources = (node: Persisted): unknown[] =>
      Object.values(node.children ?? {}).flatMap((child) => [child.src, ...sources(child.snapshot)]);
    expect(sources(snapshot).sort()).toEqual(["session", "watchLists", "watchSigners"]);
    for (const secret of [alice.privateKey, alice.nsec, nip19.nsecEncode(Buffer.from(alice.privateKey, "hex"))]) {
      expect(json).not.toContain(secret);
    }
  });

  it("createAccount signs kinds 0, 10002 and 3, publishes them and logs the new key in", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    const friend = NDKPrivateKeySigner.generate().pubkey;
    const { signer, events } = await manager.createAccount({
      profile: { name: "new" },
      relays: ["wss://r.example.com"],
      follows: [friend],
    });
    expect(events.map((e) => e.kind)).toEqual([0, 10002, 3]);
    expect(events.every((e) => e.pubkey === signer.pubkey && e.sig)).toBe(true);
    expect(manager.activePubkey).toBe(signer.pubkey);
    await ready(signer.pubkey);
    const session = manager.getSession(signer.pubkey)!;
    expect(session.profile?.name).toBe("new");
    expect([...session.followSet!]).toEqual([friend]);
    expect([...session.relayList!.keys()]).toEqual(["wss://r.example.com"]);

    const unpublished = await manager.createAccount({ profile: { name: "quiet" } }, { publish: false, signer: NDKPrivateKeySigner.generate() });
    expect(manager.getSession(unpublished.signer.pubkey)).toBeUndefined();
    const found = await fixture.ndk.fetchEvents({ kinds: [0], authors: [unpublished.signer.pubkey] });
    expect(found.size).toBe(0);
  });

  it("addMonitor follows new kinds for the active session (as the peer does); wallet preference toggles kinds 17375/10019", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    await publish(fixture.ndk, alice!, { kind: 30023, tags: [["d", "post"]], content: "a" });
    await publish(fixture.ndk, bob!, { kind: 30023, tags: [["d", "post"]], content: "b" });
    await publish(fixture.ndk, bob!, { kind: 17375, content: "bob-wallet" });
    await manager.login(alice!);
    await manager.login(bob!);
    await ready(alice!.pubkey);
    await ready(bob!.pubkey);
    class Article extends NDKEvent {
      static kinds = [30023];
      static from(event: NDKEvent) {
        return new Article(event.ndk, event.rawEvent());
      }
    }
    await manager.switchTo(alice!.pubkey);
    manager.addMonitor([Article]);
    await eventually(() => manager.getSession(alice!.pubkey)?.events.has("30023:post") === true, 3000, "monitored kind");
    expect(manager.getSession(alice!.pubkey)!.events.get("30023:post")).toBeInstanceOf(Article);
    manager.refresh(bob!.pubkey); // bob's fetch runs on his own kinds: the monitor was alice's
    await eventually(() => manager.getSession(bob!.pubkey)?.status === "fetching", 2000, "bob fetching");
    await ready(bob!.pubkey);
    expect(manager.getSession(bob!.pubkey)!.events.has("30023:post")).toBe(false);
    await manager.switchTo(null);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    manager.addMonitor([Article]);
    expect(warn).toHaveBeenCalledWith("No active session to add monitor to");
    warn.mockRestore();

    expect(manager.isWalletEnabled(bob!.pubkey)).toBe(false);
    expect(manager.getSession(bob!.pubkey)!.events.has(17375)).toBe(false);
    manager.enableWallet(bob!.pubkey);
    await eventually(() => manager.getSession(bob!.pubkey)?.events.get(17375)?.content === "bob-wallet", 3000, "wallet");
    expect(manager.isWalletEnabled(bob!.pubkey)).toBe(true);
    manager.disableWallet(bob!.pubkey);
    expect(manager.isWalletEnabled(bob!.pubkey)).toBe(false);
  });

  it("stopSession goes idle and drops the session from the live subscription; startSession brings it back", async () => {
    const { manager, ready, status } = managerFor(fixture.ndk);
    cleanups.push(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await ready(alice.pubkey);
    manager.stopSession(alice.pubkey);
    expect(status(alice.pubkey)).toBe("idle");
    await eventually(() => manager.getSession(alice.pubkey)!.subscriptions.length === 0, 2000, "out of the hub");
    const t = Math.floor(Date.now() / 1000);
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", alice.pubkey]], created_at: t });
    await new Promise((r) => setTimeout(r, 50));
    expect(manager.getSession(alice.pubkey)!.followSet).toBeUndefined();
    manager.startSession(alice.pubkey, { follows: true });
    await ready(alice.pubkey);
    expect(manager.getSession(alice.pubkey)!.followSet!.size).toBe(1);
  });

  it("persist() and restore() with MemoryStorage bring accounts and the active one back, without private keys", async () => {
    const storage = new MemoryStorage();
    const first = managerFor(fixture.ndk, { storage, autoSave: false });
    const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    await first.manager.login(alice!);
    await first.manager.login(bob!);
    await first.manager.switchTo(alice!.pubkey);
    await first.manager.persist();
    first.manager.destroy();
    const saved = await storage.getItem("state");
    expect(saved).toContain(alice!.pubkey);
    expect(saved).not.toContain(alice!.privateKey);

    const second = managerFor(fixture.ndk, { storage });
    cleanups.push(() => second.manager.destroy());
    await second.manager.restore();
    expect([...second.manager.getSessions().keys()].sort()).toEqual([alice!.pubkey, bob!.pubkey].sort());
    expect(second.manager.activePubkey).toBe(alice!.pubkey);
    expect(fixture.ndk.activeUser?.pubkey).toBe(alice!.pubkey);
    // No key was stored: the sessions say so, by name, instead of turning read-only in silence; they still read.
    expect(second.manager.isReadOnly(alice!.pubkey)).toBe(true);
    await second.signer(alice!.pubkey, "needsLogin");
    expect(second.manager.getSession(alice!.pubkey)!.signerFailure!.code).toBe("signer-unavailable");
    await second.ready(alice!.pubkey);
    await second.manager.login(alice!); // the user logs in again
    await second.signer(alice!.pubkey);
    expect(second.manager.isReadOnly(alice!.pubkey)).toBe(false);
  });

  it("with unsafePersistPrivateKeys a private-key session restores with its signer", async () => {
    const storage = new MemoryStorage();
    const bob = NDKPrivateKeySigner.generate();
    const first = managerFor(fixture.ndk, { storage, unsafePersistPrivateKeys: true, autoSave: false });
    await first.manager.login(bob);
    await first.manager.persist();
    first.manager.destroy();
    const second = managerFor(fixture.ndk, { storage });
    cleanups.push(() => second.manager.destroy());
    await second.manager.restore();
    await second.ready(bob.pubkey);
    expect(second.manager.isReadOnly(bob.pubkey)).toBe(false);
  });
});

describe("select()", () => {
  it("notifies only when the selected slice changes: another session's lists do not count", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    const t = Math.floor(Date.now() / 1000) - 100;
    await publish(fixture.ndk, alice!, { kind: 3, tags: [["p", bob!.pubkey]], created_at: t });
    await manager.login(alice!);
    await manager.login(bob!, { setActive: false });
    await ready(alice!.pubkey);
    await ready(bob!.pubkey);
    const aliceFollows = manager.select((state) => state.sessions.get(alice!.pubkey)?.followSet?.size);
    const active = manager.select((state) => state.activePubkey);
    const seen: Array<number | undefined> = [];
    const actives: Array<string | undefined> = [];
    const stop = aliceFollows.subscribe((size) => seen.push(size));
    active.subscribe((pk) => actives.push(pk));
    expect(aliceFollows.get()).toBe(1);

    await publish(fixture.ndk, bob!, { kind: 3, tags: [["p", alice!.pubkey]], created_at: t + 1 }); // bob's lists change
    await eventually(() => manager.getSession(bob!.pubkey)?.followSet?.size === 1, 3000, "bob's update");
    await manager.switchTo(bob!.pubkey);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
    expect(actives).toEqual([bob!.pubkey]);

    await publish(fixture.ndk, alice!, { kind: 3, tags: [["p", bob!.pubkey], ["p", alice!.pubkey]], created_at: t + 2 });
    await eventually(() => seen.length === 1, 3000, "alice's update");
    expect(seen).toEqual([2]);
    stop();
  });
});
