import type NDK from "@nostr-dev-kit/ndk";
import type { NDKSigner } from "@nostr-dev-kit/ndk";
import { createAtom, type Atom, type ReadonlyAtom } from "@xstate/store";
import type { AnyActorRef, InspectionEvent, SnapshotFrom } from "xstate";
import { sessionId, type Hexpubkey, type SessionContext } from "../../machines";
import type { managerMachine } from "../../machines";
import type { ManagerActor } from "../engine";
import type { EngineRuntime } from "../effects/runtime";
import type { EventWrapper } from "./options";
import { SessionMap } from "./sessionMap";
import { sessionView, statesOf, type ViewDeps } from "./sessionView";
import type { NDKSession, SessionState } from "./types";

type ManagerSnapshot = SnapshotFrom<typeof managerMachine>;
interface SessionSnapshot {
  value: unknown;
  status: string;
  context: SessionContext;
}

const SESSION_PREFIX = sessionId("");

function sameEntries<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** What apps get of the read model: an `@xstate/store` atom to read and watch, not to write. */
export type ReadableSessionStore = ReadonlyAtom<SessionState>;

/** Field by field, not `{ ...state, x }`: V8's spread costs some 130 ns here, a third of a switch's inspection budget. */
const stateOf = (ndk: SessionState["ndk"], sessions: SessionState["sessions"], signers: SessionState["signers"], activePubkey: Hexpubkey | undefined): SessionState => ({
  ndk,
  sessions,
  signers,
  activePubkey,
});

/** A watched slice of the state (see `select`). */
export interface Selection<T> {
  /** The slice now; the same value (by identity) until it changes. */
  get(): T;
  /** Calls back with each new value of the slice; returns the unsubscribe. */
  subscribe(listener: (value: T) => void): () => void;
}

/**
 * The state apps read, kept in an `@xstate/store` atom that the actor system's inspection events
 * feed: each snapshot of the manager or of a session updates it, so it is current the moment a
 * transition ends. Collections and session views keep their identity while they do not change,
 * which is what lets selectors compare by identity. (An atom rather than a store: a store event
 * costs about a microsecond more, and a switch is a few microseconds in all.)
 */
export class SessionReadModel {
  private readonly atom: Atom<SessionState>;
  private readonly views = new WeakMap<object, NDKSession>();
  private rootId: string | undefined;
  /** The manager's list of sessions last read: while it stays the same array, session events keep the views current. */
  private listed: readonly Hexpubkey[] | undefined;
  private readonly batched = new Set<(state: SessionState) => void>();
  private batchScheduled = false;
  private unsubscribeBatch: (() => void) | undefined;
  private readonly deps: ViewDeps;
  private lastActive: Record<Hexpubkey, number> = {};

  constructor(
    ndk: NDK,
    /**
     * The sessions' signers as the app may use them (gated, nothing secret to serialise): the same
     * map while they stay the same, so the state compares it by identity.
     */
    private readonly signersOf: () => ReadonlyMap<Hexpubkey, NDKSigner>,
    deps: Omit<ViewDeps, "lastActiveOf">,
  ) {
    // The manager keeps lastActive, so a switch touches no session view: views read it from here.
    this.deps = { ...deps, lastActiveOf: (pubkey) => this.lastActive[pubkey] ?? 0 };
    const initial: SessionState = { ndk, sessions: new SessionMap(), signers: new Map(), activePubkey: undefined };
    this.atom = createAtom(initial);
  }

  /** Follows this manager actor from now on, starting from its snapshot. */
  attach(actor: ManagerActor): void {
    this.rootId = actor.sessionId;
    this.listed = undefined;
    this.atom.set((state) => this.withManager(state, actor.getSnapshot()));
  }

  readonly observe = (event: InspectionEvent): void => {
    if (event.type !== "@xstate.snapshot" || event.rootId !== this.rootId) return;
    const ref = event.actorRef as AnyActorRef;
    if (ref.sessionId === this.rootId) this.atom.set((state) => this.withManager(state, event.snapshot as ManagerSnapshot));
    else if (ref.id.startsWith(SESSION_PREFIX)) this.atom.set((state) => this.withSession(state, event.snapshot as unknown as SessionSnapshot));
  };

  /** The atom itself, for apps and bindings that speak @xstate/store. */
  get store(): ReadableSessionStore {
    return this.atom;
  }

  state(): SessionState {
    return this.atom.get();
  }

  session(pubkey: Hexpubkey): NDKSession | undefined {
    return this.state().sessions.get(pubkey);
  }

  /**
   * Every change, at most once per microtask however many transitions happened in it: what the
   * peer's `subscribe`, auto-save and tab sync want (a login is a burst of transitions).
   */
  subscribe(listener: (state: SessionState) => void): () => void {
    this.batched.add(listener);
    if (!this.unsubscribeBatch) {
      const subscription = this.atom.subscribe(() => this.scheduleBatch());
      this.unsubscribeBatch = () => subscription.unsubscribe();
    }
    return () => {
      this.batched.delete(listener);
      if (this.batched.size > 0) return;
      this.unsubscribeBatch?.();
      this.unsubscribeBatch = undefined;
    };
  }

  /**
   * A slice of the state that notifies, synchronously, only when it changes (by `isEqual`,
   * `Object.is` by default): one session's follow count, the active pubkey. The previous value is
   * kept while equal, so the slice's identity changes only with the slice. (Not a computed atom: one
   * that is read but never watched stays linked to the store for good.)
   */
  select<T>(selector: (state: SessionState) => T, isEqual: (a: T, b: T) => boolean = Object.is): Selection<T> {
    let last: { state: SessionState; value: T } | undefined;
    const get = (): T => {
      const state = this.atom.get();
      if (last?.state === state) return last.value;
      const next = selector(state);
      last = { state, value: last && isEqual(last.value, next) ? last.value : next };
      return last.value;
    };
    return {
      get,
      subscribe: (listener) => {
        let seen = get();
        const subscription = this.atom.subscribe(() => {
          const value = get();
          if (value === seen) return;
          seen = value;
          listener(value);
        });
        return () => subscription.unsubscribe();
      },
    };
  }

  private scheduleBatch(): void {
    if (this.batchScheduled) return;
    this.batchScheduled = true;
    queueMicrotask(() => {
      this.batchScheduled = false;
      const state = this.state();
      for (const listener of this.batched) listener(state);
    });
  }

  private viewOf(snapshot: SessionSnapshot): NDKSession {
    let view = this.views.get(snapshot);
    if (!view) {
      view = sessionView(snapshot.context, statesOf(snapshot.value, snapshot.status), this.deps);
      this.views.set(snapshot, view);
    }
    return view;
  }

  private withManager(state: SessionState, snapshot: ManagerSnapshot): SessionState {
    const { pubkeys, activePubkey } = snapshot.context;
    this.lastActive = snapshot.context.lastActive;
    const active = activePubkey ?? undefined;
    // Stopped: every signer has gone back to the app (its gate removed); the state holds none.
    if (snapshot.status !== "active") return state.signers.size === 0 ? state : stateOf(state.ndk, state.sessions, new Map(), active);
    // A switch touches only the active pubkey: no collection is rebuilt for it.
    if (pubkeys === this.listed) return state.activePubkey === active ? state : stateOf(state.ndk, state.sessions, state.signers, active);
    this.listed = pubkeys;
    const views: [Hexpubkey, NDKSession][] = [];
    for (const pubkey of pubkeys) {
      const child = snapshot.children[sessionId(pubkey)] as AnyActorRef | undefined;
      if (child) views.push([pubkey, this.viewOf(child.getSnapshot() as SessionSnapshot)]);
    }
    const sessions = SessionMap.from(views);
    const sessionsChanged = !sameEntries(state.sessions, sessions);
    const signers = this.signersOf() as SessionState["signers"];
    if (!sessionsChanged && signers === state.signers && state.activePubkey === active) return state;
    return stateOf(state.ndk, sessionsChanged ? sessions : state.sessions, signers, active);
  }

  private withSession(state: SessionState, snapshot: SessionSnapshot): SessionState {
    const { pubkey } = snapshot.context;
    // A session the manager has not listed yet (or has let go) joins with the manager's snapshot.
    if (!state.sessions.has(pubkey)) return state;
    const view = this.viewOf(snapshot);
    if (state.sessions.get(pubkey) === view) return state;
    const sessions = (state.sessions as SessionMap<NDKSession>).with(pubkey, view);
    return stateOf(state.ndk, sessions, this.signersOf() as SessionState["signers"], state.activePubkey);
  }
}

/** The read model of an engine's runtime: its signers map is the keyring's (the same map until a signer comes, goes or changes). */
export function readModelOf(runtime: EngineRuntime, wrappers: ReadonlyMap<number, EventWrapper>): SessionReadModel {
  const { ndk, keyring, hub } = runtime;
  return new SessionReadModel(ndk, () => keyring.signers(), { ndk, wrappers, subscriptionsFor: (pubkey) => hub.subscriptionsFor(pubkey) });
}
