import { assign, enqueueActions, fromCallback, fromPromise, setup, type EventObject } from "xstate";
import { FILTER_KINDS, kindsOf, mergeEntries } from "./lists";
import {
  READ_ONLY,
  type FetchPlan,
  type Hexpubkey,
  type ListEntry,
  type ListSlots,
  type RetryPolicy,
  type SessionFailure,
  type SessionPreferences,
  type SignerDescriptor,
} from "./types";

export interface SessionInput {
  pubkey: Hexpubkey;
  signer: SignerDescriptor;
  plan: FetchPlan;
  retry: RetryPolicy;
  preferences?: SessionPreferences;
  lists?: ListSlots;
}

export interface SessionContext {
  pubkey: Hexpubkey;
  signer: SignerDescriptor;
  plan: FetchPlan;
  preferences: SessionPreferences;
  /** Newest verified list per slot; survives errors and restores (last-known lists). */
  lists: ListSlots;
  retry: RetryPolicy;
  /** Consecutive failures since the session was last ready. */
  attempt: number;
  failure: SessionFailure | null;
  /** Epoch ms of the next automatic retry: a stored deadline, because `after` timers do not survive a restore. */
  retryAt: number | null;
  /** Where the user approves the pending request of a remote signer (NIP-46 auth_url). */
  approvalUrl?: string | null;
}

export type SessionEvent =
  | { type: "session.retry" }
  | { type: "session.refresh" }
  | { type: "session.reauthenticate"; signer: SignerDescriptor }
  /** After a restore: obtain the signer again and refresh the lists (idle sessions stay idle). */
  | { type: "session.resume" }
  /** The key was unlocked (its signer is in the runtime): sign in with it. */
  | { type: "session.unlock" }
  /** The key was forgotten: signing is unavailable until the next unlock. */
  | { type: "session.lock" }
  /** Look again at a signer that was away (the page regained focus: an extension may be back). */
  | { type: "signer.recheck" }
  /** The signer returned a signature that is not this session's: it was dropped. */
  | { type: "session.fault"; failure: SessionFailure }
  /** The remote signer waits for its user at `url` (NIP-46 auth_url), or answered (`null`). */
  | { type: "session.approval"; url: string | null }
  | { type: "session.start"; plan?: FetchPlan }
  | { type: "session.stop" }
  | { type: "session.preferences.set"; preferences: SessionPreferences }
  | { type: "session.monitor"; kinds: number[] }
  | { type: "list.received"; entries: ListEntry[] };

/** Sent to the parent (the manager) when a list that feeds NDK's filters changed. */
export interface FiltersChangedEvent {
  type: "session.filters.changed";
  pubkey: Hexpubkey;
}

export interface ListsInput {
  pubkey: Hexpubkey;
  kinds: number[];
  /** The lists already stored: a refresh asks only for newer ones, and skips any it finds again. */
  known?: Array<Pick<ListEntry, "key" | "id" | "createdAt">>;
}

/** Exponential backoff: baseMs, 2×, 4×, … capped at maxMs. */
export const retryDelay = (policy: RetryPolicy, attempt: number) => Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));

const notProvided = (name: string) => () => {
  throw new Error(`session actor "${name}" must be provided from src/ (machine.provide)`);
};

/**
 * What an effect's rejection leaves in context (persisted and inspected): our effects reject with a
 * code and a message written to be shown; anything else keeps only its error name, since a foreign
 * message may quote what it failed on.
 */
function asFailure(error: unknown): SessionFailure {
  const candidate = error as (Partial<SessionFailure> & { name?: unknown }) | undefined;
  const ours = typeof candidate?.code === "string" && typeof candidate.message === "string";
  const name = typeof candidate?.name === "string" ? candidate.name : "Error";
  return {
    code: ours ? candidate.code! : "unexpected",
    message: ours ? candidate.message! : `unexpected failure (${name})`,
    at: typeof candidate?.at === "number" ? candidate.at : 0,
  };
}

/** Failures only the user can mend (a new login): retrying on a timer would change nothing. */
const NEEDS_LOGIN: ReadonlySet<string> = new Set(["signer-unavailable", "signer-mismatch"]);

/** The extension is missing or on another account: not a crash, and it may come back by itself. */
const EXTENSION_AWAY: ReadonlySet<string> = new Set(["extension-missing", "extension-other-account"]);

/** Entries brought by a live update or by the fetch's done event. */
const entriesOf = (event: SessionEvent | { type: string; output?: unknown }): ListEntry[] =>
  event.type === "list.received" ? (event as { entries: ListEntry[] }).entries : ((event as { output?: ListEntry[] }).output ?? []);

export const sessionMachine = setup({
  types: {
    input: {} as SessionInput,
    context: {} as SessionContext,
    events: {} as SessionEvent,
  },
  actors: {
    /** Finds the session's signer: the one handed over at login, or one rebuilt from storage. */
    restoreSigner: fromPromise<void, { pubkey: Hexpubkey; signer: SignerDescriptor }>(notProvided("restoreSigner")),
    /** Proves the signer answers for this pubkey, within a bounded wait. */
    authenticate: fromPromise<void, { pubkey: Hexpubkey }>(notProvided("authenticate")),
    /** One REQ for the session's lists, closed on EOSE; resolves with verified, parsed entries. */
    fetchLists: fromPromise<ListEntry[], ListsInput>(notProvided("fetchLists")),
    /** Joins the shared live subscription; sends `list.received` for each newer verified list. */
    watchLists: fromCallback<EventObject, ListsInput>(notProvided("watchLists")),
    /** Resolves at an absolute time (or `delayMs` from now when none is known), so a restored session keeps its deadline. */
    waitUntil: fromPromise<void, { until: number | null; delayMs: number }>(notProvided("waitUntil")),
  },
  guards: {
    isReadOnly: ({ context }) => context.signer.type === READ_ONLY,
    needsLogin: ({ event }) => NEEDS_LOGIN.has(asFailure((event as { error?: unknown }).error).code),
    isLocked: ({ event }) => asFailure((event as { error?: unknown }).error).code === "locked",
    usesExtension: ({ context }) => context.signer.type === "nip07",
    faultNeedsLogin: ({ event }) => event.type === "session.fault" && NEEDS_LOGIN.has(event.failure.code),
    approvalAsked: ({ event }) => event.type === "session.approval" && event.url !== null,
    extensionAway: ({ event }) => EXTENSION_AWAY.has(asFailure((event as { error?: unknown }).error).code),
    bringsNewerList: ({ context, event }) =>
      event.type === "list.received" && mergeEntries(context.lists, event.entries) !== context.lists,
  },
  actions: {
    storeEntries: assign({ lists: ({ context, event }) => mergeEntries(context.lists, entriesOf(event)) }),
    /**
     * Tells the parent (the manager), when there is one, that a list feeding NDK's filters is about to
     * change. Runs before `storeEntries`; the event is delivered after the transition.
     */
    reportFilterChange: enqueueActions(({ context, event, enqueue, self }) => {
      const filterEntries = entriesOf(event).filter((e) => FILTER_KINDS.has(e.kind));
      if (self._parent && mergeEntries(context.lists, filterEntries) !== context.lists)
        enqueue.sendParent({ type: "session.filters.changed", pubkey: context.pubkey } satisfies FiltersChangedEvent);
    }),
    recordFailure: assign(({ context, event }) => {
      const failure = asFailure(event.type === "session.fault" ? event.failure : (event as unknown as { error: unknown }).error);
      const attempt = context.attempt + 1;
      // Without a timestamp (an effect that threw unexpectedly) the waiting actor counts from its own start.
      return { failure, attempt, retryAt: failure.at > 0 ? failure.at + retryDelay(context.retry, attempt) : null };
    }),
    markReady: assign({ attempt: 0, failure: null, retryAt: null }),
    setApproval: assign({ approvalUrl: ({ event }) => (event.type === "session.approval" ? event.url : null) }),
    setPreferences: assign({
      preferences: ({ context, event }) =>
        event.type === "session.preferences.set" ? { ...context.preferences, ...event.preferences } : context.preferences,
    }),
    addKinds: assign({
      plan: ({ context, event }) =>
        event.type === "session.monitor"
          ? { ...context.plan, kinds: [...new Set([...context.plan.kinds, ...event.kinds])] }
          : context.plan,
    }),
    setPlan: assign({
      plan: ({ context, event }) => (event.type === "session.start" && event.plan ? event.plan : context.plan),
    }),
    setSigner: assign({
      signer: ({ context, event }) => (event.type === "session.reauthenticate" ? event.signer : context.signer),
    }),
  },
}).createMachine({
  id: "session",
  description: "One Nostr login: its signer, its lists, and their live updates.",
  context: ({ input }) => ({
    pubkey: input.pubkey,
    signer: input.signer,
    plan: input.plan,
    preferences: input.preferences ?? {},
    lists: input.lists ?? {},
    retry: input.retry,
    attempt: 0,
    failure: null,
    retryAt: null,
  }),
  initial: "restoring",
  on: {
    "list.received": { guard: "bringsNewerList", actions: ["reportFilterChange", "storeEntries"] },
    "session.preferences.set": { actions: "setPreferences" },
    "session.monitor": { actions: "addKinds" },
    "session.reauthenticate": { target: ".restoring", actions: "setSigner" },
    // Re-entered even from `restoring` itself: a rehydrated state starts none of its actors.
    "session.resume": { target: ".restoring", reenter: true },
    "session.lock": { target: ".locked" },
    "session.fault": [
      { guard: "faultNeedsLogin", target: ".error.needsLogin", actions: "recordFailure" },
      { target: ".error.retrying", actions: "recordFailure" },
    ],
    "session.approval": { actions: "setApproval" },
    "session.stop": { target: ".idle" },
    "session.start": { actions: "setPlan" },
  },
  states: {
    restoring: {
      description: "Obtains the signer: handed over by a login, or rebuilt from storage.",
      invoke: {
        id: "restoreSigner",
        src: "restoreSigner",
        input: ({ context }) => ({ pubkey: context.pubkey, signer: context.signer }),
        onDone: [{ guard: "isReadOnly", target: "live" }, { target: "authenticating" }],
        onError: [
          { guard: "isLocked", target: "locked" },
          { guard: "needsLogin", target: "error.needsLogin", actions: "recordFailure" },
          { target: "error.retrying", actions: "recordFailure" },
        ],
      },
    },
    locked: {
      description: "The key is stored encrypted (NIP-49): identity and last lists are here, signing waits for unlock.",
      on: { "session.unlock": { target: "restoring" }, "session.lock": {} },
    },
    authenticating: {
      description: "Asks the signer for its user and checks it is this session's pubkey.",
      invoke: {
        id: "authenticate",
        src: "authenticate",
        input: ({ context }) => ({ pubkey: context.pubkey }),
        onDone: { target: "live" },
        onError: [
          { guard: "extensionAway", target: "error.extensionUnavailable", actions: "recordFailure" },
          { guard: "needsLogin", target: "error.needsLogin", actions: "recordFailure" },
          { target: "error.retrying", actions: "recordFailure" },
        ],
      },
    },
    live: {
      description: "Subscribed to the shared live subscription for the whole stay, so nothing published after the fetch is missed.",
      invoke: {
        id: "watchLists",
        src: "watchLists",
        input: ({ context }) => ({ pubkey: context.pubkey, kinds: kindsOf(context.plan, context.preferences.walletEnabled) }),
      },
      initial: "fetching",
      on: {
        "session.preferences.set": { target: "live", reenter: true, actions: "setPreferences" },
        "session.monitor": { target: "live", reenter: true, actions: "addKinds" },
        "session.start": { target: "live", reenter: true, actions: "setPlan" },
      },
      states: {
        fetching: {
          description: "One REQ for every list of the plan, closed on EOSE.",
          invoke: {
            id: "fetchLists",
            src: "fetchLists",
            input: ({ context }) => ({
              pubkey: context.pubkey,
              kinds: kindsOf(context.plan, context.preferences.walletEnabled),
              known: Object.values(context.lists).map(({ key, id, createdAt }) => ({ key, id, createdAt })),
            }),
            onDone: { target: "ready", actions: ["reportFilterChange", "storeEntries", "markReady"] },
            onError: { target: "#session.error.retrying", actions: "recordFailure" },
          },
        },
        ready: {
          description: "Lists loaded; newer versions keep arriving through the live subscription.",
          on: {
            "session.refresh": { target: "fetching" },
            "signer.recheck": { guard: "usesExtension", target: "verifying" },
            "session.approval": { guard: "approvalAsked", target: "awaitingApproval", actions: "setApproval" },
          },
        },
        awaitingApproval: {
          description: "The remote signer waits for its user (context.approvalUrl); its time does not count against timeouts.",
          on: { "session.approval": [{ guard: "approvalAsked", actions: "setApproval" }, { target: "ready", actions: "setApproval" }] },
        },
        verifying: {
          description: "The page regained focus: is the extension still there, on this account?",
          invoke: {
            id: "reverify",
            src: "authenticate",
            input: ({ context }) => ({ pubkey: context.pubkey }),
            onDone: { target: "ready" },
            onError: [
              { guard: "extensionAway", target: "#session.error.extensionUnavailable", actions: "recordFailure" },
              { target: "#session.error.retrying", actions: "recordFailure" },
            ],
          },
        },
      },
    },
    idle: {
      description: "Stopped by stopSession(): lists kept, no relay traffic, no retries.",
      on: {
        "session.start": { target: "restoring", actions: "setPlan" },
        "session.stop": {},
        "session.resume": {},
      },
    },
    error: {
      description: "Failed, with the reason in context.failure; session.retry tries again at once.",
      on: { "session.retry": { target: "restoring" } },
      initial: "retrying",
      states: {
        retrying: {
          description: "Retries on a backoff deadline that survives a restore.",
          invoke: {
            id: "retryTimer",
            src: "waitUntil",
            input: ({ context }) => ({ until: context.retryAt, delayMs: retryDelay(context.retry, context.attempt) }),
            onDone: { target: "#session.restoring" },
          },
        },
        needsLogin: {
          description: "The signer is missing or answers for someone else: only a new login (or session.retry) helps.",
        },
        extensionUnavailable: {
          description: "The NIP-07 extension is missing or on another account; looked at again when the page regains focus.",
          on: { "signer.recheck": { target: "#session.restoring" } },
        },
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;
