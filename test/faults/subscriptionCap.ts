// Row 3: 25 sessions on a relay with its stock limits — 20 subscriptions per connection (the 21st
// REQ silently evicts the oldest) and 100 events per filter — all load every list and all get live updates.
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { ms, type Scenario } from "./harness";

const SESSIONS = 25;
const CAP = 20;

export const scenario: Scenario = {
  title: `${SESSIONS} sessions on a relay capped at ${CAP} subscriptions per connection`,
  timeoutMs: 30_000,
  async run(ctx) {
    const relay = await ctx.relay({ maxSubscriptionsPerClient: CAP, defaultLimit: 100 });
    const publisher = await ctx.ndk([relay.url]);
    const keys = Array.from({ length: SESSIONS }, () => ctx.key());
    const expected = new Map<string, { follow: string; muted: string; name: string }>();
    // Five lists each: 125 events, more than the relay's 100 per filter (a minute old: the live update is newer).
    const created_at = Math.floor(Date.now() / 1000) - 60;
    for (const [i, key] of keys.entries()) {
      const e = { follow: NDKPrivateKeySigner.generate().pubkey, muted: NDKPrivateKeySigner.generate().pubkey, name: `user ${i}` };
      expected.set(key.pubkey, e);
      await publish(publisher, key, { kind: 0, content: JSON.stringify({ name: e.name }), created_at });
      await publish(publisher, key, { kind: 3, tags: [["p", e.follow]], created_at });
      await publish(publisher, key, { kind: 10000, tags: [["p", e.muted]], created_at });
      await publish(publisher, key, { kind: 10002, tags: [["r", `wss://relay${i}.example.com`]], created_at });
      await publish(publisher, key, { kind: 10006, tags: [["relay", `wss://blocked${i}.example.com`]], created_at });
    }

    const ndk = await ctx.ndk([relay.url]);
    const { manager } = ctx.manager(ndk, { timeouts: { fetchMs: 3000, signerMs: 2000 } });
    const loginAt = performance.now();
    for (const [i, key] of keys.entries()) await manager.login(key, { setActive: i === 0 });
    const complete = (pubkey: string) => {
      const s = manager.getSession(pubkey);
      const e = expected.get(pubkey)!;
      return s?.status === "ready" && s.followSet?.has(e.follow) === true && s.muteSet?.has(e.muted) === true && s.profile?.name === e.name && s.relayList?.size === 1 && s.blockedRelays?.size === 1;
    };
    const readyAt = await ctx
      .until(() => keys.every((key) => complete(key.pubkey)), 8000, `all ${SESSIONS} sessions ready with 5 lists each`)
      .catch((error) => (ctx.check(false, (error as Error).message), undefined));
    const incomplete = keys.filter((key) => !complete(key.pubkey)).length;
    const heldAfterLogins = relay.openSubscriptions();

    // Live: a newer follow list for every session, published at once.
    const live = new Map(keys.map((key) => [key.pubkey, NDKPrivateKeySigner.generate().pubkey]));
    const sentAt = performance.now();
    await Promise.all(keys.map((key) => publish(publisher, key, { kind: 3, tags: [["p", expected.get(key.pubkey)!.follow], ["p", live.get(key.pubkey)!]] })));
    const updated = (pubkey: string) => manager.getSession(pubkey)?.followSet?.has(live.get(pubkey)!) === true;
    const allAt = await ctx
      .until(() => keys.every((key) => updated(key.pubkey)), 5000, `a live update for all ${SESSIONS}`)
      .catch((error) => (ctx.check(false, (error as Error).message), undefined));
    const missedLive = keys.filter((key) => !updated(key.pubkey)).length;
    ctx.check(heldAfterLogins <= CAP, `the engine holds ${heldAfterLogins} subscriptions at the relay (cap ${CAP})`);
    return {
      sees: `${SESSIONS - incomplete}/${SESSIONS} ready with all 5 lists; ${SESSIONS - missedLive}/${SESSIONS} got the live update${allAt ? ` (last ${ms(allAt - sentAt)} after publishing)` : ""}; ${heldAfterLogins} REQ(s) held at the relay`,
      listsLost: Math.max(incomplete, missedLive),
      // The cap never lifts: the figure is the time to the state the user expects despite it.
      recoveryMs: allAt === undefined ? undefined : allAt - sentAt,
      notes: [
        `relay with maxSubscriptionsPerClient ${CAP} and defaultLimit 100 (the relay engine's defaults); ${SESSIONS} private-key sessions, each with kinds 0, 3, 10000, 10002, 10006 (125 events); then a newer kind 3 for all ${SESSIONS} at once`,
        `recovery (the cap never lifts, so: the user's expected state reached despite it): from starting to sign and publish the ${SESSIONS} newer kind 3s (all at once, from another connection) to the last of the ${SESSIONS} sessions holding its new follow through the live subscription, polled every 2 ms${readyAt === undefined ? "" : `; for comparison, from the first login() to all ${SESSIONS} ready with their 5 lists: ${ms(readyAt - loginAt)} (${SESSIONS} logins one after another)`}`,
      ],
    };
  },
};
