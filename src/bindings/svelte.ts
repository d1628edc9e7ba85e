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
import type { Hexpubkey, NDKSession, SessionSelector, SessionSource } from "./core";
import { selectActivePubkey, selectActiveSession, selectSession, selectSessions } from "./core";
import { keyedReadable, readableOf, sourceOf, type MaybeGetter, type SessionReadable } from "./svelteStores";

// The selectors and types every binding shares, so code can move between frameworks.
export * from "./core";
export { getSessionManager, setSessionManager, type MaybeGetter, type SessionReadable } from "./svelteStores";
export * from "./svelteLists";

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


