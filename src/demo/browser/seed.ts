/**
 * The demo's accounts: real keys and real signed lists (profile, follows, mutes, relay list) on
 * the loopback relay, as src/demo/accounts.ts does for `npm start`. Every URL in them is the
 * loopback relay's, so nothing the page reads can send it elsewhere.
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publishSigned, randomPubkey } from "../accounts";
import type { DemoAccountInfo } from "./config";

export interface SeededAccount extends DemoAccountInfo {
  signer: NDKPrivateKeySigner;
}

const PLAN: Array<Pick<DemoAccountInfo, "name" | "offeredAs"> & { follows: number; about: string; mutedWord: string }> = [
  { name: "alice", offeredAs: "bunker", follows: 42, about: "signs through the demo's NIP-46 bunker", mutedWord: "spam" },
  { name: "bob", offeredAs: "npub", follows: 12, about: "read-only: log in with his npub", mutedWord: "crypto" },
  { name: "carol", offeredAs: "ncryptsec", follows: 7, about: "a NIP-49 key: lock and unlock her", mutedWord: "weather" },
];

/** A minute back, so an edit made in the page a moment later is strictly newer (NIP-01). */
const SEED_AGE_S = 60;

export async function seedDemoAccounts(ndk: NDK, relayUrl: string): Promise<SeededAccount[]> {
  const signers = PLAN.map(() => NDKPrivateKeySigner.generate());
  const at = Math.floor(Date.now() / 1000) - SEED_AGE_S;
  // Two entries, both on 127.0.0.1 (the second a path of the same relay), so the count shows a real list.
  const relayTags = [["r", relayUrl], ["r", `${relayUrl}/inbox`, "read"]];
  const seeded = PLAN.map(async (plan, index) => {
    const signer = signers[index]!;
    // Each follows the other demo accounts, plus strangers up to its count.
    const friends = signers.filter((other) => other !== signer).map((other) => other.pubkey);
    const follows = [...friends, ...Array.from({ length: plan.follows - friends.length }, randomPubkey)];
    const lists = [
      { kind: 0, content: JSON.stringify({ name: plan.name, about: plan.about }) },
      { kind: 3, tags: follows.map((pk) => ["p", pk]) },
      { kind: 10000, tags: [["p", randomPubkey()], ["p", randomPubkey()], ["word", plan.mutedWord], ["t", "nsfw"]] },
      { kind: 10002, tags: relayTags },
    ];
    await Promise.all(lists.map((list) => publishSigned(ndk, signer, { ...list, created_at: at })));
    return { name: plan.name, offeredAs: plan.offeredAs, pubkey: signer.pubkey, npub: signer.npub, signer };
  });
  return Promise.all(seeded);
}
