/**
 * Demo accounts: real keys, real signed lists, published to the loopback relay.
 * Only names and short npubs ever leave this module in printable form.
 */
import { randomBytes } from "node:crypto";
import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";

export interface DemoAccount {
  name: string;
  signer: NDKPrivateKeySigner;
  pubkey: string;
  /** npub1abcd…wxyz: enough to recognise, never the key itself. */
  npub: string;
  follows: string[];
  /** The word its kind 10000 mutes, so each active session's mute filter is recognisable. */
  mutedWord: string;
}

/** Lists are dated a minute back so a live update a moment later is strictly newer (NIP-01). */
const SEED_AGE_S = 60;
const now = () => Math.floor(Date.now() / 1000);

export const randomPubkey = (): string => randomBytes(32).toString("hex");

export function shortNpub(npub: string): string {
  return `${npub.slice(0, 9)}…${npub.slice(-4)}`;
}

export async function publishSigned(
  ndk: NDK,
  signer: NDKPrivateKeySigner,
  template: { kind: number; content?: string; tags?: string[][]; created_at?: number },
): Promise<NDKEvent> {
  const event = new NDKEvent(ndk, { content: "", tags: [], created_at: now(), ...template });
  await event.sign(signer);
  const relays = await event.publish(undefined, 3000);
  if (relays.size === 0) throw new Error(`kind ${template.kind} was not accepted by the relay`);
  return event;
}

/** Publishes kinds 0, 3, 10000, 10002 and 10006 for a fresh key; returns the account. */
export async function seedAccount(
  ndk: NDK,
  relayUrl: string,
  { name, followCount, mutedWord }: { name: string; followCount: number; mutedWord: string },
): Promise<DemoAccount> {
  const signer = NDKPrivateKeySigner.generate();
  const follows = Array.from({ length: followCount }, randomPubkey);
  const at = now() - SEED_AGE_S;
  const lists = [
    { kind: 0, content: JSON.stringify({ name, about: `demo account ${name}` }) },
    { kind: 3, tags: follows.map((pk) => ["p", pk]) },
    { kind: 10000, tags: [["p", randomPubkey()], ["word", mutedWord], ["t", "nsfw"]] },
    { kind: 10002, tags: [["r", relayUrl], ["r", `wss://${name}.relay.example`, "write"]] },
    { kind: 10006, tags: [["relay", "wss://blocked.relay.example"]] },
  ];
  await Promise.all(lists.map((list) => publishSigned(ndk, signer, { ...list, created_at: at })));
  return { name, signer, pubkey: signer.pubkey, npub: shortNpub(signer.npub), follows, mutedWord };
}
