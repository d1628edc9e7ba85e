import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage, type SessionState } from "../../src";
import { getGc } from "../bench/measure";

const fixture = useRelay();

describe("the read model (an @xstate/store atom fed by inspection)", () => {
  it("is current the moment a transition ends, whoever sent the event", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    await manager.login(alice!);
    await manager.login(bob!, { setActive: false });
    await ready(bob!.pubkey);
    // An event sent straight to the actor, not through the facade: only inspection can tell the store.
    manager.actor.send({ type: "account.switch", pubkey: bob!.pubkey, at: 1 });
    expect(manager.store.get().activePubkey).toBe(bob!.pubkey);
    manager.actor.send({ type: "session.stop", pubkey: alice!.pubkey });
    expect(manager.store.get().sessions.get(alice!.pubkey)?.status).toBe("idle");
  });

  it("keeps the identity of what did not change: a switch hands out the same maps and views", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    await manager.login(alice!);
    await manager.login(bob!, { setActive: false });
    await ready(alice!.pubkey);
    await ready(bob!.pubkey);
    const before = manager.store.get();
    await manager.switchTo(bob!.pubkey);
    const after = manager.store.get();
    expect(after).not.toBe(before);
    expect(after.activePubkey).toBe(bob!.pubkey);
    expect(after.sessions).toBe(before.sessions);
    expect(after.signers).toBe(before.signers);
    expect(after.sessions.get(alice!.pubkey)).toBe(before.sessions.get(alice!.pubkey));

    // A change to one session replaces its view and the map, and leaves the other view alone.
    manager.stopSession(alice!.pubkey);
    const stopped = manager.store.get();
    expect(stopped.sessions).not.toBe(after.sessions);
    expect(stopped.sessions.get(alice!.pubkey)).not.toBe(after.sessions.get(alice!.pubkey));
    expect(stopped.sessions.get(bob!.pubkey)).toBe(after.sessions.get(bob!.pubkey));
  });

  it("notifies store subscribers per change, and nothing when an event changes nothing", async () => {
    const { manager, ready } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await ready(alice.pubkey);
    const seen: SessionState[] = [];
    const subscription = manager.store.subscribe((state) => seen.push(state));
    await manager.switchTo(alice.pubkey); // already active
    expect(seen).toHaveLength(0);
    await manager.switchTo(null);
    expect(seen.map((state) => state.activePubkey)).toEqual([undefined]);
    subscription.unsubscribe();
    await manager.switchTo(alice.pubkey);
    expect(seen).toHaveLength(1);
  });

  it("restore() keeps the manager actor: the read model follows the sessions it brings back", async () => {
    const storage = new MemoryStorage();
    const alice = NDKPrivateKeySigner.generate();
    const first = managerFor(fixture.ndk, { storage, unsafePersistPrivateKeys: true });
    await first.manager.login(alice);
    await first.ready(alice.pubkey);
    await first.manager.destroy();

    const { manager, ready } = managerFor(fixture.ndk, { storage, unsafePersistPrivateKeys: true });
    fixture.defer(() => manager.destroy());
    const actor = manager.actor;
    const states: unknown[] = [];
    actor.subscribe((snapshot) => states.push(snapshot.value));
    await manager.restore();
    expect(manager.actor).toBe(actor);
    expect(states).toEqual(["loading", "restoring", "active"]);
    expect(manager.store.get().activePubkey).toBe(alice.pubkey);
    await ready(alice.pubkey);
    const active = manager.select((state) => state.sessions.get(alice.pubkey)?.status);
    const statuses: Array<string | undefined> = [];
    active.subscribe((status) => statuses.push(status));
    manager.stopSession(alice.pubkey);
    expect(statuses).toEqual(["idle"]);
  });

  it("a selection read but never watched, or watched and let go, keeps nothing alive", async () => {
    const { gc } = getGc();
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const refs: Array<WeakRef<object>> = [];
    // Each selector holds a large object: if the store kept the selection, the object would stay.
    const makeSelection = () => {
      const held = { payload: new Array(10_000).fill(1) };
      refs.push(new WeakRef(held));
      return manager.select((state) => held.payload.length + (state.activePubkey ? 1 : 0));
    };
    // In a function of its own: a suspended async test would keep its locals (and temporaries) alive.
    const use = () => {
      expect(makeSelection().get()).toBe(10_000);
      makeSelection().subscribe(() => {})();
    };
    use();
    // deref() keeps its target alive to the end of the job, so each collection runs in a later one.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    for (let round = 0; round < 10; round++) {
      await tick();
      gc();
      await tick();
      if (refs.every((ref) => !ref.deref())) break;
    }
    expect(refs.map((ref) => ref.deref())).toEqual([undefined, undefined]);
  });
});
