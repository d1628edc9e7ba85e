/**
 * What every framework binding shares: the slices it offers and the one thing it needs from a
 * manager. Bindings read through `select`, so a component re-renders only when its slice changes.
 */
import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import type { Selection } from "../facade/readModel";
import type { NDKSession, SessionState } from "../facade/types";

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
