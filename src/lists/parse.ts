import type { NostrEvent } from "nostr-tools/pure";
import { Kind, slotKey, type ListEntry } from "../../machines";
import type { BlockedRelaysData, MutesData, ProfileData, RelayListData } from "./kinds";
import { isHexPubkey, packPubkeys } from "./packedPubkeys";
import { normalizeRelayUrl } from "./relayUrl";

const MAX_PROFILE_FIELD = 4096;

function parseProfile(content: string): ProfileData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return {};
  }
  const profile: ProfileData = {};
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return profile;
  for (const [field, value] of Object.entries(parsed)) {
    if (typeof value === "string") profile[field] = value.slice(0, MAX_PROFILE_FIELD);
    else if (typeof value === "number" || typeof value === "boolean") profile[field] = value;
  }
  return profile;
}

/** Public mute tags plus any private ones already decrypted by the caller. */
export function parseMutes(tags: readonly string[][]): MutesData {
  const pubkeys = new Set<string>();
  const eventIds = new Set<string>();
  const words = new Set<string>();
  const hashtags = new Set<string>();
  for (const [name, value] of tags) {
    if (typeof value !== "string" || value === "") continue;
    if (name === "p" && isHexPubkey(value)) pubkeys.add(value);
    else if (name === "e" && isHexPubkey(value)) eventIds.add(value);
    else if (name === "word" && value.trim()) words.add(value.trim().toLowerCase());
    else if (name === "t") hashtags.add(value.replace(/^#/, "").toLowerCase());
  }
  return { pubkeys: [...pubkeys], eventIds: [...eventIds], words: [...words], hashtags: [...hashtags] };
}

function parseBlockedRelays(tags: readonly string[][]): BlockedRelaysData {
  const urls = new Set<string>();
  for (const [name, value] of tags) {
    const url = name === "relay" && typeof value === "string" ? normalizeRelayUrl(value) : undefined;
    if (url) urls.add(url);
  }
  return { urls: [...urls] };
}

function parseRelayList(tags: readonly string[][]): RelayListData {
  const relays = new Map<string, { url: string; read: boolean; write: boolean }>();
  for (const [name, value, marker] of tags) {
    const url = name === "r" && typeof value === "string" ? normalizeRelayUrl(value) : undefined;
    if (!url) continue;
    const entry = relays.get(url) ?? { url, read: false, write: false };
    if (marker !== "write") entry.read = true;
    if (marker !== "read") entry.write = true;
    relays.set(url, entry);
  }
  return { relays: [...relays.values()] };
}

/** The `d` tag that names an addressable event among its author's lists of a kind. */
export function dTagOf(tags: readonly string[][]): string | undefined {
  return tags.find((tag) => tag[0] === "d")?.[1];
}

/**
 * Turns a verified event into the list entry its session stores. `privateTags` are the decrypted
 * private items of a mute list, when the session could decrypt them.
 */
export function toListEntry(event: NostrEvent, privateTags: readonly string[][] = []): ListEntry {
  const base = { key: slotKey(event.kind, dTagOf(event.tags)), kind: event.kind, id: event.id, createdAt: event.created_at };
  switch (event.kind) {
    case Kind.Profile:
      return { ...base, data: parseProfile(event.content) };
    case Kind.Contacts:
      return { ...base, data: packPubkeys(event.tags.filter((t) => t[0] === "p").map((t) => t[1] as string)) };
    case Kind.MuteList:
      return { ...base, data: parseMutes([...event.tags, ...privateTags]) };
    case Kind.BlockedRelays:
      return { ...base, data: parseBlockedRelays(event.tags) };
    case Kind.RelayList:
      return { ...base, data: parseRelayList(event.tags) };
    default:
      // A plain copy: the caller's object may carry non-JSON markers (nostr-tools' verdict symbol).
      return {
        ...base,
        data: { id: event.id, pubkey: event.pubkey, created_at: event.created_at, kind: event.kind, tags: event.tags, content: event.content, sig: event.sig },
      };
  }
}
