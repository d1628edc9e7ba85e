// Row 10: a relay that answers, but only after the fetch timeout (everything it sends is held back
// longer than timeouts.fetchMs). The lists retry with a typed relay-timeout and are ready once the
// relay answers in time again.
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { startSlowProxy } from "./slowProxy";
import { ms, type Scenario } from "./harness";

const FETCH_MS = 600;
const SLOW_MS = 3 * FETCH_MS;
const RETRY = { baseMs: 300, maxMs: 1200 };

export const scenario: Scenario = {
  title: "a slow relay that answers after the fetch timeout",
  timeoutMs: 25_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const publisher = await ctx.ndk([relay.url]);
    const keys = [ctx.key(), ctx.key(), ctx.key()];
    const follows = new Map(keys.map((key) => [key.pubkey, NDKPrivateKeySigner.generate().pubkey]));
    const muted = NDKPrivateKeySigner.generate().pubkey;
    for (const key of keys) {
      await publish(publisher, key, { kind: 3, tags: [["p", follows.get(key.pubkey)!]] });
      await publish(publisher, key, { kind: 10000, tags: [["p", muted]] });
    }
    const slow = await startSlowProxy(relay.url, 0);
    ctx.defer(() => slow.close());
    const ndk = await ctx.ndk([slow.url]); // connected while the relay is quick
    const { manager } = ctx.manager(ndk, { timeouts: { fetchMs: FETCH_MS, signerMs: 2000 }, retry: RETRY });

    slow.delayMs = SLOW_MS;
    const trails = keys.map((key) => ctx.trail(manager, key.pubkey));
    for (const [i, key] of keys.entries()) await manager.login(key, { setActive: i === 0 });
    // Each session's fetch fails on its own (its retries are not in step with the others').
    const failed = (i: number) => trails[i]!.seen.filter((s) => s.startsWith("error"));
    let message: string | undefined; // as shown while the session is in error
    const seeMessage = () => (message ??= keys.map((k) => manager.getSession(k.pubkey)?.failure?.message).find(Boolean));
    await ctx.until(() => (seeMessage(), keys.every((_, i) => failed(i).length > 0)), 3 * SLOW_MS + 1000, "every session's lists retrying");
    const codes = [...new Set(keys.flatMap((_, i) => failed(i)))];
    ctx.check(codes.length === 1 && codes[0] === "error(relay-timeout)", `the failure is typed relay-timeout (got ${codes})`);
    // Still slow for a second retry: it fails the same way.
    await ctx.until(() => trails[0]!.seen.filter((s) => s.startsWith("error")).length >= 2, RETRY.maxMs + 2 * SLOW_MS, "a second timed-out attempt");

    const fastAt = performance.now();
    slow.delayMs = 0;
    const complete = (pubkey: string) => {
      const s = manager.getSession(pubkey);
      return s?.status === "ready" && s.followSet?.has(follows.get(pubkey)!) === true && s.muteSet?.has(muted) === true;
    };
    const readyAt = await ctx.until(() => keys.every((key) => complete(key.pubkey)), SLOW_MS + RETRY.maxMs + 2 * FETCH_MS + 1000, "every session ready once the relay is quick");
    return {
      sees: `status ${trails[0]!.text()}; failure.code \`${codes.map((c) => c.slice(6, -1)).join(",")}\` ("${message}")`,
      listsLost: keys.filter((key) => !complete(key.pubkey)).length,
      recoveryMs: readyAt - fastAt,
      notes: [
        `every byte from the relay held ${ms(SLOW_MS)} (fetchMs ${FETCH_MS}; retry ${RETRY.baseMs}→${RETRY.maxMs} ms), 3 sessions; recovery from the relay answering at once again to all 3 ready with their lists (answers already held back still arrive late, in order)`,
      ],
    };
  },
};
