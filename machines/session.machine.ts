import { and, assign, enqueueActions, fromCallback, fromPromise, not, raise, setup, stateIn, type EventObject } from "xstate";
import { asFailure, EXTENSION_AWAY, NEEDS_LOGIN } from "./failures";
import { hasPartialEntries, knownEntries, localEdits, mergeEntries } from "./lists";
import type { ListsInput, SessionContext, SessionEvent, SessionInput, SignerChangedEvent } from "./session.types";
import { READ_ONLY, type BackoffInput, type Hexpubkey, type ListEntry, type ListSlots, type SessionFailure, type SignerDescriptor } from "./types";

export type { ListsInput, SessionContext, SessionEvent, SessionInput, SignerChangedEvent } from "./session.types";

const notProvided = (name: string) => () => {
  throw new Error(`session actor "${name}" must be provided from src/ (machine.provide)`);
};

const errorOf = (event: { error?: unknown } | EventObject) => asFailure((event as { error?: unknown }).error);

/** Entries brought by a live update or by the fetch's done event. */
const entriesOf = (event: EventObject): ListEntry[] =>
  event.type === "list.received" || event.type === "session.update"
    ? (event as unknown as { entries: ListEntry[] }).entries
    : ((event as { output?: ListEntry[] }).output ?? []);

const failureOf = (event: EventObject): SessionFailure =>
  event.type === "session.fault" ? (event as unknown as { failure: SessionFailure }).failure : errorOf(event);

const restoredAs = (event: EventObject): Partial<SessionInput> =>
  event.type === "xstate.init" ? ((event as { input?: SessionInput }).input ?? {}) : {};

const listsInput = ({ context }: { context: SessionContext }): ListsInput => ({
  pubkey: context.pubkey,
  walletEnabled: context.preferences.walletEnabled,
});

/** The session's lists as they are after the transition's assignments (the effect picks its filter kinds). */
const shareParams = ({ context }: { context: SessionContext }) => ({ pubkey: context.pubkey, lists: context.lists });

export const sessionMachine = setup({
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
    /** One REQ for the session's lists (shared by the fetches of one tick), closed on EOSE. */
    fetchLists: fromPromise<ListEntry[], ListsInput>(notProvided("fetchLists")),
    /** Joins the shared live subscription; sends `list.received` for each newer verified list. */
    watchLists: fromCallback<EventObject, ListsInput>(notProvided("watchLists")),
    /** Resolves when the backoff after `attempt` failures, counted from `since`, is over. */
    backoff: fromPromise<void, BackoffInput>(notProvided("backoff")),
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
    leavesPartialLists: ({ context, event }) => hasPartialEntries(mergeEntries(context.lists, entriesOf(event))),
    restoredStopped: ({ event }) => restoredAs(event).stopped === true,
    restoredBackingOff: ({ context }) => context.listsFailure !== null,
  },
  actions: {
    /** Hands a changed mute or blocked-relays list to NDK's wiring (which applies it when this session is active). Provided from src/. */
    shareFilters: (_, _params: { pubkey: Hexpubkey; lists: ListSlots }) => {},
    storeEntries: assign({ lists: ({ context, event }) => mergeEntries(context.lists, entriesOf(event)) }),
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
  },
}).createMachine({
  id: "session",
  description: "One Nostr login: what its signer can do and what its lists are, in two regions that fail and recover on their own.",
  type: "parallel",
  context: ({ input }) => ({
    pubkey: input.pubkey,
    signer: input.signer,
    preferences: input.preferences ?? {},
    lists: input.lists ?? {},
    signerFailure: null,
    signerAttempt: 0,
    listsFailure: input.listsFailure ?? null,
    listsAttempt: input.listsAttempt ?? 0,
    approvalUrl: null,
  }),
  entry: { type: "shareFilters", params: shareParams },
  on: {
    "session.update": { actions: ["storeEdits", { type: "shareFilters", params: shareParams }] },
    "list.received": {
      guard: "bringsNewerList",
      actions: [
        "storeEntries",
        { type: "shareFilters", params: shareParams },
      ],
    },
  },
  states: {
    signer: {
      description: "Whether the session can sign. Decided here alone; a read-only session has no signer.",
      initial: "restoring",
      on: {
        "session.reauthenticate": { target: ".restoring", actions: "setSigner" },
        "session.lock": { guard: not("isReadOnly"), target: ".locked" },
        "session.fault": [
          { guard: "needsLogin", target: ".unavailable.needsLogin", actions: "recordSignerFailure" },
          { target: ".retrying", actions: "recordSignerFailure" },
        ],
      },
      states: {
        restoring: {
          description: "Finds the signer: handed over by a login, or rebuilt from storage.",
          invoke: {
            id: "restoreSigner",
            src: "restoreSigner",
            input: ({ context }) => ({ pubkey: context.pubkey, signer: context.signer }),
            onDone: [{ guard: "isReadOnly", target: "readOnly" }, { target: "authenticating" }],
            onError: [
              { guard: "isLocked", target: "locked" },
              { guard: "needsLogin", target: "unavailable.needsLogin", actions: "recordSignerFailure" },
              { target: "retrying", actions: "recordSignerFailure" },
            ],
          },
        },
        authenticating: {
          description: "Asks the signer for its user and checks it is this session's pubkey.",
          entry: "reportSigner",
          invoke: {
            id: "authenticate",
            src: "authenticate",
            input: ({ context }) => ({ pubkey: context.pubkey }),
            onDone: { target: "ready", actions: "markSignerReady" },
            onError: [
              { guard: "extensionAway", target: "unavailable.extensionAway", actions: "recordSignerFailure" },
              { guard: "needsLogin", target: "unavailable.needsLogin", actions: "recordSignerFailure" },
              { target: "retrying", actions: "recordSignerFailure" },
            ],
          },
        },
        ready: {
          description: "Signs, one call at a time, each signature checked as this session's.",
          entry: "announceSigner",
          on: {
            "signer.recheck": { guard: "usesExtension", target: "verifying" },
            "session.approval": { guard: "approvalAsked", target: "awaitingApproval", actions: "setApproval" },
          },
        },
        awaitingApproval: {
          description: "The remote signer waits for its user (context.approvalUrl); that time never counts against timeouts.",
          exit: "clearApproval",
          on: { "session.approval": [{ guard: "approvalAsked", actions: "setApproval" }, { target: "ready" }] },
        },
        verifying: {
          description: "The page regained focus: is the extension still there, on this account?",
          invoke: {
            id: "reverify",
            src: "authenticate",
            input: ({ context }) => ({ pubkey: context.pubkey }),
            onDone: { target: "ready" },
            onError: [
              { guard: "extensionAway", target: "unavailable.extensionAway", actions: "recordSignerFailure" },
              { guard: "needsLogin", target: "unavailable.needsLogin", actions: "recordSignerFailure" },
              { target: "retrying", actions: "recordSignerFailure" },
            ],
          },
        },
        locked: {
          description: "The key is stored encrypted (NIP-49): the session reads, and signs once unlocked.",
          entry: "reportSigner",
          on: { "session.unlock": { target: "restoring" } },
        },
        retrying: {
          description: "The signer failed in a way that may pass (a remote signer away): tries again on a backoff that survives a restore.",
          entry: "reportSigner",
          invoke: {
            id: "signerBackoff",
            src: "backoff",
            input: ({ context }) => ({ attempt: context.signerAttempt, since: context.signerFailure?.at ?? 0 }),
            onDone: { target: "restoring" },
          },
          on: { "session.retry": { target: "restoring" } },
        },
        unavailable: {
          description: "No usable signer until the user acts; the lists keep loading meanwhile.",
          entry: "reportSigner",
          on: { "session.retry": { target: "restoring" } },
          initial: "needsLogin",
          states: {
            needsLogin: {
              description: "No key was kept, or the signer answers for someone else: a new login (or session.retry) helps.",
            },
            extensionAway: {
              description: "The NIP-07 extension is missing or on another account; looked at again when the page regains focus.",
              on: { "signer.recheck": { target: "#session.signer.restoring" } },
            },
          },
        },
        readOnly: {
          description: "Logged in with a pubkey alone: reads, never signs.",
          entry: "reportSigner",
        },
      },
    },
    lists: {
      description: "The session's lists, read from relays whatever the signer region says.",
      initial: "starting",
      states: {
        starting: {
          description: "Picks up where a restored session left off: stopped, backing off, or fetching.",
          always: [
            { guard: "restoredStopped", target: "idle" },
            { guard: "restoredBackingOff", target: "live.retrying" },
            { target: "live" },
          ],
        },
        live: {
          description: "On the shared live subscription for the whole stay, so nothing published after a fetch is missed.",
          invoke: { id: "watchLists", src: "watchLists", input: listsInput },
          initial: "fetching",
          on: {
            "session.stop": { target: "idle" },
            "session.start": { target: "live", reenter: true },
            "session.monitor": { target: "live", reenter: true },
            "session.preferences.set": { target: "live", reenter: true, actions: "setPreferences" },
          },
          states: {
            fetching: {
              description: "One REQ for every list of the app's plan, closed on EOSE.",
              invoke: {
                id: "fetchLists",
                src: "fetchLists",
                input: ({ context }) => ({ ...listsInput({ context }), known: knownEntries(context.lists) }),
                onDone: [
                  {
                    // The signer became ready while this fetch was out: what it read without it is read again.
                    guard: and([stateIn({ signer: "ready" }), "leavesPartialLists"]),
                    target: "fetching",
                    reenter: true,
                    actions: ["storeEntries", "markListsReady", { type: "shareFilters", params: shareParams }],
                  },
                  { target: "ready", actions: ["storeEntries", "markListsReady", { type: "shareFilters", params: shareParams }] },
                ],
                onError: { target: "retrying", actions: "recordListsFailure" },
              },
            },
            ready: {
              description: "Lists loaded; newer versions keep arriving on the live subscription.",
              on: {
                "session.refresh": { target: "fetching" },
                "signer.ready": { guard: "hasPartialLists", target: "fetching" },
              },
            },
            retrying: {
              description: "No relay answered: fetches again on a backoff that survives a restore. The signer is not asked again.",
              invoke: {
                id: "listsBackoff",
                src: "backoff",
                input: ({ context }) => ({ attempt: context.listsAttempt, since: context.listsFailure?.at ?? 0 }),
                onDone: { target: "fetching" },
              },
              on: { "session.retry": { target: "fetching" }, "session.refresh": { target: "fetching" } },
            },
          },
        },
        idle: {
          description: "Stopped by stopSession(): lists kept, no relay traffic, no retries.",
          on: {
            "session.start": { target: "live" },
            "session.preferences.set": { actions: "setPreferences" },
          },
        },
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;
