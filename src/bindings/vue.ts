/**
 * Vue 3 binding: a manager handed down with provide/inject, and composables that each watch one
 * slice of the state through `select`. A component re-renders when its slice changes and at no
 * other time, so a screen that shows one account does not redraw when another account's lists
 * arrive. Values are held in shallow refs and marked raw: session views carry NDK objects (the
 * NDK instance, events, subscriptions) that must stay the objects NDK knows, not reactive proxies.
 */
import {
  getCurrentScope,
  hasInjectionContext,
  inject,
  markRaw,
  onScopeDispose,
  provide,
  shallowReadonly,
  shallowRef,
  toValue,
  watch,
  type InjectionKey,
  type MaybeRefOrGetter,
  type Plugin,
  type ShallowRef,
} from "vue";
import { SessionError } from "../errors";
import type { NDKSessionManager } from "../facade/NDKSessionManager";
import {
  bindListWrites,
  selectActivePubkey,
  selectActiveSession,
  selectLastWrite,
  selectPendingWrites,
  selectSession,
  selectSessions,
  selectWriting,
  type Hexpubkey,
  type ListWrites,
  type ListWriteSource,
  type NDKSession,
  type Selection,
  type SessionSelector,
  type SessionSource,
} from "./core";

// The selectors and types every binding shares, so code can move between frameworks.
export * from "./core";


/**
 * What every composable returns. Read-only so a component cannot write a value the manager never
 * had; shallow so the value is the manager's own object, compared by identity, never proxied.
 */
export type SessionRef<T> = Readonly<ShallowRef<T>>;

/**
 * The key the manager is provided under. Exported for apps that provide it themselves (for
 * instance a test harness's `global.provide`) or inject it next to other keys.
 */
export const SessionManagerKey: InjectionKey<SessionSource> = Symbol("ndk-session-engine:manager");

/** The error code of `useSessionManager()` when no ancestor provided a manager. */
export const NO_SESSION_MANAGER = "no-session-manager";

/**
 * Makes `manager` available to the calling component's subtree. Use it in a root or layout
 * component's `setup()` when different parts of an app need different managers; otherwise the
 * plugin is simpler. Returns the manager, so a setup can provide and use it in one line.
 */
export function provideSessionManager<M extends SessionSource>(manager: M): M {
  provide(SessionManagerKey, manager);
  return manager;
}

/**
 * `app.use(createSessionsPlugin(manager))`: provides the manager to the whole app. The manager's
 * life is the app's to decide, so the plugin never destroys it: call `manager.destroy()` when the
 * app is unmounted for good.
 */
export function createSessionsPlugin(manager: SessionSource): Plugin {
  return {
    install(app) {
      app.provide(SessionManagerKey, manager);
    },
  };
}

/**
 * The provided manager, for actions (`login`, `switchTo`, `logout`) and for reads no composable
 * covers. Throws a `SessionError` with code `"no-session-manager"` rather than returning
 * `undefined`, because a missing provider is a wiring mistake that should fail at the first
 * component, not as a null dereference later. The type parameter only narrows what the caller
 * provided (an `NDKSessionManager` unless a custom `SessionSource` was given).
 */
export function useSessionManager<M extends SessionSource = NDKSessionManager>(): M {
  if (!hasInjectionContext()) {
    throw new SessionError(
      "useSessionManager() was called outside a component's setup() (or app.runWithContext()); it can only find a provided manager there",
      NO_SESSION_MANAGER,
    );
  }
  const manager = inject(SessionManagerKey, undefined);
  if (!manager) {
    throw new SessionError(
      "No session manager was provided: call app.use(createSessionsPlugin(manager)) or provideSessionManager(manager) in an ancestor component",
      NO_SESSION_MANAGER,
    );
  }
  return manager as M;
}

/** Objects are tagged so that putting one into `reactive()` state later still leaves it unproxied. */
function raw<T>(value: T): T {
  return typeof value === "object" && value !== null ? (markRaw(value) as T) : value;
}

/**
 * A read-only shallow ref that follows `open()`'s selection; `key` (when given) re-opens it each
 * time it changes. The subscription ends with the calling effect scope (the component), so an
 * unmounted component is never called back. Outside any scope nothing would end it, so the caller
 * of such code must stop the scope it creates.
 */
function selectionRef<T>(open: () => Selection<T>, key?: () => unknown): SessionRef<T> {
  const state = shallowRef<T>() as ShallowRef<T>;
  let stop: (() => void) | undefined;
  const attach = () => {
    stop?.();
    const selection = open();
    // Subscribe before reading, so a change between the two cannot be missed.
    stop = selection.subscribe((value) => {
      state.value = raw(value);
    });
    state.value = raw(selection.get());
  };
  // "sync": a new key is selected at once, so code that changes it and reads the ref agrees.
  if (key) watch(key, attach, { immediate: true, flush: "sync" });
  else attach();
  if (getCurrentScope()) {
    onScopeDispose(() => {
      stop?.();
      stop = undefined;
    });
  }
  return shallowReadonly(state);
}

/**
 * Any slice of the state, for what the named composables do not cover: one session's follow count,
 * whether any account is locked. The component re-renders only when the slice changes by
 * `isEqual` (`Object.is` by default), so return primitives or the manager's own objects, or pass
 * an `isEqual` for derived objects built afresh on every call. The selector is read when the state
 * changes, not when component state does: for an input that changes (a prop), use `useSession` or
 * key the component by that input.
 */
export function useSessionSelector<T>(selector: SessionSelector<T>, isEqual?: (a: T, b: T) => boolean): SessionRef<T> {
  const manager = useSessionManager<SessionSource>();
  return selectionRef(() => manager.select(selector, isEqual));
}

/**
 * Every session by pubkey, for account pickers. The map keeps its identity until a session is
 * added, removed or changes, so a list built from it redraws only then.
 */
export function useSessions(): SessionRef<ReadonlyMap<Hexpubkey, NDKSession>> {
  return useSessionSelector(selectSessions);
}

/**
 * The active account's pubkey: the cheapest thing to watch when a component only needs to know
 * who is signed in (it ignores every list update).
 */
export function useActivePubkey(): SessionRef<Hexpubkey | undefined> {
  return useSessionSelector(selectActivePubkey);
}

/**
 * The active account's session view. It changes on a switch and whenever that session's status or
 * lists change; prefer `useActivePubkey` or a narrower `useSessionSelector` where that is too often.
 */
export function useActiveSession(): SessionRef<NDKSession | undefined> {
  return useSessionSelector(selectActiveSession);
}

/**
 * One session's view by pubkey, e.g. for a profile card of an account that is not the active one.
 * `pubkey` may be a ref, a getter or a prop getter (`() => props.pubkey`): when it changes, the old
 * selection is dropped and the new pubkey is selected.
 */
export function useSession(pubkey: MaybeRefOrGetter<Hexpubkey | undefined>): SessionRef<NDKSession | undefined> {
  const manager = useSessionManager<SessionSource>();
  return selectionRef(() => manager.select(selectSession(toValue(pubkey))), () => toValue(pubkey));
}

/** What {@link useListWrites} returns: the manager's write functions and refs of the session's write state. */
export type ListWritesHandle = ListWrites & {
  writing: SessionRef<boolean>;
  pendingWrites: SessionRef<number>;
  lastWrite: SessionRef<NDKSession["lastWrite"]>;
};

/**
 * List writes (follow, mute, pin, setRelays, editList, write…) for the active session, or for
 * `pubkey`'s when given (a ref or getter, read at each call and re-selected when it changes),
 * with refs of that session's `writing`, `pendingWrites` and `lastWrite`:
 *
 * ```ts
 * const { follow, writing, lastWrite } = useListWrites(() => props.pubkey);
 * // <button :disabled="writing" @click="follow(pk)">Follow</button>
 * ```
 *
 * Each function is the manager's own (same options, same promise of `{ changed, relays }`, same
 * typed rejections). Each ref changes only when its own field does.
 */
export function useListWrites(pubkey?: MaybeRefOrGetter<Hexpubkey | undefined>): ListWritesHandle {
  const manager = useSessionManager<ListWriteSource>();
  const target = () => toValue(pubkey);
  const field = <T>(selector: (pubkey: Hexpubkey | undefined) => SessionSelector<T>) =>
    selectionRef(() => manager.select(selector(target())), target);
  return {
    ...bindListWrites(manager, target),
    writing: field(selectWriting),
    pendingWrites: field(selectPendingWrites),
    lastWrite: field(selectLastWrite),
  };
}
