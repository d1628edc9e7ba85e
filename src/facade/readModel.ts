import type NDK from "@nostr-dev-kit/ndk";
import type { NDKSigner } from "@nostr-dev-kit/ndk";
import type { AnyActorRef, InspectionEvent } from "xstate";
import { sessionId, type Hexpubkey, type ManagerContext, type SessionContext } from "../../machines";
import type { ManagerActor } from "../engine";
import { sessionView, statusOf, type ViewDeps } from "./sessionView";
import type { NDKSession, SessionState } from "./types";

function sameEntries<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** A watched slice of the state (see `select`). */
export interface Selection<T> {
  /** The slice now. */
  get(): T;
  /** Calls back with each new value of the slice; returns the unsubscribe. */
  subscribe(listener: (value: T) => void): () => void;
}

/**
 * The state `subscribe` callbacks see, fed by the actor system's inspection events: any snapshot
 * of the manager or a session marks it stale, and listeners hear once per microtask, however many
 * transitions happened in it. It is built only when somebody reads it.
 */
export class SessionReadModel {
  private version = 0;
  private built: { version: number; state: SessionState } | undefined;
  private readonly listeners = new Set<(state: SessionState) => void>();
  private notifyScheduled = false;
  private readonly views = new WeakMap<object, NDKSession>();
  private actor: ManagerActor | undefined;

  constructor(
    private readonly ndk: NDK,
    /** The sessions' signers as the app may use them: gated, and with nothing secret to serialise. */
    private readonly signersOf: () => ReadonlyMap<Hexpubkey, NDKSigner>,
    private readonly deps: ViewDeps,
  ) {}

  attach(actor: ManagerActor): void {
    this.actor = actor;
    this.invalidate();
  }

  readonly observe = (event: InspectionEvent): void => {
    if (event.type === "@xstate.snapshot") this.invalidate();
  };

  invalidate(): void {
    this.version++;
    if (this.notifyScheduled || this.listeners.size === 0) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      if (this.listeners.size === 0) return;
      const state = this.state();
      for (const listener of this.listeners) listener(state);
    });
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A slice of the state that notifies only when it changes (by `isEqual`, `Object.is` by default):
   * one session's follow count, the active pubkey. Views and collections keep their identity while
   * their lists do not change, so plain identity is usually the right comparison.
   */
  select<T>(selector: (state: SessionState) => T, isEqual: (a: T, b: T) => boolean = Object.is): Selection<T> {
    let current = selector(this.state());
    const listeners = new Set<(value: T) => void>();
    let unsubscribe: (() => void) | undefined;
    const recompute = () => {
      const next = selector(this.state());
      if (isEqual(current, next)) return;
      current = next;
      for (const listener of listeners) listener(next);
    };
    return {
      get: () => (unsubscribe ? current : (current = selector(this.state()))),
      subscribe: (listener) => {
        listeners.add(listener);
        if (!unsubscribe) {
          current = selector(this.state());
          unsubscribe = this.subscribe(recompute);
        }
        return () => {
          listeners.delete(listener);
          if (listeners.size === 0) {
            unsubscribe?.();
            unsubscribe = undefined;
          }
        };
      },
    };
  }

  session(pubkey: Hexpubkey): NDKSession | undefined {
    const child = this.actor?.getSnapshot().children[sessionId(pubkey)] as AnyActorRef | undefined;
    if (!child) return undefined;
    const snapshot = child.getSnapshot();
    let view = this.views.get(snapshot);
    if (!view) {
      view = sessionView(snapshot.context as SessionContext, statusOf(snapshot.value, snapshot.status), this.deps);
      this.views.set(snapshot, view);
    }
    return view;
  }

  managerContext(): ManagerContext | undefined {
    return this.actor?.getSnapshot().context;
  }

  state(): SessionState {
    if (this.built?.version === this.version) return this.built.state;
    const context = this.managerContext();
    const sessions = new Map<Hexpubkey, NDKSession>();
    for (const pubkey of context?.pubkeys ?? []) {
      const view = this.session(pubkey);
      if (view) sessions.set(pubkey, view);
    }
    // Unchanged collections keep their identity, so a switch hands subscribers the same maps.
    const previous = this.built?.state;
    const state: SessionState = {
      ndk: this.ndk,
      sessions: previous && sameEntries(previous.sessions, sessions) ? previous.sessions : sessions,
      signers: previous && sameEntries(previous.signers, this.signersOf()) ? previous.signers : new Map(this.signersOf()),
      activePubkey: context?.activePubkey ?? undefined,
    };
    this.built = { version: this.version, state };
    return state;
  }
}
