/**
 * React binding: `ndk-session-engine/react`.
 *
 * Components read the session state through `manager.select`, so a component re-renders when its
 * own slice changes and never because some other part of the engine moved (a login elsewhere, a
 * list refetch of another account, a transition that changed nothing the component shows).
 */
import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
  type ReactElement,
  type ReactNode,
} from "react";
import { SessionError } from "../errors";
import type { NDKSessionManager } from "../facade/NDKSessionManager";
import {
  bindListWrites,
  sameWriteState,
  selectActivePubkey,
  selectActiveSession,
  selectSession,
  selectSessions,
  selectWriteState,
  type Hexpubkey,
  type ListWrites,
  type ListWriteSource,
  type WriteState,
  type NDKSession,
  type SessionSelector,
  type SessionSource,
  type SessionState,
} from "./core";

// The selectors and types every binding shares, so code can move between frameworks.
export * from "./core";


/** Compares two values of a slice; `true` means "the same, do not re-render". */
export type EqualityFn<T> = (a: T, b: T) => boolean;

const ManagerContext = createContext<SessionSource | null>(null);
ManagerContext.displayName = "SessionsContext";

/** What a provider is given: the manager itself, or any object with a compatible `select`. */
export interface SessionsProviderProps<M extends SessionSource = SessionSource> {
  manager: M;
  children?: ReactNode;
}

/**
 * Makes one manager available to every hook below it. The manager is created by the app (once,
 * outside render) and handed in, so its life (restore, destroy) stays the app's decision and the
 * binding never builds or tears down engine state of its own.
 */
export function SessionsProvider<M extends SessionSource>({ manager, children }: SessionsProviderProps<M>): ReactElement {
  // `.Provider` rather than React 19's `<Context value>`: the peer range includes React 18.
  return createElement(ManagerContext.Provider, { value: manager }, children);
}

/**
 * The manager of the nearest `SessionsProvider`, for the calls hooks do not cover (`login`,
 * `switchTo`, `logout`). The type argument states what the provider was given: the full
 * `NDKSessionManager` by default; pass `SessionSource` when a provider is fed a bare source.
 *
 * Outside a provider it throws a `SessionError` with code `"no-session-manager"`, as the Svelte and
 * Vue bindings do: a missing provider is a wiring mistake, and failing loudly beats rendering an
 * app that silently shows no account.
 */
export function useSessionManager<M extends SessionSource = NDKSessionManager>(): M {
  const manager = useContext(ManagerContext);
  if (!manager) {
    throw new SessionError(
      "useSessionManager() and the session hooks must be used inside <SessionsProvider manager={...}>",
      "no-session-manager",
    );
  }
  return manager as M;
}

const wholeState = (state: SessionState): SessionState => state;

/** A selector result tagged with the selector that produced it (see `useSessionSelector`). */
interface Tagged<T> {
  selector: SessionSelector<T>;
  /** `FAILED` when the selector threw: always "changed", so React re-runs it and the error surfaces in render. */
  value: T | typeof FAILED;
}
const FAILED: unique symbol = Symbol("selector failed");

// No effect runs on a server, but React 18 warns about a useLayoutEffect there.
const useIsomorphicLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

/**
 * Any slice of the session state, e.g. one account's follow count:
 * `useSessionSelector((s) => s.sessions.get(pk)?.followSet?.size)`.
 *
 * The component re-renders only when the slice changes by `isEqual` (`Object.is` by default; pass a
 * shallow or structural comparison when the selector builds a new array or object each time).
 * Selectors may be written inline: a new function each render neither resubscribes nor loops, and
 * a selector that now reads something else (another pubkey) is honoured on that very render.
 */
export function useSessionSelector<T>(selector: SessionSelector<T>, isEqual: EqualityFn<T> = Object.is): T {
  const source = useSessionManager<SessionSource>();
  // Reads the whole state when rendering, so the slice always comes from the current selector.
  const whole = useMemo(() => source.select(wholeState), [source]);

  // The selector and comparison of the last committed render, for notifications between renders.
  const latest = useRef({ selector, isEqual });
  useIsomorphicLayoutEffect(() => {
    latest.current = { selector, isEqual };
  });

  // One subscription per source for the component's life: it depends on nothing the render passes.
  // The engine filters by slice, so the component hears nothing while its slice stays the same.
  // A slice computed by an older selector is never "equal", so a changed selector cannot hide a
  // change (at worst one extra notification, which React drops). A throwing selector or isEqual
  // must not throw into the engine, whose transitions may be what notifies: it counts as a change.
  const subscribe = useCallback(
    (onChange: () => void) =>
      source
        .select<Tagged<T>>(
          (state) => {
            const current = latest.current.selector;
            try {
              return { selector: current, value: current(state) };
            } catch {
              return { selector: current, value: FAILED };
            }
          },
          (a, b) => {
            if (a.selector !== b.selector || a.value === FAILED || b.value === FAILED) return false;
            try {
              return latest.current.isEqual(a.value, b.value);
            } catch {
              return false;
            }
          },
        )
        .subscribe(() => onChange()),
    [source],
  );

  // The value handed to React: recomputed only when the state or the selector changed, and the
  // previous value kept while equal, so React sees a stable snapshot and skips the re-render.
  const memo = useRef<{ state: SessionState; selector: SessionSelector<T>; value: T } | undefined>(undefined);
  const getSnapshot = (): T => {
    const state = whole.get();
    const previous = memo.current;
    if (previous && previous.state === state && previous.selector === selector) return previous.value;
    const next = selector(state);
    const value = previous && isEqual(previous.value, next) ? previous.value : next;
    memo.current = { state, selector, value };
    return value;
  };

  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/** Every logged-in account by pubkey; re-renders on login, logout, or a change in any account's view. */
export function useSessions(): ReadonlyMap<Hexpubkey, NDKSession> {
  return useSessionSelector(selectSessions);
}

/** Just the active pubkey: a header or account switcher re-renders on a switch, not on list updates. */
export function useActivePubkey(): Hexpubkey | undefined {
  return useSessionSelector(selectActivePubkey);
}

/** The active account's view; re-renders on a switch and when that account's lists or status change. */
export function useActiveSession(): NDKSession | undefined {
  return useSessionSelector(selectActiveSession);
}

/**
 * One account's view, whichever is active (a profile card for a given pubkey); `undefined` until it
 * is logged in. Other accounts' updates do not re-render it.
 */
export function useSession(pubkey: Hexpubkey | undefined): NDKSession | undefined {
  const selector = useMemo(() => selectSession(pubkey), [pubkey]);
  return useSessionSelector(selector);
}

/** What {@link useListWrites} returns: the manager's write functions and the session's write state. */
export type ListWritesHandle = ListWrites & WriteState;

/**
 * List writes (follow, mute, pin, setRelays, editList, write…) for the active session, or for
 * `pubkey`'s when given, with that session's `writing`, `pendingWrites` and `lastWrite`:
 *
 * ```tsx
 * const { follow, unfollow, writing, lastWrite } = useListWrites();
 * <button disabled={writing} onClick={() => follow(pk).catch(show)}>Follow</button>
 * ```
 *
 * Each function is the manager's own (same options, same promise of `{ changed, relays }`, same
 * typed rejections), with `pubkey` as the default session; the functions keep their identity
 * while the manager and `pubkey` do. The component re-renders when one of the three state fields
 * changes, not on the session's list updates (select `followSet` etc. for those).
 */
export function useListWrites(pubkey?: Hexpubkey): ListWritesHandle {
  const manager = useSessionManager<ListWriteSource>();
  const writes = useMemo(() => bindListWrites(manager, () => pubkey), [manager, pubkey]);
  const selector = useMemo(() => selectWriteState(pubkey), [pubkey]);
  const state = useSessionSelector(selector, sameWriteState);
  return useMemo(() => ({ ...writes, ...state }), [writes, state]);
}
