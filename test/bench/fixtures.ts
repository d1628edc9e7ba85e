/**
 * Bench fixtures: NDK instances on the loopback relay, and accounts whose lists (kinds 0, 3, 10000,
 * 10002; with `lists: "full"` also 10006 and a mute list with private items) are signed with real
 * keys and published before anything is measured.
 */
import { randomBytes } from "node:crypto";
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { connectedNdk as ndkOn, disconnect, type NDK } from "../support/env";

export { disconnect, type NDK };

/** An NDK on the given relays only (as in the tests), and a bench that stops if it did not connect. */
export async function connectedNdk(relays: string[]): Promise<NDK> {
  const ndk = await ndkOn(relays);
  if (ndk.pool.connectedRelays().length === 0) throw new Error("bench: NDK did not connect to the loopback relay");
  return ndk;
}

export interface Account {
  /** Only the secret key survives publishing: the signed events are not kept. */
  signer: NDKPrivateKeySigner;
  pubkey: string;
  follows: number;
}

const randomPubkey = () => randomBytes(32).toString("hex");

async function publishOne(ndk: NDK, signer: NDKPrivateKeySigner, kind: number, content: string, tags: string[][]): Promise<void> {
  const event = new NDKEvent(ndk, { kind, content, tags, created_at: Math.floor(Date.now() / 1000) - 60 });
  await event.sign(signer);
  const relays = await event.publish(undefined, 10_000);
  if (relays.size === 0) throw new Error(`bench: kind ${kind} was not accepted by the relay`);
}

/**
 * "basic": kinds 0, 3, a small public mute list (10000) and 10002. "full", as a real account has
 * them: the mute list with pubkeys, `e` events, words, hashtags and private items (the JSON tag
 * array NIP-44-encrypted to oneself in `content`, as NIP-51 says), and a blocked-relays list (10006).
 */
export type ListSet = "basic" | "full";

const randomId = randomPubkey;

/** The public and private items of a "full" mute list. */
function fullMutes(): { tags: string[][]; privateTags: string[][] } {
  const tags = [
    ...Array.from({ length: 20 }, () => ["p", randomPubkey()]),
    ...Array.from({ length: 5 }, () => ["e", randomId()]),
    ["word", "airdrop"], ["word", "giveaway"], ["word", "casino"], ["word", "Crypto Pump"],
    ["t", "spam"], ["t", "nsfw"], ["t", "promo"],
  ];
  const privateTags = [
    ...Array.from({ length: 10 }, () => ["p", randomPubkey()]),
    ...Array.from({ length: 2 }, () => ["e", randomId()]),
    ["word", "secret-word"], ["word", "ex-partner"],
    ["t", "politics"],
  ];
  return { tags, privateTags };
}

/** A fresh key with a profile, `follows` random follows, a mute list and a relay list on the relay (see ListSet). */
export async function publishAccount(ndk: NDK, relayUrl: string, follows: number, lists: ListSet = "basic"): Promise<Account> {
  const signer = NDKPrivateKeySigner.generate();
  const pubkey = signer.pubkey;
  const contacts = Array.from({ length: follows }, () => ["p", randomPubkey()]);
  const profile = JSON.stringify({ name: `bench-${pubkey.slice(0, 8)}`, about: "bench account" });
  if (lists === "basic") {
    const mutes = [["p", randomPubkey()], ["p", randomPubkey()], ["t", "spam"], ["word", "airdrop"]];
    await Promise.all([
      publishOne(ndk, signer, 0, profile, []),
      publishOne(ndk, signer, 3, "", contacts),
      publishOne(ndk, signer, 10000, "", mutes),
      publishOne(ndk, signer, 10002, "", [["r", relayUrl]]),
    ]);
    return { signer, pubkey, follows };
  }
  const { tags, privateTags } = fullMutes();
  const privateContent = await signer.encrypt(ndk.getUser({ pubkey }), JSON.stringify(privateTags), "nip44");
  const blocked = [["relay", "wss://blocked.example.com"], ["relay", "wss://spam-relay.example.org/"]];
  await Promise.all([
    publishOne(ndk, signer, 0, profile, []),
    publishOne(ndk, signer, 3, "", contacts),
    publishOne(ndk, signer, 10000, privateContent, tags),
    publishOne(ndk, signer, 10006, "", blocked),
    publishOne(ndk, signer, 10002, "", [["r", relayUrl]]),
  ]);
  return { signer, pubkey, follows };
}

/** `count` accounts, published `concurrency` at a time. */
export async function publishAccounts(
  ndk: NDK,
  relayUrl: string,
  count: number,
  follows: number,
  concurrency = 4,
  lists: ListSet = "basic",
): Promise<Account[]> {
  const accounts: Account[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      accounts[index] = await publishAccount(ndk, relayUrl, follows, lists);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return accounts;
}
