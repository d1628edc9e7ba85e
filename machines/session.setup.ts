/**
 * The session machine's vocabulary: its types, and the actors, guards and actions its chart
 * (session.machine.ts) names. Actors are placeholders provided from src/ (machine.provide).
 */
import { assign, enqueueActions, fromCallback, fromPromise, or, raise, setup, stateIn, type EventObject } from "xstate";
import { asFailure, EXTENSION_AWAY, NEEDS_LOGIN } from "./failures";
import { hasPartialEntries, localEdits, mergeEntries, refreshedLists } from "./lists";
import type { ListsInput, PublishListInput, ReadListInput, ReadListOutput, SessionContext, SessionEvent, SessionInput, SignerChangedEvent } from "./session.types";
import { READ_ONLY, type BackoffInput, type FetchedLists, type Hexpubkey, type ListEntry, type ListSlots, type SessionFailure, type SignerDescriptor } from "./types";
import * as w from "./writes";

const notProvided = (name: string) => () => {
  throw new Error(`session actor "${name}" must be provided from src/ (machine.provide)`);
};

const errorOf = (event: { error?: unknown } | EventObject) => asFailure((event as { error?: unknown }).error);

/** Entries brought by a live update, an edit or a write. */
const entriesOf = (event: EventObject): ListEntry[] => (event as unknown as { entries: ListEntry[] }).entries;

/** What the fetch's done event brought (nothing, for a done event without output). */
const fetchedOf = (event: EventObject): FetchedLists => (event as { output?: FetchedLists }).output ?? { entries: [] };

const failureOf = (event: EventObject): SessionFailure =>
  event.type === "session.fault" ? (event as unknown as { failure: SessionFailure }).failure : errorOf(event);

const restoredAs = (event: EventObject): Partial<SessionInput> =>
  event.type === "xstate.init" ? ((event as { input?: SessionInput }).input ?? {}) : {};

export const listsInput = ({ context }: { context: SessionContext }): ListsInput => ({
  pubkey: context.pubkey,
  walletEnabled: context.preferences.walletEnabled,
});

/** The session's lists as they are after the transition's assignments (the effect picks its filter kinds). */
export const shareParams = ({ context }: { context: SessionContext }) => ({ pubkey: context.pubkey, lists: context.lists });

export const sessionSetup = setup({
  types: {
    input: {} as SessionInput,
    context: {} as SessionContext,
    events: {} as SessionEvent,
  },
  actors: {
    /** Finds the session's signer in the keyring: handed over at login, or rebuilt from storage. */
    restoreSigner: fromPromise<void, { pubkey: Hexpubkey; signer: SignerDescriptor }>(notProvided("restoreSigner")),
    /** Proves the signer answers for this pubkey, within a bounded wait. */
    authenticate: fromPromise<void, { pubkey: Hexpubkey }>(notProvided("authenticate")),
    /** One REQ for the session's lists (shared by the fetches of one tick), closed on EOSE; names the stored entries it found damaged. */
    fetchLists: fromPromise<FetchedLists, ListsInput>(notProvided("fetchLists")),
    /** Joins the shared live subscription; sends `list.received` for each newer verified list. */
    watchLists: fromCallback<EventObject, ListsInput>(notProvided("watchLists")),
    /** Resolves when the backoff after `attempt` failures, counted from `since`, is over. */
    backoff: fromPromise<void, BackoffInput>(notProvided("backoff")),
    /** The relays' newest verified version of one list, within the fetch timeout; rejects when no relay answered. */
    readList: fromPromise<ReadListOutput, ReadListInput>(notProvided("readList")),
    /**
     * One attempt of a write: applies it on its base, signs it, publishes it and reads which version
     * won; sends `write.stored` (at once, before relays answer), `write.rolledBack` (no relay took
     * it), then `write.attempted` with what it came to — or `write.settled` when it failed (its signer).
     */
    publishList: fromCallback<EventObject, PublishListInput>(notProvided("publishList")),
  },
  guards: {
    isReadOnly: ({ context }) => context.signer.type === READ_ONLY,
    isLocked: ({ event }) => errorOf(event).code === "locked",
    needsLogin: ({ event }) => NEEDS_LOGIN.has(failureOf(event).code),
    extensionAway: ({ event }) => EXTENSION_AWAY.has(errorOf(event).code),
    usesExtension: ({ context }) => context.signer.type === "nip07",
    approvalAsked: ({ event }) => event.type === "session.approval" && event.url !== null,
    bringsNewerList: ({ context, event }) => mergeEntries(context.lists, entriesOf(event)) !== context.lists,
    hasPartialLists: ({ context }) => hasPartialEntries(context.lists),
    /** The fetch that just ended leaves an entry read without the signer (it started before the signer was ready). */
    leavesPartialLists: ({ context, event }) => hasPartialEntries(refreshedLists(context.lists, fetchedOf(event))),
    restoredStopped: ({ event }) => restoredAs(event).stopped === true,
    restoredBackingOff: ({ context }) => context.listsFailure !== null,
    /** The signer region is where a signature can be asked for (awaiting an approval or a recheck included). */
    canSign: or([stateIn({ signer: "ready" }), stateIn({ signer: "awaitingApproval" }), stateIn({ signer: "verifying" })]),
    hasWaitingWrites: ({ context }) => context.writeQueue.length > 1,
    relaysBehind: w.readBehind,
    /** Another client's version won over the attempt just made. */
    lostToRival: w.attemptLost,
    /** No relay took the attempt just made (and no other client's version won). */
    noRelayTook: w.attemptRefused,
    /** The write under way has not been made MAX_ATTEMPTS times yet. */
    hasAttemptsLeft: w.hasAttemptsLeft,
  },
  actions: {
    /** Hands a changed mute or blocked-relays list to NDK's wiring (which applies it when this session is active). Provided from src/. */
    shareFilters: (_, _params: { pubkey: Hexpubkey; lists: ListSlots }) => {},
    storeEntries: assign({ lists: ({ context, event }) => mergeEntries(context.lists, entriesOf(event)) }),
    /** A fetch's entries, in place of the damaged stored ones it names (see refreshedLists). */
    storeFetched: assign({ lists: ({ context, event }) => refreshedLists(context.lists, fetchedOf(event)) }),
    storeEdits: assign({ lists: ({ context, event }) => mergeEntries(context.lists, localEdits(context.lists, entriesOf(event))) }),
    recordSignerFailure: assign(({ context, event }) => ({ signerFailure: failureOf(event), signerAttempt: context.signerAttempt + 1 })),
    recordListsFailure: assign(({ context, event }) => ({ listsFailure: errorOf(event), listsAttempt: context.listsAttempt + 1 })),
    markSignerReady: assign({ signerFailure: null, signerAttempt: 0 }),
    markListsReady: assign({ listsFailure: null, listsAttempt: 0 }),
    setApproval: assign({ approvalUrl: ({ event }) => (event.type === "session.approval" ? event.url : null) }),
    clearApproval: assign({ approvalUrl: null }),
    setPreferences: assign({
      preferences: ({ context, event }) =>
        event.type === "session.preferences.set" ? { ...context.preferences, ...event.preferences } : context.preferences,
    }),
    setSigner: assign({
      signer: ({ context, event }) => (event.type === "session.reauthenticate" ? event.signer : context.signer),
    }),
    /** Tells the manager the signer region settled (a session spawned on its own has no one to tell). */
    reportSigner: enqueueActions(({ context, enqueue, self }) => {
      if (self._parent) enqueue.sendParent({ type: "session.signer.changed", pubkey: context.pubkey } satisfies SignerChangedEvent);
    }),
    announceSigner: raise({ type: "signer.ready" }),
    /** Tells the callers waiting for writes how they ended. Provided from src/. */
    reportWrite: (_, _params: w.WriteReport) => {},
    queueWrite: assign({ writeQueue: w.writeQueued }),
    recordRefusal: assign({ lastWrite: w.refusalRecorded }),
    keepBase: assign({ writeQueue: w.baseKept }),
    rebaseOnRival: assign({ writeQueue: w.rebaseKept }),
    finishWrite: assign(w.writeFinished),
    dropWaitingWrites: assign(w.waitingDropped),
    rollBack: assign({ lists: w.listsRolledBack }),
    settleStale: raise({ type: "write.settled", outcome: w.STALE_RELAYS }),
    settleSignerLeft: raise({ type: "write.settled", outcome: w.SIGNER_LEFT }),
    settleUnread: raise(({ event }) => ({ type: "write.settled" as const, outcome: { ok: false as const, failure: errorOf(event) } })),
    /** The write ends after its last attempt: lost to other clients too often, refused, or done. */
    settleContended: raise(w.contendedSettled),
    settleRefused: raise(w.refusedSettled),
    settleDone: raise(w.doneSettled),
  },
});
