/**
 * What every framework binding shares: the slices it offers and the one thing it needs from a
 * manager. Bindings read through `select`, so a component re-renders only when its slice changes.
 */
import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import type { Selection } from "../facade/readModel";
import type { NDKSession, SessionState } from "../facade/types";
import type { NDKSessionManager } from "../facade/NDKSessionManager";
import type { WriteOptions, WriteResult } from "../facade/writes";
import type { MuteItem } from "../lists/listEdit";
import { normalizeValue } from "../lists/tagIdentity";

/** The part of `NDKSessionManager` a binding uses (any object with a compatible `select`). */
export interface SessionSource {
  select<T>(selector: (state: SessionState) => T, isEqual?: (a: T, b: T) => boolean): Selection<T>;
}

export type SessionSelector<T> = (state: SessionState) => T;

export const selectSessions = (state: SessionState): ReadonlyMap<Hexpubkey, NDKSession> => state.sessions;

export const selectActivePubkey = (state: SessionState): Hexpubkey | undefined => state.activePubkey;

export const selectActiveSession = (state: SessionState): NDKSession | undefined =>
  state.activePubkey === undefined ? undefined : state.sessions.get(state.activePubkey);

export const selectSession =
  (pubkey: Hexpubkey | undefined) =>
  (state: SessionState): NDKSession | undefined =>
    pubkey === undefined ? undefined : state.sessions.get(pubkey);

export type { Selection, NDKSession, SessionState, Hexpubkey };

// ---- List writes (issue 13): what the write hooks, composables and proxies share ----

/** The manager's list writes, as the bindings hand them out. */
export type ListWriteMethod =
  | "follow"
  | "unfollow"
  | "mute"
  | "unmute"
  | "pin"
  | "unpin"
  | "blockRelay"
  | "unblockRelay"
  | "setRelays"
  | "editList"
  | "write";

/** The write functions of `NDKSessionManager`, with their own signatures (options and promise). */
export type ListWrites = Pick<NDKSessionManager, ListWriteMethod>;

/** What a binding needs to write: `select` plus the manager's list writes (an `NDKSessionManager` is one). */
export type ListWriteSource = SessionSource & ListWrites;

/** A session's writes as the app shows them: the view's `writing`, `pendingWrites` and `lastWrite`. */
export interface WriteState {
  writing: boolean;
  pendingWrites: number;
  lastWrite: NDKSession["lastWrite"];
}

/** The session a write hook targets: the one given, else the active one (the manager's own default). */
export const selectWriteTarget =
  (pubkey: Hexpubkey | undefined) =>
  (state: SessionState): NDKSession | undefined =>
    pubkey === undefined ? selectActiveSession(state) : state.sessions.get(pubkey);

const NO_WRITES: WriteState = Object.freeze({ writing: false, pendingWrites: 0, lastWrite: undefined });

/** The target's write state; a fresh object each time, so select it with {@link sameWriteState}. */
export const selectWriteState =
  (pubkey: Hexpubkey | undefined) =>
  (state: SessionState): WriteState => {
    const session = selectWriteTarget(pubkey)(state);
    return session ? { writing: session.writing, pendingWrites: session.pendingWrites, lastWrite: session.lastWrite } : NO_WRITES;
  };

export const sameWriteState = (a: WriteState, b: WriteState): boolean =>
  a.writing === b.writing && a.pendingWrites === b.pendingWrites && a.lastWrite === b.lastWrite;

export const selectWriting = (pubkey: Hexpubkey | undefined) => (state: SessionState): boolean =>
  selectWriteTarget(pubkey)(state)?.writing ?? false;

export const selectPendingWrites = (pubkey: Hexpubkey | undefined) => (state: SessionState): number =>
  selectWriteTarget(pubkey)(state)?.pendingWrites ?? 0;

export const selectLastWrite = (pubkey: Hexpubkey | undefined) => (state: SessionState): NDKSession["lastWrite"] =>
  selectWriteTarget(pubkey)(state)?.lastWrite;

const NO_FOLLOWS: ReadonlySet<Hexpubkey> = new Set();

/** The target's follow set (the session's own, or one shared empty set while it has none). */
export const selectFollowSet = (pubkey: Hexpubkey | undefined) => (state: SessionState): ReadonlySet<Hexpubkey> =>
  selectWriteTarget(pubkey)(state)?.followSet ?? NO_FOLLOWS;

/** The target's mute lists, the session view's own collections (empty ones while it has none). */
export interface MuteLists {
  /** id → `"p"` (a pubkey) or `"e"` (an event). */
  muteSet: ReadonlyMap<string, string>;
  mutedWords: ReadonlySet<string>;
  mutedHashtags: ReadonlySet<string>;
}

const NO_MUTES: MuteLists = Object.freeze({ muteSet: new Map<string, string>(), mutedWords: new Set<string>(), mutedHashtags: new Set<string>() });

/** A fresh object each time: select it with {@link sameMuteLists}. */
export const selectMuteLists = (pubkey: Hexpubkey | undefined) => (state: SessionState): MuteLists => {
  const session = selectWriteTarget(pubkey)(state);
  if (!session) return NO_MUTES;
  return {
    muteSet: session.muteSet ?? NO_MUTES.muteSet,
    mutedWords: session.mutedWords ?? NO_MUTES.mutedWords,
    mutedHashtags: session.mutedHashtags ?? NO_MUTES.mutedHashtags,
  };
};

export const sameMuteLists = (a: MuteLists, b: MuteLists): boolean =>
  a.muteSet === b.muteSet && a.mutedWords === b.mutedWords && a.mutedHashtags === b.mutedHashtags;

/** Whether `lists` hold `item`, normalised the way the mute builder writes it (hex and words lower-cased, `#` dropped). */
export function isMuted(lists: MuteLists, item: MuteItem): boolean {
  if ("pubkey" in item) return lists.muteSet.get(normalizeValue("p", item.pubkey)) === "p";
  if ("event" in item) return lists.muteSet.get(normalizeValue("e", item.event)) === "e";
  if ("word" in item) return lists.mutedWords.has(normalizeValue("word", item.word));
  return lists.mutedHashtags.has(normalizeValue("t", item.hashtag));
}

/** Every item of `lists`, as the `MuteItem`s `mute`/`unmute` take. */
export function* muteItems(lists: MuteLists): Generator<MuteItem> {
  for (const [id, type] of lists.muteSet) yield type === "e" ? { event: id } : { pubkey: id };
  for (const word of lists.mutedWords) yield { word };
  for (const hashtag of lists.mutedHashtags) yield { hashtag };
}

export const muteCount = (lists: MuteLists): number => lists.muteSet.size + lists.mutedWords.size + lists.mutedHashtags.size;

/**
 * The manager's write functions with `pubkey` (read at call time, so a getter follows a prop) as
 * each call's default session; an explicit `{ pubkey }` in the call's options still wins. Nothing
 * else happens here: each is one call of the manager's own method, and returns its promise.
 */
export function bindListWrites(manager: ListWrites, pubkey: () => Hexpubkey | undefined): ListWrites {
  const at = <O extends WriteOptions>(options: O | undefined): O => {
    const target = pubkey();
    return (target === undefined || options?.pubkey !== undefined ? options ?? {} : { ...options, pubkey: target }) as O;
  };
  return {
    follow: (target, options) => manager.follow(target, at(options)),
    unfollow: (target, options) => manager.unfollow(target, at(options)),
    mute: (item, options) => manager.mute(item, at(options)),
    unmute: (item, options) => manager.unmute(item, at(options)),
    pin: (eventId, options) => manager.pin(eventId, at(options)),
    unpin: (eventId, options) => manager.unpin(eventId, at(options)),
    blockRelay: (url, options) => manager.blockRelay(url, at(options)),
    unblockRelay: (url, options) => manager.unblockRelay(url, at(options)),
    setRelays: (relays, options) => manager.setRelays(relays, at(options)),
    editList: (target, edits, options) => manager.editList(target, edits, at(options)),
    write: (write, options) => manager.write(write, at(options)),
  };
}

export type { MuteItem, WriteOptions, WriteResult };
