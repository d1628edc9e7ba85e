// Relays that drop and come back (issue 14, items 1 and 2): the live subscription is back on the
// relay, what was published meanwhile is fetched in one REQ, no signer is asked, repeated
// comebacks cost bounded work, and a same-second rival with a lower id wins at the next refresh.
import { createHook } from "node:async_hooks";
import { expect, it, vi } from "vitest";
import { NDKNip46Signer, NDKRelayStatus, type NDKRelay } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { connectedNdk, disconnect, eventually, NDKEvent, NDKPrivateKeySigner, publish, withRelay } from "../support/env";
import { disconnectAll } from "../support/bunker";
import { useBunkerRig } from "../support/bunkerRig";
import { managerFor } from "../support/engine";
import { startRelayProxy, type RelayProxy } from "../support/relayProxy";
import { MemoryStorage } from "../../src";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import * as verify from "../../src/lists/verify";

vi.mock("../../src/lists/verify", async (original) => {
  const actual = await original<typeof import("../../src/lists/verify")>();
  return { ...actual, isAuthentic: vi.fn(actual.isAuthentic) };
});

const rig = useBunkerRig(); // a NIP-46 bunker's relay, never cut; each test's lists relay is its own
const pubkeys = (n: number) => Array.from({ length: n }, () => NDKPrivateKeySigner.generate().pubkey);
const now = () => Math.floor(Date.now() / 1000);

/** A lists relay, a proxy to cut in front of it, an NDK behind the proxy and one that publishes directly. */
async function outageRig() {
  const relay = await withRelay();
  rig.defer(() => relay.close());
  const proxy = await startRelayProxy(relay.url);
  rig.defer(() => proxy.close());
  const publisher = await connectedNdk([relay.url]);
  rig.defer(() => disconnectAll(publisher));
  const ndk = await connectedNdk([proxy.url]);
  rig.defer(() => disconnectAll(ndk));
  const poolRelay = [...ndk.pool.relays.values()][0]!;
  return { relay, proxy, publisher, ndk, poolRelay };
}

/**
 * Resolves at the relay's next `event` (bounded), with when it came. On the relay itself: the
 * pool's `relay:ready` and `relay:connect` can stop for good (see src/effects/relayResync.ts).
 */
function next(relay: NDKRelay, event: "ready" | "disconnect", timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      relay.off(event, done);
      resolve(performance.now());
    };
    const timer = setTimeout(() => {
      relay.off(event, done);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    relay.on(event, done);
  });
}

/** Drops every socket and refuses new ones until the returned `back()`; resolves once NDK saw the drop. */
async function cut(relay: NDKRelay, proxy: RelayProxy) {
  const dropped = next(relay, "disconnect", 3000);
  await proxy.cut();
  await dropped;
  return {
    /** Accepts again; resolves at the engine NDK's reconnect (performance.now()). */
    back: async (timeoutMs = 6000) => {
      const ready = next(relay, "ready", timeoutMs);
      await proxy.restore();
      return ready;
    },
  };
}

/** REQ frames the relay received after `since` (performance.now()) that ask for any of `authors`. */
const reqsFor = (relay: LoopbackRelay, authors: string[], since: number) =>
  relay.frames.filter((f) => f.type === "REQ" && f.at > since && f.filters?.some((x) => x.authors?.some((a) => authors.includes(a))));

it("a relay cut off mid-session: every session has what was published meanwhile within a second of the reconnect, in one REQ, and is live again; no signer is asked", async () => {
  const { relay, proxy, publisher, ndk, poolRelay } = await outageRig();
  const userKey = NDKPrivateKeySigner.generate();
  const b = await rig.bunker({ userKey });
  const keys = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate(), userKey];
  const watcher = NDKPrivateKeySigner.generate(); // logged in read-only
  const signers = [...keys, watcher];
  const [before, during, after, muted] = pubkeys(4);
  const t0 = now() - 100;
  for (const key of signers) await publish(publisher, key, { kind: 3, tags: [["p", before!]], created_at: t0 });

  const { manager, ready, signer } = managerFor(ndk, { timeouts: { fetchMs: 2000, signerMs: 3000 } });
  rig.defer(() => manager.destroy());
  await manager.login(keys[0]!);
  await manager.login(keys[1]!);
  await manager.login(NDKNip46Signer.bunker(ndk, b.bunkerUri(false)));
  await manager.login(ndk.getUser({ pubkey: watcher.pubkey }));
  for (const key of signers) await ready(key.pubkey);
  for (const key of keys) await signer(key.pubkey);
  const asked = b.requests.length;
  const signerStates: string[] = [];
  for (const key of signers) manager.select((state) => state.sessions.get(key.pubkey)?.signerState).subscribe((state) => signerStates.push(`${key.pubkey.slice(0, 8)} ${state}`));
  const authors = signers.map((key) => key.pubkey);

  const outage = await cut(poolRelay, proxy);
  const cutAt = now();
  for (const key of signers) {
    await publish(publisher, key, { kind: 3, tags: [["p", before!], ["p", during!]] });
    await publish(publisher, key, { kind: 10000, tags: [["p", muted!]] });
  }
  const backAt = await outage.back();
  const has = (pubkey: string, follow: string) => manager.getSession(pubkey)?.followSet?.has(follow) === true;
  await eventually(() => signers.every((key) => has(key.pubkey, during!) && manager.getSession(key.pubkey)?.muteSet?.has(muted!)), 1000, "every session caught up");
  const caughtUpMs = performance.now() - backAt;

  // On the relay's side: one REQ for all of them, asking from before the cut (minus the margin).
  const catchUps = reqsFor(relay, authors, backAt - 1);
  expect(catchUps).toHaveLength(1);
  const since = catchUps[0]!.filters!.map((f) => f.since);
  expect(since.every((s) => s !== undefined && s <= cutAt - 60)).toBe(true);
  expect(new Set(catchUps[0]!.filters!.flatMap((f) => f.authors))).toEqual(new Set(authors));

  // Live again: a list published now arrives on that REQ, and no other is sent.
  // A second after the outage's list: one of the same second could lose the NIP-01 tie to it.
  await publish(publisher, keys[2]!, { kind: 3, tags: [["p", after!]], created_at: Math.floor(Date.now() / 1000) + 1 });
  await eventually(() => has(userKey.pubkey, after!), 2000, "a live update after the reconnect");
  expect(reqsFor(relay, authors, backAt - 1)).toHaveLength(1);

  expect(signerStates).toEqual([]); // no signer region moved: no new login, no re-authentication
  expect(b.requests.length).toBe(asked); // the bunker was asked nothing
  expect(manager.getSessions().size).toBe(4);
  for (const key of signers) expect(manager.getSession(key.pubkey)!.status).toBe("ready");
  console.info(`reconnect → every list caught up: ${caughtUpMs.toFixed(0)} ms`);
});

it("an outage longer than NDK's one retry: the hub reconnects the relay itself, on a bounded backoff, and catches up", async () => {
  const { proxy, publisher, ndk, poolRelay } = await outageRig();
  const alice = NDKPrivateKeySigner.generate();
  const [during] = pubkeys(1);
  await publish(publisher, alice, { kind: 3, tags: [], created_at: now() - 100 });
  const { manager, ready } = managerFor(ndk);
  rig.defer(() => manager.destroy());
  await manager.login(alice);
  await ready(alice.pubkey);

  const outage = await cut(poolRelay, proxy);
  await publish(publisher, alice, { kind: 3, tags: [["p", during!]] });
  // NDK tries once, a second after the drop, and then never again (NDK 3.0.3): wait for that try to fail.
  await next(poolRelay, "disconnect", 3000);
  expect(poolRelay.status).toBe(NDKRelayStatus.DISCONNECTED);
  expect(poolRelay.connectionStats.nextReconnectAt!).toBeLessThanOrEqual(Date.now()); // NDK plans nothing more
  const restoredAt = performance.now();
  const backAt = await outage.back(8000);
  expect(backAt - restoredAt).toBeLessThan(3000); // the hub's next try (1 s, then 2 s, … ≤ 30 s; +20 % jitter)
  await eventually(() => manager.getSession(alice.pubkey)?.followSet?.has(during!) === true, 1000, "caught up after the reconnect");
  expect(performance.now() - backAt).toBeLessThan(1000);
});

it("ten comebacks in a row cost a few coalesced REQs, and nothing published meanwhile is missed", async () => {
  const { relay, proxy, publisher, ndk, poolRelay } = await outageRig();
  const alice = NDKPrivateKeySigner.generate();
  const [during, after] = pubkeys(2);
  await publish(publisher, alice, { kind: 3, tags: [], created_at: now() - 100 });
  const { manager, ready } = managerFor(ndk);
  rig.defer(() => manager.destroy());
  await manager.login(alice);
  await ready(alice.pubkey);

  const start = performance.now();
  for (let i = 0; i < 10; i++) {
    const dropped = next(poolRelay, "disconnect", 3000);
    await proxy.cut({ refuse: false });
    await dropped;
    if (i === 5) await publish(publisher, alice, { kind: 3, tags: [["p", during!]] });
    // A flapping network: the socket is back at once (as after an `online` event).
    const back = next(poolRelay, "ready", 3000);
    poolRelay.connectivity.resetReconnectionState();
    if (poolRelay.status === NDKRelayStatus.DISCONNECTED) void poolRelay.connect();
    await back;
  }
  // Published between two comebacks: a coalesced catch-up brings it.
  await eventually(() => manager.getSession(alice.pubkey)?.followSet?.has(during!) === true, 5000, "the list published while flapping");
  await publish(publisher, alice, { kind: 3, tags: [["p", during!], ["p", after!]] });
  await eventually(() => manager.getSession(alice.pubkey)?.followSet?.has(after!) === true, 3000, "live after flapping");
  const catchUps = reqsFor(relay, [alice.pubkey], start);
  // The first goes at once (it may die with the next drop), the rest are coalesced a second later.
  expect(catchUps.length).toBeGreaterThanOrEqual(1);
  expect(catchUps.length).toBeLessThanOrEqual(3);
  console.info(`10 comebacks in ${(performance.now() - start).toFixed(0)} ms → ${catchUps.length} catch-up REQs`);
});

it("a stored list a catch-up brings again is skipped unverified", async () => {
  const { proxy, publisher, ndk, poolRelay } = await outageRig();
  const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
  const [x, muted] = pubkeys(2);
  const stored = await publish(publisher, alice, { kind: 3, tags: [["p", x!]], created_at: now() - 5 });
  const storage = new MemoryStorage();
  const one = managerFor(publisher, { storage });
  await one.manager.login(alice);
  await one.ready(alice.pubkey);
  await one.manager.destroy();

  const two = managerFor(ndk, { storage });
  rig.defer(() => two.manager.destroy());
  await two.manager.restore(); // refreshes from the stored second on: the stored event comes back and is skipped
  await two.ready(alice.pubkey);
  await two.manager.login(bob); // the hub's REQ is renewed: NDK's own dedup of the first one is gone
  await two.ready(bob.pubkey);
  const checked = vi.mocked(verify.isAuthentic);
  checked.mockClear();
  const outage = await cut(poolRelay, proxy);
  await publish(publisher, alice, { kind: 10000, tags: [["p", muted!]] });
  await outage.back();
  await eventually(() => two.manager.getSession(alice.pubkey)?.muteSet?.has(muted!) === true, 1000, "caught up");
  const verifiedIds = checked.mock.calls.map(([event]) => (event as NostrEvent).id);
  expect(verifiedIds).not.toContain(stored.id); // sent again by the catch-up (since ≤ its created_at), not verified again
  expect(verifiedIds.length).toBe(1); // the new mute list alone
});

it.each([
  ["stored a minute ago", 50],
  ["stored three days ago", 3 * 86_400],
])("a same-second rival with a lower id replaces the stored list (%s) at the next refresh; the stored one is not verified again", async (_, age) => {
  const relay = await withRelay();
  rig.defer(() => relay.close());
  const holdsStored = await withRelay(); // a relay that still serves the stored event
  rig.defer(() => holdsStored.close());
  const alice = NDKPrivateKeySigner.generate();
  const [x, y] = pubkeys(2);
  const at = now() - age;
  // Two relays: disconnect() without waiting (NDK reconnects a pool whose relays all drop at once).
  const first = await connectedNdk([relay.url, holdsStored.url]);
  rig.defer(() => disconnect(first));
  const stored = await publish(first, alice, { kind: 3, tags: [["p", x!]], created_at: at });
  const storage = new MemoryStorage();
  const one = managerFor(first, { storage });
  await one.manager.login(alice);
  await one.ready(alice.pubkey);
  await one.manager.destroy(); // saves

  // The rival: same second, lower id (NIP-01 keeps it); the relay replaces the stored one with it.
  let rival: NDKEvent;
  let n = 0;
  do rival = new NDKEvent(first, { kind: 3, content: "", tags: [["p", y!], ["n", String(n++)]], created_at: at });
  while ((await rival.sign(alice), rival.id >= stored.id));
  const direct = await connectedNdk([relay.url]);
  rig.defer(() => disconnectAll(direct));
  await new NDKEvent(direct, rival.rawEvent()).publish();

  const second = await connectedNdk([relay.url, holdsStored.url]);
  rig.defer(() => disconnect(second));
  const two = managerFor(second, { storage });
  rig.defer(() => two.manager.destroy());
  const checked = vi.mocked(verify.isAuthentic);
  checked.mockClear();
  await two.manager.restore();
  expect([...two.manager.getSession(alice.pubkey)!.followSet!]).toEqual([x]);
  await eventually(() => two.manager.getSession(alice.pubkey)?.followSet?.has(y!) === true, 3000, "the rival");
  await two.ready(alice.pubkey);
  expect([...two.manager.getSession(alice.pubkey)!.followSet!]).toEqual([y]);
  // Both relays answered the refresh (from the stored second on): the stored event came back and was skipped unverified.
  const verifiedIds = checked.mock.calls.map(([event]) => (event as NostrEvent).id);
  expect(verifiedIds).toContain(rival.id);
  expect(verifiedIds).not.toContain(stored.id);
  const asked = [...relay.frames, ...holdsStored.frames].filter((f) => f.type === "REQ" && f.filters?.some((g) => g.authors?.includes(alice.pubkey) && g.kinds?.includes(3) && g.since === at));
  expect(asked.length).toBeGreaterThanOrEqual(2);
});

it("stop() leaves no timer of the resync behind, with a reconnect and a catch-up pending", async () => {
  const { proxy, publisher, ndk, poolRelay } = await outageRig();
  const alice = NDKPrivateKeySigner.generate();
  await publish(publisher, alice, { kind: 3, tags: [], created_at: now() - 100 });
  const events = ["connect", "disconnect", "delayed-connect", "flapping"] as const;
  const listeners = () => [...events.map((event) => poolRelay.listenerCount(event)), ndk.pool.listenerCount("relay:connecting")];
  const baseline = listeners();
  const alive = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (type === "Timeout" && new Error().stack?.includes("relayResync")) alive.set(id, type);
    },
    destroy(id) {
      alive.delete(id);
    },
  });
  hook.enable();
  try {
    const { manager, ready } = managerFor(ndk);
    await manager.login(alice);
    await ready(alice.pubkey);
    // Two comebacks (the second's catch-up waits a second), then a drop: a catch-up and a reconnect are pending.
    await (await cut(poolRelay, proxy)).back();
    await (await cut(poolRelay, proxy)).back();
    await cut(poolRelay, proxy);
    expect(alive.size).toBeGreaterThan(0); // both, unless the machine stalled a second
    await manager.destroy();
    await eventually(() => alive.size === 0, 1000, "every resync timer cleared");
    expect(listeners()).toEqual(baseline);
  } finally {
    hook.disable();
  }
});
