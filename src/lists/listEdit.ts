/**
 * A list edit as intent, not as a new array: "add this item", "remove that one". Intent can be
 * applied to whatever copy of the list is newest when the write happens (listWrite.ts), so a change
 * made meanwhile by another client survives. Plain JSON, no functions: a pending write sits in its
 * session's context (persisted and inspected like the rest of it).
 */
import { Kind, type ListEdit, type ListTarget, type ListWrite } from "../../machines";
import { ListEditError } from "./listWriteErrors";
import { normalizeRelayUrl } from "./relayUrl";
import { HEX64, normalizeValue } from "./tagIdentity";

// The shapes live with the machines: a session's context holds pending writes.
export type { ListEdit, ListTarget, ListWrite };

/** Kinds a newer event replaces: the only ones a list write can update. */
export const isReplaceableKind = (kind: number) => kind === 0 || kind === 3 || (kind >= 10000 && kind < 20000);
export const isAddressableKind = (kind: number) => kind >= 30000 && kind < 40000;

/** NIP-51 pinned notes; not read by the session (no Kind entry), written only. */
export const PIN_LIST_KIND = 10001;

const OPS: ReadonlySet<unknown> = new Set(["add", "remove", "set"]);

function invalid(message: string): never {
  throw new ListEditError(message, "list-edit-invalid");
}

/**
 * Checks a write read back from anywhere (a snapshot could hold anything). Throws ListEditError;
 * returns the write unchanged so it can be used inline.
 */
export function validateWrite(write: ListWrite): ListWrite {
  if (typeof write !== "object" || write === null) invalid("A list write must be { kind, d?, edits }");
  if (!Number.isInteger(write.kind) || !(isReplaceableKind(write.kind) || isAddressableKind(write.kind)))
    throw new ListEditError(`Kind ${String(write.kind)} is not a replaceable or addressable list`, "list-kind-unsupported");
  if (write.d !== undefined && (typeof write.d !== "string" || !isAddressableKind(write.kind)))
    invalid(`Kind ${write.kind}: a d tag belongs to addressable kinds only`);
  if (!Array.isArray(write.edits)) invalid(`Kind ${write.kind}: edits must be an array`);
  for (const edit of write.edits) {
    if (typeof edit !== "object" || edit === null || !OPS.has(edit.op)) invalid(`Kind ${write.kind}: unknown edit operation`);
    const { tag } = edit;
    if (!Array.isArray(tag) || tag.length < 2 || !tag.every((field) => typeof field === "string") || !tag[0] || !tag[1])
      invalid(`Kind ${write.kind}: an edit's tag must be [name, value, ...strings]`);
    // The d tag is the list's address: changing it would write another list, and leave this one.
    if (tag[0] === "d") invalid(`Kind ${write.kind}: the d tag cannot be edited`);
    if (edit.private !== undefined && typeof edit.private !== "boolean") invalid(`Kind ${write.kind}: private must be a boolean`);
  }
  return write;
}

/** One write of both writes' edits, in order: a second click while the first is pending. */
export function mergeWrites(first: ListWrite, second: ListWrite): ListWrite {
  if (first.kind !== second.kind || (first.d ?? "") !== (second.d ?? ""))
    throw new ListEditError(`Writes to kind ${first.kind} and kind ${second.kind} are different lists`, "list-edit-invalid");
  return { ...first, edits: [...first.edits, ...second.edits] };
}

// ── Builders: the standard lists. Each validates its input, so a bad pubkey fails at the click. ──

function hex(value: string, what: string): string {
  if (!HEX64.test(value)) invalid(`${what} must be 64 hex characters`);
  return value.toLowerCase();
}

function relay(url: string): string {
  return normalizeRelayUrl(url) ?? invalid("A relay URL must be ws:// or wss://");
}

const one = (kind: number, edit: ListEdit): ListWrite => ({ kind, edits: [edit] });
const scoped = (edit: ListEdit, isPrivate: boolean | undefined): ListEdit => (isPrivate === undefined ? edit : { ...edit, private: isPrivate });

/** Kind 3 `["p", pubkey, relayHint?, petname?]`; an empty hint keeps the petname in its place. */
export function follow(pubkey: string, extra: { relay?: string; petname?: string } = {}): ListWrite {
  const tag = ["p", hex(pubkey, "A pubkey")];
  if (extra.relay !== undefined || extra.petname !== undefined) tag.push(extra.relay ? relay(extra.relay) : "");
  if (extra.petname !== undefined) tag.push(extra.petname);
  return one(Kind.Contacts, { op: "add", tag });
}

export const unfollow = (pubkey: string): ListWrite => one(Kind.Contacts, { op: "remove", tag: ["p", hex(pubkey, "A pubkey")] });

/** What a mute list holds: a pubkey (`p`), a word, a hashtag (`t`) or a thread/event (`e`). */
export type MuteItem = { pubkey: string } | { word: string } | { hashtag: string } | { event: string };

function muteTag(item: MuteItem): string[] {
  if ("pubkey" in item) return ["p", hex(item.pubkey, "A pubkey")];
  if ("event" in item) return ["e", hex(item.event, "An event id")];
  if ("word" in item) return ["word", normalizeValue("word", item.word) || invalid("A muted word cannot be empty")];
  return ["t", normalizeValue("t", item.hashtag) || invalid("A muted hashtag cannot be empty")];
}

/** `private: true` mutes without telling anyone (NIP-51 encrypted items). */
export const mute = (item: MuteItem, opts: { private?: boolean } = {}): ListWrite =>
  one(Kind.MuteList, scoped({ op: "add", tag: muteTag(item) }, opts.private));

/** Unmutes from the public tags and the private items unless told where. */
export const unmute = (item: MuteItem, opts: { private?: boolean } = {}): ListWrite =>
  one(Kind.MuteList, scoped({ op: "remove", tag: muteTag(item) }, opts.private));

export function pin(eventId: string, opts: { relay?: string; private?: boolean } = {}): ListWrite {
  const tag = ["e", hex(eventId, "An event id")];
  if (opts.relay) tag.push(relay(opts.relay));
  return one(PIN_LIST_KIND, scoped({ op: "add", tag }, opts.private));
}

export const unpin = (eventId: string, opts: { private?: boolean } = {}): ListWrite =>
  one(PIN_LIST_KIND, scoped({ op: "remove", tag: ["e", hex(eventId, "An event id")] }, opts.private));

export const blockRelay = (url: string, opts: { private?: boolean } = {}): ListWrite =>
  one(Kind.BlockedRelays, scoped({ op: "add", tag: ["relay", relay(url)] }, opts.private));

export const unblockRelay = (url: string, opts: { private?: boolean } = {}): ListWrite =>
  one(Kind.BlockedRelays, scoped({ op: "remove", tag: ["relay", relay(url)] }, opts.private));

export interface RelayMarkers {
  url: string;
  read: boolean;
  write: boolean;
}

/**
 * Kind 10002: each relay's `r` tag replaced in place with its new markers (neither read nor write
 * removes it). Relays not named are left as they are: a whole-list "exactly these" would, on a
 * rebase, wipe a relay another client added meanwhile.
 */
export function setRelays(relays: Iterable<RelayMarkers>): ListWrite {
  const edits: ListEdit[] = [];
  for (const { url, read, write } of relays) {
    const tag = ["r", relay(url)];
    if (read !== write) tag.push(read ? "read" : "write");
    edits.push({ op: read || write ? "set" : "remove", tag });
  }
  return { kind: Kind.RelayList, edits };
}

export const removeRelay = (url: string): ListWrite => one(Kind.RelayList, { op: "remove", tag: ["r", relay(url)] });

/** Any other list, e.g. an addressable set: `editList({ kind: 30000, d: "friends" }, edits)`. */
export function editList(target: ListTarget, edits: ListEdit[]): ListWrite {
  const d = target.d ?? (isAddressableKind(target.kind) ? "" : undefined);
  return validateWrite({ kind: target.kind, ...(d === undefined ? {} : { d }), edits });
}
