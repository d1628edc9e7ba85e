// Row 2: the relay goes away mid-session (every socket dropped, new ones refused, as in a restart)
// while newer follow and mute lists are published to it; when it is back, every session has them.
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { ms, type Scenario } from "./harness";

const SESSIONS = 5;
const OUTAGE_MS = 1500; // how long the relay is away: a restart, not a blip NDK's own retry covers

export const scenario: Scenario = {
  title: "relay restart mid-session, newer kind 3 + mute list published meanwhile",
  timeoutMs: 25_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const proxy = await ctx.proxy(relay.url);
    const publisher = await ctx.ndk([relay.url]);
    const keys = Array.from({ length: SESSIONS }, () => ctx.key());
    const [before, during, muted] = [0, 1, 2].map(() => NDKPrivateKeySigner.generate().pubkey) as [string, string, string];
    const old = Math.floor(Date.now() / 1000) - 100;
    for (const key of keys) await publish(publisher, key, { kind: 3, tags: [["p", before]], created_at: old });

    const ndk = await ctx.ndk([proxy.url]);
    const { manager } = ctx.manager(ndk, { timeouts: { fetchMs: 2000, signerMs: 2000 } });
    await manager.login(keys[0]!);
    for (const key of keys.slice(1, -1)) await manager.login(key, { setActive: false });
    await manager.login(ndk.getUser({ pubkey: keys.at(-1)!.pubkey }), { setActive: false }); // one read-only
    const sessions = () => keys.map((key) => manager.getSession(key.pubkey));
    await ctx.until(() => sessions().every((s) => s?.status === "ready" && s.followSet?.has(before)), 5000, "every session ready before the outage");
    const trails = keys.map((key) => ctx.trail(manager, key.pubkey));
    const signers = keys.slice(0, -1).map((key) => ctx.trail(manager, key.pubkey, "signer"));

    await proxy.cut();
    const cutAt = performance.now();
    for (const key of keys) {
      await publish(publisher, key, { kind: 3, tags: [["p", before], ["p", during]] });
      await publish(publisher, key, { kind: 10000, tags: [["p", muted]] });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (performance.now() - cutAt))));
    const upAt = performance.now();
    await proxy.restore();
    const caughtUp = (i: number) => {
      const s = sessions()[i];
      return s?.status === "ready" && s.followSet?.has(during) === true && s.followSet.has(before) && s.muteSet?.has(muted) === true;
    };
    const doneAt = await ctx.until(() => keys.every((_, i) => caughtUp(i)), 10_000, "every session caught up after the reconnect");
    const lost = keys.filter((_, i) => !caughtUp(i)).length;

    // Live again: a list published now arrives.
    const after = NDKPrivateKeySigner.generate().pubkey;
    await publish(publisher, keys[0]!, { kind: 3, tags: [["p", after]] });
    await ctx.until(() => manager.getSession(keys[0]!.pubkey)?.followSet?.has(after) === true, 3000, "a live update after the reconnect");
    ctx.check(signers.every((t) => t.seen.length === 1), `no signer region moved (${signers.map((t) => t.text()).join(", ")})`);
    const statuses = [...new Set(trails.map((t) => t.text()))];
    return {
      sees: `status ${statuses.join(" / ")} throughout (last-known lists shown); signerState ${signers[0]!.text()}; every session has the new kind 3 and mute list after the reconnect`,
      listsLost: lost,
      recoveryMs: doneAt - upAt,
      notes: [
        `${SESSIONS} sessions (1 read-only) behind a TCP proxy cut for ${ms(OUTAGE_MS)} (sockets dropped, connections refused) while 2 lists each were published to the relay; recovery from the relay accepting again to every session holding both, via the engine's own reconnect backoff (1 s doubling)`,
      ],
    };
  },
};
