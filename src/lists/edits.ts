/**
 * The app's own edits of a session (the peer's `updateSession(pubkey, data)`), as list entries the
 * session actor stores like any other: the fields of an `NDKSession` back into the data each kind
 * keeps. Pure; the machine makes each entry newer than the one it replaces (machines/lists.ts
 * `localEdits`), so a later relay event of that list, newer still, replaces the edit in turn.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { NostrEvent } from "nostr-tools/pure";
import { Kind, slotKey, withSum, type ListEntry, type SessionPreferences } from "../../machines";
import type { BlockedRelaysData, MutesData, ProfileData, RelayListData } from "./kinds";
import { isHexPubkey, packPubkeys } from "./packedPubkeys";
import { dTagOf } from "./parse";
import { normalizeRelayUrl } from "./relayUrl";

/** The parts of an `NDKSession` an app may edit. */
export interface SessionEdit {
  followSet?: Iterable<string>;
  /** id → "p" (a pubkey) or "e" (an event). */
  muteSet?: ReadonlyMap<string, string>;
  mutedWords?: Iterable<string>;
  mutedHashtags?: Iterable<string>;
  blockedRelays?: Iterable<string>;
  relayList?: ReadonlyMap<string, { read: boolean; write: boolean }>;
  profile?: Record<string, unknown>;
  events?: ReadonlyMap<unknown, { rawEvent(): NostrEvent } | null | undefined>;
  preferences?: SessionPreferences;
}

/** What the session holds now, for the fields an edit leaves out of a list it touches (mutes). */
export interface EditBase {
  muteSet?: ReadonlyMap<string, string>;
  mutedWords?: Iterable<string>;
  mutedHashtags?: Iterable<string>;
}

// With its checksum, as every stored entry has (the machine computes it again if it re-dates the edit).
const entryOf = (kind: number, data: unknown, at: number, key = String(kind)): ListEntry =>
  withSum({
    key,
    kind,
    // A stable id of the edit's content: storage checks ids as 64 hex characters.
    id: bytesToHex(sha256(utf8ToBytes(JSON.stringify([key, data])))),
    createdAt: at,
    data,
  });

function mutesOf(edit: SessionEdit, base: EditBase): MutesData {
  const muteSet = edit.muteSet ?? base.muteSet ?? new Map<string, string>();
  const ids = (marker: string) => [...muteSet].filter(([id, kind]) => kind === marker && isHexPubkey(id)).map(([id]) => id);
  const lower = (values: Iterable<string> | undefined) => [...new Set([...(values ?? [])].map((v) => v.trim().toLowerCase()).filter(Boolean))];
  return {
    pubkeys: ids("p"),
    eventIds: ids("e"),
    words: lower(edit.mutedWords ?? base.mutedWords),
    hashtags: lower(edit.mutedHashtags ?? base.mutedHashtags).map((tag) => tag.replace(/^#/, "")),
  };
}

function profileOf(profile: Record<string, unknown>): ProfileData {
  const data: ProfileData = {};
  for (const [field, value] of Object.entries(profile))
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") data[field] = value;
  return data;
}

const urlsOf = (urls: Iterable<string>) => [...new Set([...urls].map((url) => normalizeRelayUrl(url)).filter((url): url is string => !!url))];

/** The list entries (at `at`, unix seconds) and preferences an edit makes; fields it leaves out are untouched. */
export function editEntries(edit: SessionEdit, base: EditBase, at: number): { entries: ListEntry[]; preferences?: SessionPreferences } {
  const entries: ListEntry[] = [];
  if (edit.followSet) entries.push(entryOf(Kind.Contacts, packPubkeys(edit.followSet), at));
  if (edit.muteSet || edit.mutedWords || edit.mutedHashtags) entries.push(entryOf(Kind.MuteList, mutesOf(edit, base), at));
  if (edit.blockedRelays) entries.push(entryOf(Kind.BlockedRelays, { urls: urlsOf(edit.blockedRelays) } satisfies BlockedRelaysData, at));
  if (edit.relayList) {
    const relays = [...edit.relayList].flatMap(([url, { read, write }]) => {
      const normalized = normalizeRelayUrl(url);
      return normalized ? [{ url: normalized, read: !!read, write: !!write }] : [];
    });
    entries.push(entryOf(Kind.RelayList, { relays } satisfies RelayListData, at));
  }
  if (edit.profile) entries.push(entryOf(Kind.Profile, profileOf(edit.profile), at));
  for (const event of edit.events?.values() ?? []) {
    if (!event) continue;
    const raw = event.rawEvent();
    const data = { id: raw.id ?? "", pubkey: raw.pubkey, created_at: raw.created_at, kind: raw.kind, tags: raw.tags, content: raw.content, sig: raw.sig ?? "" };
    entries.push(entryOf(raw.kind, data, at, slotKey(raw.kind, dTagOf(raw.tags))));
  }
  return { entries, ...(edit.preferences ? { preferences: edit.preferences } : {}) };
}
