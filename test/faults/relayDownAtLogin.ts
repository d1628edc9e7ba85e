// Row 1: the only relay is down when the app starts and the user logs in. Logins succeed at once
// (signing needs no relay), the lists retry on their backoff, and are there once the relay is up.
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { ms, type Scenario } from "./harness";

const FETCH_MS = 1000;
const RETRY = { baseMs: 500, maxMs: 2000 };

export const scenario: Scenario = {
  title: "relay down at login",
  timeoutMs: 25_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const proxy = await ctx.proxy(relay.url);
    const publisher = await ctx.ndk([relay.url]);
    const keys = [ctx.key(), ctx.key(), ctx.key()];
    const muted = NDKPrivateKeySigner.generate().pubkey;
    const follows = new Map<string, string>();
    for (const key of keys) {
      const follow = NDKPrivateKeySigner.generate().pubkey;
      follows.set(key.pubkey, follow);
      await publish(publisher, key, { kind: 3, tags: [["p", follow]] });
      await publish(publisher, key, { kind: 10000, tags: [["p", muted]] });
    }

    await proxy.cut(); // refused from now on: the app starts with its relay down
    const ndk = await ctx.ndk([proxy.url]);
    const { manager } = ctx.manager(ndk, { timeouts: { fetchMs: FETCH_MS, signerMs: 2000 }, retry: RETRY });
    const [a, b, watcher] = keys as [NDKPrivateKeySigner, NDKPrivateKeySigner, NDKPrivateKeySigner];
    const trails = keys.map((key) => ctx.trail(manager, key.pubkey));
    const signers = keys.map((key) => ctx.trail(manager, key.pubkey, "signer"));
    const loginStarted = performance.now();
    await manager.login(a);
    await manager.login(b, { setActive: false });
    await manager.login(ndk.getUser({ pubkey: watcher.pubkey }), { setActive: false });
    const loginMs = performance.now() - loginStarted;
    ctx.check(manager.getSessions().size === 3, "every login made a session while the relay was down");

    // Each session's fetch fails on its own (its retries are not in step with the others').
    await ctx.until(() => trails.every((t) => t.seen.some((s) => s.startsWith("error"))), 4 * FETCH_MS, "every session's lists retrying");
    const codes = new Set(trails.flatMap((t) => t.seen.filter((s) => s.startsWith("error")).map((s) => s.slice(6, -1))));
    ctx.check(codes.size === 1 && codes.has("offline"), `lists failure is typed "offline" (got ${[...codes]})`);
    await ctx.until(() => manager.getSession(a.pubkey)?.signerState === "ready", 2000, "a's signer ready without a relay");
    ctx.check(manager.getSession(watcher.pubkey)?.signerState === "readOnly", "the read-only login is readOnly");

    const upAt = performance.now();
    await proxy.restore();
    const has = (pubkey: string) => {
      const s = manager.getSession(pubkey);
      return s?.status === "ready" && s.followSet?.has(follows.get(pubkey)!) === true && s.muteSet?.has(muted) === true;
    };
    const readyAt = await ctx.until(() => keys.every((key) => has(key.pubkey)), RETRY.maxMs + 3 * FETCH_MS, "every session ready with its lists after the relay is up");
    const lost = keys.filter((key) => !has(key.pubkey)).length;
    ctx.check(signers[0]!.seen.every((s) => !s.startsWith("retrying") && !s.startsWith("needsLogin")), "the signer region never failed");
    return {
      sees: `login() resolves in ${ms(loginMs)}; status ${trails[0]!.text()}; signerState ${signers[0]!.text()} (read-only: readOnly)`,
      listsLost: lost,
      recoveryMs: readyAt - upAt,
      notes: [`3 sessions (2 keys, 1 read-only) on one relay, refused until restored; fetchMs ${FETCH_MS}, retry ${RETRY.baseMs}→${RETRY.maxMs} ms; recovery from the relay accepting again to all 3 ready with their follows and mutes`],
    };
  },
};
