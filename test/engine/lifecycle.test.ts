import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { connectedNdk, disconnect, eventually, publish, withRelay } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";

const fixture = useRelay();
const ndkOn = (...urls: string[]) => fixture.ndkOn(...urls);
const cleanups = { push: fixture.defer };

const liveFiltersSince = (r: LoopbackRelay, index: number) =>
  r.frames.slice(index).filter((f) => f.type === "REQ" && f.filters?.some((filter) => filter.limit === 0));

/** An NDK whose only relay is down (its port known, so a relay can come back on it). */
async function ndkOnDeadRelay() {
  const down = await withRelay();
  const port = Number(new URL(down.url).port);
  await down.close();
  const ndk = await connectedNdk([`ws://127.0.0.1:${port}`]);
  cleanups.push(() => disconnect(ndk));
  return { ndk, port };
}

describe("logout", () => {
  it("re-issues the shared subscription without the session, sends CLOSE, and stops its updates", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
    const { manager, ready } = managerFor(ndk);
    cleanups.push(() => manager.destroy());
    await manager.login(alice!);
    await manager.login(bob!);
    await ready(alice!.pubkey);
    await ready(bob!.pubkey);
    await eventually(() => fixture.relay.openSubscriptions() === 1, 2000, "one live subscription");
    const before = fixture.relay.frames.length;

    manager.logout(alice!.pubkey);
    await eventually(() => fixture.relay.frames.slice(before).some((f) => f.type === "CLOSE"), 2000, "CLOSE");
    const [reissued] = liveFiltersSince(fixture.relay, before);
    expect(reissued?.filters?.flatMap((f) => f.authors)).toEqual([bob!.pubkey]);
    await eventually(() => fixture.relay.openSubscriptions() === 1, 2000, "still one live subscription");
    expect(manager.getSession(alice!.pubkey)).toBeUndefined();

    manager.logout(bob!.pubkey);
    await eventually(() => fixture.relay.openSubscriptions() === 0, 2000, "no subscription left");
  });
});

describe("relay economy", () => {
  it("25 sessions on a relay that allows 20 subscriptions per connection all receive live updates", async () => {
    const strict = await withRelay({ maxSubscriptionsPerClient: 20 });
    cleanups.push(() => strict.close());
    const ndk = await ndkOn(strict.url);
    const signers = Array.from({ length: 25 }, () => NDKPrivateKeySigner.generate());
    const t0 = Math.floor(Date.now() / 1000) - 100;
    await Promise.all(signers.map((s) => publish(ndk, s, { kind: 3, tags: [["p", s.pubkey]], created_at: t0 })));
    const { manager, ready } = managerFor(ndk);
    cleanups.push(() => manager.destroy());
    await Promise.all(signers.map((s) => manager.login(s, { setActive: false })));
    for (const s of signers) await ready(s.pubkey, 5000);
    for (const s of signers) expect(manager.getSession(s.pubkey)!.followSet!.size).toBe(1);
    await eventually(() => strict.openSubscriptions() === 1, 2000, "one live subscription");

    const fresh = signers.map(() => NDKPrivateKeySigner.generate().pubkey);
    await Promise.all(signers.map((s, i) => publish(ndk, s, { kind: 3, tags: [["p", fresh[i]!]], created_at: t0 + 1 })));
    await eventually(
      () => signers.every((s, i) => manager.getSession(s.pubkey)!.followSet!.has(fresh[i]!)),
      5000,
      "live updates for all 25",
    );
    expect(strict.openSubscriptions()).toBe(1);
  });

  it("a burst of logins larger than the relay's answer limit loses no list", async () => {
    // 120 sessions × 3 lists = 360 events asked for in one REQ, from a relay that answers a
    // filter without `limit` with at most 50 of them.
    const stingy = await withRelay({ defaultLimit: 50 });
    cleanups.push(() => stingy.close());
    const ndk = await ndkOn(stingy.url);
    const signers = Array.from({ length: 120 }, () => NDKPrivateKeySigner.generate());
    await Promise.all(
      signers.flatMap((s) => [
        publish(ndk, s, { kind: 3, tags: [["p", s.pubkey]] }),
        publish(ndk, s, { kind: 10000, tags: [["t", "spam"]] }),
        publish(ndk, s, { kind: 10002, tags: [["r", "wss://relay.example.com/"]] }),
      ]),
    );
    const { manager } = managerFor(ndk, { fetches: { follows: true, mutes: true, relayList: true } });
    cleanups.push(() => manager.destroy());
    await Promise.all(signers.map((s) => manager.login(s, { setActive: false })));
    const loaded = () =>
      signers.filter((s) => {
        const session = manager.getSession(s.pubkey);
        return session?.followSet?.size === 1 && session.mutedHashtags?.has("spam") && session.relayList?.size === 1;
      }).length;
    await eventually(() => signers.every((s) => manager.getSession(s.pubkey)?.status === "ready"), 10_000, "all 120 fetched");
    expect(loaded()).toBe(120);
  });
});

describe("bad input", () => {
  it("login rejects what is not a signer or a user with a typed error and creates nothing", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const { manager } = managerFor(ndk);
    cleanups.push(() => manager.destroy());
    for (const garbage of [null, undefined, 42, "nsec1garbage", {}, { pubkey: "npub1xyz" }, { user: 1, sign: 2 }]) {
      await expect(manager.login(garbage as never)).rejects.toMatchObject({ name: "SignerError" });
    }
    expect(manager.getSessions().size).toBe(0);
  });

  it("a signer that throws or never answers gives a SignerError within the bounded wait", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const { manager } = managerFor(ndk, { timeouts: { signerMs: 100, fetchMs: 1000 } });
    cleanups.push(() => manager.destroy());
    const throwing = Object.assign(NDKPrivateKeySigner.generate(), { user: async (): Promise<NDKUser> => Promise.reject(new Error("boom")) });
    const hanging = Object.assign(NDKPrivateKeySigner.generate(), { user: () => new Promise<NDKUser>(() => {}) });
    await expect(manager.login(throwing)).rejects.toMatchObject({ name: "SignerError", code: "signer-failed" });
    const started = Date.now();
    await expect(manager.login(hanging)).rejects.toMatchObject({ name: "SignerError", code: "signer-timeout" });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(manager.getSessions().size).toBe(0);
  });

  it("unknown pubkeys and empty managers give the peer's typed errors", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const { manager } = managerFor(ndk);
    cleanups.push(() => manager.destroy());
    const stranger = NDKPrivateKeySigner.generate().pubkey;
    await expect(manager.switchTo(stranger)).rejects.toMatchObject({ name: "SessionNotFoundError", pubkey: stranger });
    expect(() => manager.logout()).toThrow(expect.objectContaining({ name: "NoActiveSessionError" }));
    expect(() => manager.startSession(stranger, { follows: true })).toThrow(expect.objectContaining({ name: "SessionNotFoundError" }));
    await expect(manager.persist()).rejects.toMatchObject({ name: "StorageError" });
    manager.destroy();
    await expect(manager.login(NDKPrivateKeySigner.generate())).rejects.toMatchObject({ code: "destroyed" });
    await expect(manager.switchTo(null)).rejects.toMatchObject({ code: "destroyed" });
  });

  it("with the relay down a session lands in error (offline), retries on its own, and recovers when the relay is back", async () => {
    const { ndk, port } = await ndkOnDeadRelay();
    const { manager, status } = managerFor(ndk, { timeouts: { fetchMs: 150, signerMs: 500 }, retry: { baseMs: 100, maxMs: 400 } });
    cleanups.push(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await eventually(() => status(alice.pubkey) === "error", 3000, "error state");
    const failure = manager.getSession(alice.pubkey)!.failure!;
    expect(failure.code).toBe("offline");
    expect(failure.message).not.toContain(alice.privateKey);

    const back = await withRelay({ port });
    cleanups.push(() => back.close());
    await eventually(() => status(alice.pubkey) === "ready", 15_000, "recovery");
    expect(manager.getSession(alice.pubkey)!.failure).toBeUndefined();
  });

  it("retry() tries a failed session at once, without its backoff; refresh() fetches a ready one's lists again", async () => {
    const { ndk, port } = await ndkOnDeadRelay();
    // A backoff far longer than the test: only retry() can bring the session back in time.
    const { manager, status } = managerFor(ndk, { timeouts: { fetchMs: 150, signerMs: 500 }, retry: { baseMs: 60_000, maxMs: 60_000 } });
    cleanups.push(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await eventually(() => status(alice.pubkey) === "error", 3000, "error state");
    const back = await withRelay({ port });
    cleanups.push(() => back.close());
    manager.retry(alice.pubkey);
    await eventually(() => status(alice.pubkey) === "ready", 5000, "ready after retry()");

    const fetches = () => back.frames.filter((f) => f.type === "REQ" && f.filters?.some((filter) => filter.limit !== 0 && filter.authors?.includes(alice.pubkey))).length;
    const before = fetches();
    const statuses: Array<string | undefined> = [];
    manager.select((state) => state.sessions.get(alice.pubkey)?.status).subscribe((value) => statuses.push(value));
    manager.refresh(alice.pubkey);
    await eventually(() => status(alice.pubkey) === "ready" && statuses.length >= 2, 3000, "refetched");
    expect(statuses).toEqual(["fetching", "ready"]);
    expect(fetches()).toBeGreaterThan(before);

    const stranger = NDKPrivateKeySigner.generate().pubkey;
    expect(() => manager.retry(stranger)).toThrow(expect.objectContaining({ name: "SessionNotFoundError" }));
    expect(() => manager.refresh(stranger)).toThrow(expect.objectContaining({ name: "SessionNotFoundError" }));
  });

  it("one session's signer failure leaves its own lists and the other sessions ready", async () => {
    const ndk = await ndkOn(fixture.relay.url);
    const { manager, ready, signer } = managerFor(ndk, { timeouts: { fetchMs: 1000, signerMs: 100 } });
    cleanups.push(() => manager.destroy());
    const good = NDKPrivateKeySigner.generate();
    const flaky = NDKPrivateKeySigner.generate();
    await manager.login(good);
    await manager.login(flaky);
    // The signer answers at login, then stops answering: the session's own authentication fails.
    Object.assign(flaky, { user: () => new Promise<NDKUser>(() => {}) });
    manager.actor.send({ type: "account.login", pubkey: flaky.pubkey, signer: { type: "private-key" }, setActive: false, at: 0 });
    await signer(flaky.pubkey, "retrying", 2000);
    expect(manager.getSession(flaky.pubkey)!.signerFailure!.code).toBe("signer-timeout");
    expect(manager.getSession(flaky.pubkey)!.canSign).toBe(false);
    await ready(flaky.pubkey);
    await ready(good.pubkey);
    await signer(good.pubkey);
  });
});
