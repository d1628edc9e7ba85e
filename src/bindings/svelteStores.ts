/**
 * The Svelte plumbing every binding of `ndk-session-engine/svelte` stands on: the manager in
 * component context, and a `Selection` of the session state as a readable store with a reactive
 * `.current` (re-targeted when its pubkey is a getter whose value changes).
 */
import { getContext, setContext } from "svelte";
import { createSubscriber } from "svelte/reactivity";
import { toStore, type Readable } from "svelte/store";
import { SessionError } from "../errors";
import type { NDKSessionManager } from "../facade/NDKSessionManager";
import type { Hexpubkey, Selection, SessionSelector, SessionSource } from "./core";

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
export function sourceOf(manager: SessionSource | undefined): SessionSource {
  return manager ?? getSessionManager();
}

/** Wraps one `Selection` into the store-plus-`current` shape. */
export function readableOf<T>(selection: Selection<T>, isEqual: (a: T, b: T) => boolean): SessionReadable<T> {
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
export function keyedReadable<K, T>(
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

/** A binding of the target session (`pubkey`, a getter of it, or the active one when `undefined`). */
export function targetReadable<T>(
  pubkey: MaybeGetter<Hexpubkey | undefined>,
  source: SessionSource,
  selectorFor: (pubkey: Hexpubkey | undefined) => SessionSelector<T>,
  isEqual: (a: T, b: T) => boolean = Object.is,
): SessionReadable<T> {
  if (typeof pubkey !== "function") return readableOf(source.select(selectorFor(pubkey), isEqual), isEqual);
  return keyedReadable(pubkey, (key) => source.select(selectorFor(key), isEqual), isEqual);
}

export const getterOf = (pubkey: MaybeGetter<Hexpubkey | undefined>): (() => Hexpubkey | undefined) =>
  typeof pubkey === "function" ? pubkey : () => pubkey;

