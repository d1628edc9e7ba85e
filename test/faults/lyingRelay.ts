// Row 9: a lying relay beside an honest one answers every REQ with forged, tampered, older and
// other-author events (test/support/hostileRelay.ts). None of them wins, at the fetch or live; a
// genuine newer list the liar relays after its lies does.
import { finalizeEvent, getPublicKey, type NostrEvent } from "nostr-tools/pure";
import { hexToBytes } from "nostr-tools/utils";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { connectedNdk, publish } from "../support/env";
import { disconnectAll } from "../support/bunker";
import { startHostileRelay } from "../support/hostileRelay";
import type { Scenario } from "./harness";

const pk = () => NDKPrivateKeySigner.generate().pubkey;

export const scenario: Scenario = {
  title: "forged / older / other-author events from a hostile relay beside an honest one",
  timeoutMs: 20_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const [alice, bob, mallory] = [ctx.key(), ctx.key(), ctx.key()];
    const aliceKey = hexToBytes(alice.privateKey!);
    const now = Math.floor(Date.now() / 1000);
    const [genuineFollow, attacker, genuineMute, canaryFollow] = [pk(), pk(), pk(), pk()];
    const sign = (kind: number, tags: string[][], created_at: number, key = aliceKey) => finalizeEvent({ kind, created_at, tags, content: "" }, key);
    const genuine = sign(3, [["p", genuineFollow]], now - 100);
    const lies: NostrEvent[] = [];
    for (const kind of [3, 10000]) {
      const newer = sign(kind, [["p", attacker]], now);
      const byMallory = sign(kind, [["p", attacker]], now, hexToBytes(mallory.privateKey!));
      lies.push(
        { ...newer, sig: byMallory.sig }, // someone else's signature
        { ...(kind === 3 ? genuine : sign(kind, [["p", genuineMute]], now - 100)), tags: [["p", attacker]] }, // genuine id and signature over tampered tags
        { ...byMallory, pubkey: alice.pubkey }, // mallory's event claiming to be alice's
        byMallory, // mallory's own, on alice's subscription
        { ...newer, id: "f".repeat(64) }, // a bad id
        sign(kind, [["p", attacker]], now - 500), // genuine, but older than the honest relay's
      );
    }
    let phase: "fetch" | "live" = "fetch";
    /** When the liar first answered a REQ with its lies and then the canary (sent in that order, in the same turn). */
    let canarySentAt: number | undefined;
    const canary = sign(3, [["p", canaryFollow]], now - 50); // genuine and newer: relayed after the lies, it must win
    const hostile = await startHostileRelay((filters) => {
      if (!filters.some((f) => (f.authors as string[] | undefined)?.includes(alice.pubkey))) return [];
      if (phase === "fetch") return lies;
      canarySentAt ??= performance.now();
      return [...lies, canary];
    });
    ctx.defer(() => hostile.close());

    const seeder = await connectedNdk([relay.url]);
    await publish(seeder, alice, { kind: 3, tags: genuine.tags, created_at: genuine.created_at });
    await publish(seeder, alice, { kind: 10000, tags: [["p", genuineMute]], created_at: now - 100 });
    await publish(seeder, bob, { kind: 3, tags: [["p", genuineFollow]] });
    await disconnectAll(seeder);

    const ndk = await ctx.ndk([relay.url, hostile.url]);
    const { manager } = ctx.manager(ndk, { timeouts: { fetchMs: 2000, signerMs: 2000 } });
    await manager.login(ndk.getUser({ pubkey: alice.pubkey }));
    const honest = () => {
      const s = manager.getSession(alice.pubkey);
      return s?.status === "ready" && [...(s.followSet ?? [])].join() === genuineFollow && [...(s.muteSet?.keys() ?? [])].join() === genuineMute;
    };
    await ctx.until(() => manager.getSession(alice.pubkey)?.status === "ready", 4000, "alice ready");
    ctx.check(honest(), `after the fetch alice has the honest lists (follows ${[...(manager.getSession(alice.pubkey)?.followSet ?? [])].length}, attacker's: ${manager.getSession(alice.pubkey)?.followSet?.has(attacker)})`);
    const status = ctx.trail(manager, alice.pubkey);

    // A second login renews the shared live REQ: the liar answers it with the lies again, then the canary.
    phase = "live";
    await manager.login(bob, { setActive: false });
    await ctx.until(() => manager.getSession(bob.pubkey)?.status === "ready", 4000, "bob ready");
    const canaryAt = await ctx.until(() => manager.getSession(alice.pubkey)?.followSet?.has(canaryFollow) === true, 3000, "the genuine newer list relayed after the lies");
    ctx.check(canarySentAt !== undefined && canarySentAt <= canaryAt, "the canary was applied after the liar sent it");
    const s = manager.getSession(alice.pubkey)!;
    const aliceOk = [...(s.followSet ?? [])].join() === canaryFollow && [...(s.muteSet?.keys() ?? [])].join() === genuineMute;
    ctx.check(aliceOk, "alice's lists: the canary's follows and the honest mutes, nothing of the attacker's");
    const bobOk = [...(manager.getSession(bob.pubkey)?.followSet ?? [])].join() === genuineFollow;
    ctx.check(bobOk, "bob's lists are his own");
    ctx.check(!manager.getSession(getPublicKey(hexToBytes(mallory.privateKey!))), "no session for the other author");
    ctx.check(status.seen.every((x) => x === "ready"), `alice stayed ready (${status.text()})`);
    return {
      sees: `status ready; followSet/muteSet the honest relay's, then the genuine newer list; 0 of ${lies.length} lies applied (fetch and live)`,
      listsLost: (aliceOk ? 0 : 1) + (bobOk ? 0 : 1),
      recoveryMs: canarySentAt === undefined ? undefined : canaryAt - canarySentAt,
      notes: [
        `${lies.length} lies per REQ for kinds 3 and 10000 (another's signature, tampered tags under a genuine id, swapped pubkey, another author's own event, bad id, an older genuine list), served at the fetch and again on the renewed live REQ followed by a genuine newer list (the proof the lies before it were handled)`,
        `recovery: from the hostile relay sending its ${lies.length} lies and then the genuine newer kind 3, on the first REQ naming alice after bob's login (the renewed live REQ; timed as it wrote them) to alice's followSet holding that list (2 ms polls), i.e. the lies checked and dropped and the genuine list applied; her status stayed ready throughout`,
      ],
    };
  },
};
