/**
 * `ndk-session-engine/svelte`: sessions as Svelte 5 state.
 *
 * Plain TypeScript (no `.svelte` compile step for consumers): it is built on `createSubscriber`
 * from `svelte/reactivity` (Svelte ≥ 5.7), `toStore` and the context API, all of which work from
 * ordinary modules. Every `use*` returns a {@link SessionReadable}: a readable store (for `$x` in
 * runes and legacy components alike) that also has a reactive `.current` (for runes code).
 *
 * ```svelte
 * <script lang="ts">
 *   import { setSessionManager, useActiveSession, useSessionSelector } from "ndk-session-engine/svelte";
 *   setSessionManager(manager); // once, in a root component
 *   const active = useActiveSession();
 *   const follows = useSessionSelector((s) => s.sessions.get(pubkey)?.followSet?.size ?? 0);
 * </script>
 * {active.current?.profile?.name} follows {$follows}
 * ```
 */
import { getContext, setContext } from "svelte";
import { createSubscriber } from "svelte/reactivity";
import { toStore, type Readable } from "svelte/store";
import { SessionError } from "../errors";
import type { NDKSessionManager } from "../facade/NDKSessionManager";
import {
  bindListWrites,
  isMuted,
  muteCount,
  muteItems,
  sameMuteLists,
  selectActivePubkey,
  selectActiveSession,
  selectFollowSet,
  selectLastWrite,
  selectMuteLists,
  selectPendingWrites,
  selectSession,
  selectSessions,
  selectWriting,
  type Hexpubkey,
  type ListWrites,
  type ListWriteSource,
  type MuteItem,
  type MuteLists,
  type WriteResult,
  type NDKSession,
  type Selection,
  type SessionSelector,
  type SessionSource,
} from "./core";

// The selectors and types every binding shares, so code can move between frameworks.
export * from "./core";

/**
 * A slice of the session state, readable two ways so one object serves every Svelte style.
 *
 * - `$slice` (store contract): works in runes and legacy components and in `derived` stores.
 * - `slice.current`: reactive where runes track (templates, `$derived`, `$effect`). The manager is
 *   listened to only while some effect reads it, so a component that stops rendering the value
 *   (an `{#if}` turns false, the component unmounts) stops costing anything.
 *
 * Both notify only when the slice changes (by the `isEqual` given, identity by default), never
 * merely because some other part of the state moved.
 */
export interface SessionReadable<T> extends Readable<T> {
  /** The slice now; read inside an effect or template, it also re-runs that when the slice changes. */
  readonly current: T;
}

/** A value, or a function returning it: the function form lets a changing prop re-target a binding. */
export type MaybeGetter<T> = T | (() => T);

/**
 * A registered symbol, not a local one: the ESM and CJS builds of this module (or two copies in
 * one app) then still find each other's manager.
 */
const MANAGER_KEY = Symbol.for("ndk-session-engine/svelte:manager");

/**
 * Makes `manager` the one that `use*` calls in this component and its descendants read, so the
 * app passes it once (in its root component) instead of through every prop. Call it during
 * component initialisation, like `setContext`. Returns the manager, for chaining.
 */
export function setSessionManager<M extends SessionSource = NDKSessionManager>(manager: M): M {
  return setContext(MANAGER_KEY, manager);
}

/**
 * The manager an ancestor set with {@link setSessionManager}; for components that act on sessions
 * (`login`, `switchTo`, `logout`) as well as read them. Call it during component initialisation.
 *
 * @throws {SessionError} code `"no-session-manager"` when no ancestor set one: failing at mount,
 * with the fix in the message, beats rendering "logged out" for ever.
 */
export function getSessionManager<M extends SessionSource = NDKSessionManager>(): M {
  const manager = getContext<M | undefined>(MANAGER_KEY);
  if (!manager) {
    throw new SessionError(
      "No session manager: call setSessionManager(manager) in an ancestor component, or pass the manager to the use* function",
      "no-session-manager",
    );
  }
  return manager;
}

/** The explicit manager when given (usable outside components, e.g. in a `.svelte.ts` module), else context. */
function sourceOf(manager: SessionSource | undefined): SessionSource {
  return manager ?? getSessionManager();
}

/** Wraps one `Selection` into the store-plus-`current` shape. */
function readableOf<T>(selection: Selection<T>, isEqual: (a: T, b: T) => boolean): SessionReadable<T> {
  // Started by the first effect that reads `current`, stopped (a microtask) after the last one goes.
  const track = createSubscriber((update) => selection.subscribe(() => update()));
  return {
    get current() {
      track();
      return selection.get();
    },
    subscribe(run) {
      let last: T;
      // Subscribe before reading, so no change can slip between the first value and the listener;
      // the guard drops a notification of the value `run` already has.
      const stop = selection.subscribe((value) => {
        if (isEqual(last, value)) return;
        last = value;
        run(value);
      });
      last = selection.get();
      run(last);
      return stop;
    },
  };
}

/**
 * A binding whose selector depends on a value that may change (a prop read through a getter):
 * `current` re-targets when the getter's value changes, and so does the store, through `toStore`,
 * which tracks the getter the same way a template would.
 */
function keyedReadable<K, T>(
  key: () => K,
  selectionFor: (key: K) => Selection<T>,
  isEqual: (a: T, b: T) => boolean,
): SessionReadable<T> {
  let latest: { key: K; readable: SessionReadable<T> } | undefined;
  const current = (): T => {
    const k = key();
    if (!latest || !Object.is(latest.key, k)) latest = { key: k, readable: readableOf(selectionFor(k), isEqual) };
    return latest.readable.current;
  };
  const store = toStore(current);
  return {
    get current() {
      return current();
    },
    subscribe: store.subscribe,
  };
}

/**
 * Any slice of the session state: the tool for rendering only what a component needs, e.g. one
 * account's follow count, which then ignores every other account's lists.
 *
 * The selector is fixed when this is called (it runs whenever the state changes, not when props
 * change); for a slice that depends on a prop, re-create the component with `{#key}` or use
 * {@link useSession} with a getter. Return stable values (primitives, the session views and
 * collections the state already holds) or pass `isEqual`: a selector building a fresh array or
 * object each time would look changed on every state change.
 */
export function useSessionSelector<T>(
  selector: SessionSelector<T>,
  isEqual: (a: T, b: T) => boolean = Object.is,
  manager?: SessionSource,
): SessionReadable<T> {
  return readableOf(sourceOf(manager).select(selector, isEqual), isEqual);
}

/**
 * Every logged-in account, keyed by pubkey: for account lists and switchers. The map keeps its
 * identity until an account is added or removed or one session's view changes.
 */
export function useSessions(manager?: SessionSource): SessionReadable<ReadonlyMap<Hexpubkey, NDKSession>> {
  return useSessionSelector(selectSessions, Object.is, manager);
}

/**
 * The active account's pubkey: changes only on login, switch or logout, so a component keyed on
 * "who am I" does not re-render while sessions fetch their lists.
 */
export function useActivePubkey(manager?: SessionSource): SessionReadable<Hexpubkey | undefined> {
  return useSessionSelector(selectActivePubkey, Object.is, manager);
}

/**
 * The active account's session view (profile, follows, status…). It changes when the active
 * account changes or that account's own session does; another account's updates pass it by.
 */
export function useActiveSession(manager?: SessionSource): SessionReadable<NDKSession | undefined> {
  return useSessionSelector(selectActiveSession, Object.is, manager);
}

/**
 * One account's session view, whether or not it is active: e.g. each row of an account list.
 * Pass a getter (`useSession(() => pubkey)`) when the pubkey is a prop that can change; a plain
 * value is read once, as Svelte 5 does not re-run a component's script when its props change.
 */
export function useSession(
  pubkey: MaybeGetter<Hexpubkey | undefined>,
  manager?: SessionSource,
): SessionReadable<NDKSession | undefined> {
  const source = sourceOf(manager);
  if (typeof pubkey !== "function") return readableOf(source.select(selectSession(pubkey)), Object.is);
  return keyedReadable(pubkey, (key) => source.select(selectSession(key)), Object.is);
}


// ---- List writes (issue 13) ----

/** A binding of the target session (`pubkey`, a getter of it, or the active one when `undefined`). */
function targetReadable<T>(
  pubkey: MaybeGetter<Hexpubkey | undefined>,
  source: SessionSource,
  selectorFor: (pubkey: Hexpubkey | undefined) => SessionSelector<T>,
  isEqual: (a: T, b: T) => boolean = Object.is,
): SessionReadable<T> {
  if (typeof pubkey !== "function") return readableOf(source.select(selectorFor(pubkey), isEqual), isEqual);
  return keyedReadable(pubkey, (key) => source.select(selectorFor(key), isEqual), isEqual);
}

const getterOf = (pubkey: MaybeGetter<Hexpubkey | undefined>): (() => Hexpubkey | undefined) =>
  typeof pubkey === "function" ? pubkey : () => pubkey;

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
