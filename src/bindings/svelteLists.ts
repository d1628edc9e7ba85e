/**
 * List writes as Svelte bindings: the manager's write functions with the session's write state
 * (`useListWrites`), and NDK Svelte-style proxies of its follows and mutes (`useFollows`,
 * `useMutes`) that write through the session instead of rebuilding the list.
 */
import {
  bindListWrites,
  isMuted,
  muteCount,
  muteItems,
  sameMuteLists,
  selectFollowSet,
  selectLastWrite,
  selectMuteLists,
  selectPendingWrites,
  selectWriting,
  type Hexpubkey,
  type ListWrites,
  type ListWriteSource,
  type MuteItem,
  type MuteLists,
  type NDKSession,
  type WriteResult,
} from "./core";
import { getSessionManager, getterOf, targetReadable, type MaybeGetter, type SessionReadable } from "./svelteStores";

/** The explicit manager when given, else the one from context, for writing. */
const writerOf = (manager: ListWriteSource | undefined): ListWriteSource => manager ?? getSessionManager<ListWriteSource>();

/** What {@link useListWrites} returns: the manager's write functions and the session's write state as bindings. */
export type ListWritesHandle = ListWrites & {
  writing: SessionReadable<boolean>;
  pendingWrites: SessionReadable<number>;
  lastWrite: SessionReadable<NDKSession["lastWrite"]>;
};

/**
 * Every list write (follow, mute, pin, setRelays, editList, write…) of the active session, or of
 * `pubkey`'s (a value, or a getter read at each call), with its `writing`, `pendingWrites` and
 * `lastWrite` as bindings (`$writing` once destructured, or `writing.current`). Each function is
 * the manager's own: same options, same promise of `{ changed, relays }`, same typed rejections.
 */
export function useListWrites(pubkey: MaybeGetter<Hexpubkey | undefined> = undefined, manager?: ListWriteSource): ListWritesHandle {
  const source = writerOf(manager);
  return {
    ...bindListWrites(source, getterOf(pubkey)),
    writing: targetReadable(pubkey, source, selectWriting),
    pendingWrites: targetReadable(pubkey, source, selectPendingWrites),
    lastWrite: targetReadable(pubkey, source, selectLastWrite),
  };
}

/** A proxy's readable face (`current`, `subscribe`, reactive `size`, iteration), read from the binding at each access. */
type Collection<T, I> = SessionReadable<T> & Iterable<I> & { readonly size: number };

function collectionOf<T, I>(readable: SessionReadable<T>, sizeOf: (value: T) => number, itemsOf: (value: T) => Iterator<I>): Collection<T, I> {
  return {
    get current() {
      return readable.current;
    },
    subscribe: readable.subscribe,
    get size() {
      return sizeOf(readable.current);
    },
    [Symbol.iterator]: () => itemsOf(readable.current),
  };
}

/** A proxy's write options: its session is the proxy's own. */
type ProxyOptions<M extends "follow" | "unfollow" | "mute" | "unmute"> = Omit<NonNullable<Parameters<ListWrites[M]>[1]>, "pubkey">;

/**
 * The session's follows, NDK Svelte style (`ndk.$follows`): a readable store of its follow set
 * (`$follows`), reactive `size`, `has()` and iteration (`{#each follows as pubkey}`, runes), and
 * `add`/`remove`/`toggle`, each one call of the manager's `follow`/`unfollow`, whose promise it returns.
 * Unlike NDK Svelte's proxy nothing is built from this set: the manager edits the relays' newest
 * kind 3, keeping what it holds, and the set follows once the session has the new list.
 */
export interface FollowsProxy extends SessionReadable<ReadonlySet<Hexpubkey>>, Iterable<Hexpubkey> {
  readonly size: number;
  has(pubkey: Hexpubkey): boolean;
  add(pubkey: Hexpubkey, options?: ProxyOptions<"follow">): Promise<WriteResult>;
  remove(pubkey: Hexpubkey, options?: ProxyOptions<"unfollow">): Promise<WriteResult>;
  /** `remove` when the set has `pubkey` now, else `add`. */
  toggle(pubkey: Hexpubkey, options?: ProxyOptions<"unfollow">): Promise<WriteResult>;
}

/** The follows of the active session, or of `pubkey`'s (a value or a getter). See {@link FollowsProxy}. */
export function useFollows(pubkey: MaybeGetter<Hexpubkey | undefined> = undefined, manager?: ListWriteSource): FollowsProxy {
  const source = writerOf(manager);
  const set = targetReadable(pubkey, source, selectFollowSet);
  const writes = bindListWrites(source, getterOf(pubkey));
  const has = (target: Hexpubkey) => set.current.has(target);
  return Object.assign<Collection<ReadonlySet<Hexpubkey>, Hexpubkey>, Pick<FollowsProxy, "has" | "add" | "remove" | "toggle">>(collectionOf(set, (value) => value.size, (value) => value[Symbol.iterator]()), {
    has,
    add: (target, options) => writes.follow(target, options),
    remove: (target, options) => writes.unfollow(target, options),
    toggle: (target, options) => (has(target) ? writes.unfollow(target, options) : writes.follow(target, options)),
  });
}

/**
 * The session's mutes, NDK Svelte style (`ndk.$mutes`), for every kind of item (`{ pubkey }`,
 * `{ event }`, `{ word }`, `{ hashtag }`): a readable store of its `muteSet`, `mutedWords` and
 * `mutedHashtags` (`$mutes`), reactive `size`, `has()` and iteration (of `MuteItem`s), and
 * `mute`/`unmute`/`toggle`, each one call of the manager's `mute`/`unmute` (whose promise it returns).
 * NDK Svelte's `MutesProxy` rebuilds kind 10000 from its pubkey set, dropping words, hashtags,
 * threads and private items; here the manager edits the relays' newest list and keeps them.
 */
export interface MutesProxy extends SessionReadable<MuteLists>, Iterable<MuteItem> {
  /** Muted pubkeys, events, words and hashtags together. */
  readonly size: number;
  has(item: MuteItem): boolean;
  mute(item: MuteItem, options?: ProxyOptions<"mute">): Promise<WriteResult>;
  unmute(item: MuteItem, options?: ProxyOptions<"unmute">): Promise<WriteResult>;
  /** `unmute` when the item is muted now, else `mute`; `private` applies to either. */
  toggle(item: MuteItem, options?: ProxyOptions<"mute">): Promise<WriteResult>;
}

/** The mutes of the active session, or of `pubkey`'s (a value or a getter). See {@link MutesProxy}. */
export function useMutes(pubkey: MaybeGetter<Hexpubkey | undefined> = undefined, manager?: ListWriteSource): MutesProxy {
  const source = writerOf(manager);
  const lists = targetReadable(pubkey, source, selectMuteLists, sameMuteLists);
  const writes = bindListWrites(source, getterOf(pubkey));
  const has = (item: MuteItem) => isMuted(lists.current, item);
  return Object.assign<Collection<MuteLists, MuteItem>, Pick<MutesProxy, "has" | "mute" | "unmute" | "toggle">>(collectionOf(lists, muteCount, muteItems), {
    has,
    mute: (item, options) => writes.mute(item, options),
    unmute: (item, options) => writes.unmute(item, options),
    toggle: (item, options) => (has(item) ? writes.unmute(item, options) : writes.mute(item, options)),
  });
}
