import { and, assign, enqueueActions, sendTo, setup } from "xstate";
import { sessionMachine, type FiltersChangedEvent, type SessionInput } from "./session.machine";
import type { FetchPlan, Hexpubkey, ListSlots, RetryPolicy, SessionFailure, SessionPreferences, SignerDescriptor } from "./types";

/** The id and systemId of a session actor: `system.get(sessionId(pk))` reaches it from anywhere. */
export const sessionId = (pubkey: Hexpubkey) => `session:${pubkey}`;

export const DEFAULT_PLAN: FetchPlan = {
  profile: true,
  follows: true,
  mutes: true,
  blockedRelays: true,
  relayList: true,
  wallet: false,
  kinds: [],
};

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

export interface ManagerInput {
  plan?: FetchPlan;
  retry?: RetryPolicy;
}

export interface ManagerContext {
  /** Logged-in pubkeys, oldest login first. */
  pubkeys: Hexpubkey[];
  activePubkey: Hexpubkey | null;
  /**
   * Unix seconds each session was last made active (0: never). Kept here, not in the sessions, so
   * a switch is one transition of one actor.
   */
  lastActive: Record<Hexpubkey, number>;
  /** The fetch plan every new session starts with. */
  plan: FetchPlan;
  retry: RetryPolicy;
}

export type ManagerEvent =
  | {
      type: "account.login";
      pubkey: Hexpubkey;
      signer: SignerDescriptor;
      setActive: boolean;
      /** Unix seconds, for lastActive when the login makes the session active. */
      at: number;
      /** A restored session's lastActive. */
      lastActive?: number;
      preferences?: SessionPreferences;
      lists?: ListSlots;
    }
  | { type: "account.logout"; pubkey: Hexpubkey }
  | { type: "account.switch"; pubkey: Hexpubkey | null; at: number }
  | { type: "monitor.add"; kinds: number[] }
  | { type: "session.start"; pubkey: Hexpubkey; plan?: FetchPlan }
  | { type: "session.stop"; pubkey: Hexpubkey }
  | { type: "session.preferences.set"; pubkey: Hexpubkey; preferences: SessionPreferences }
  | { type: "session.resume"; pubkey: Hexpubkey }
  /** Try a failed session again now, without waiting for its backoff. */
  | { type: "session.retry"; pubkey: Hexpubkey }
  /** Fetch a ready session's lists again now. */
  | { type: "session.refresh"; pubkey: Hexpubkey }
  | { type: "session.unlock"; pubkey: Hexpubkey }
  | { type: "session.lock"; pubkey: Hexpubkey }
  /** The session's signer returned a signature that is not the session's: it must not sign again. */
  | { type: "session.fault"; pubkey: Hexpubkey; failure: SessionFailure }
  /** The session's remote signer waits for its user (NIP-46 auth_url), or answered (`null`). */
  | { type: "session.approval"; pubkey: Hexpubkey; url: string | null }
  /** The page regained focus: sessions whose signer was away look again. */
  | { type: "signers.recheck" }
  | FiltersChangedEvent
  | { type: "manager.stop" };

const pubkeyOf = (event: ManagerEvent) => ("pubkey" in event ? event.pubkey : null);
const targetOf = (event: ManagerEvent) => sessionId(pubkeyOf(event) ?? "");

/** NDK follows whatever is active once the transition's assignments are done. */
const wireActive = { type: "wireNdk", params: ({ context }: { context: ManagerContext }) => ({ pubkey: context.activePubkey }) } as const;
const releaseTarget = {
  type: "releaseSession",
  params: ({ event }: { event: ManagerEvent }) => ({ pubkey: pubkeyOf(event) ?? "" }),
} as const;

export const managerMachine = setup({
  types: {
    input: {} as ManagerInput | undefined,
    context: {} as ManagerContext,
    events: {} as ManagerEvent,
  },
  actors: { session: sessionMachine },
  guards: {
    isKnown: ({ context, event }) => context.pubkeys.includes(pubkeyOf(event) ?? ""),
    isClearing: ({ event }) => event.type === "account.switch" && event.pubkey === null,
    isActive: ({ context, event }) => pubkeyOf(event) !== null && pubkeyOf(event) === context.activePubkey,
    wantsActive: ({ event }) => event.type === "account.login" && event.setActive,
  },
  actions: {
    /** Points NDK's signer, activeUser and filters at the active session (or clears them). Provided from src/. */
    wireNdk: (_, _params: { pubkey: Hexpubkey | null }) => {},
    /** Rebuilds NDK's mute and relay-connection filters from the active session's lists. Provided from src/. */
    wireFilters: (_, _params: { pubkey: Hexpubkey }) => {},
    /** Drops the runtime resources of a logged-out session (its signer). Provided from src/. */
    releaseSession: (_, _params: { pubkey: Hexpubkey }) => {},
    spawnSession: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "account.login") return;
      const input: SessionInput = {
        pubkey: event.pubkey,
        signer: event.signer,
        plan: context.plan,
        retry: context.retry,
        preferences: event.preferences,
        lists: event.lists,
      };
      const id = sessionId(event.pubkey);
      enqueue.spawnChild("session", { id, systemId: id, input });
      enqueue.assign({
        pubkeys: [...context.pubkeys, event.pubkey],
        lastActive: { ...context.lastActive, [event.pubkey]: event.lastActive ?? 0 },
      });
    }),
    reauthenticate: sendTo(
      ({ event }) => targetOf(event),
      ({ event }) => ({ type: "session.reauthenticate" as const, signer: (event as { signer: SignerDescriptor }).signer }),
    ),
    activate: assign(({ context, event }) => {
      const { pubkey, at } = event as Extract<ManagerEvent, { type: "account.switch" | "account.login" }>;
      return { activePubkey: pubkey, lastActive: pubkey ? { ...context.lastActive, [pubkey]: at } : context.lastActive };
    }),
    deactivate: assign({ activePubkey: null }),
    stopSession: enqueueActions(({ event, enqueue }) => enqueue.stopChild(targetOf(event))),
    forget: assign(({ context, event }) => {
      const gone = pubkeyOf(event) ?? "";
      const { [gone]: _forgotten, ...lastActive } = context.lastActive;
      return { pubkeys: context.pubkeys.filter((pk) => pk !== gone), lastActive };
    }),
    /** After the active session logs out, the oldest remaining login becomes active. */
    activateNext: assign({ activePubkey: ({ context }) => context.pubkeys[0] ?? null }),
    forward: sendTo(
      ({ event }) => targetOf(event),
      ({ event }) => {
        const { pubkey: _pubkey, ...rest } = event as ManagerEvent & { pubkey: Hexpubkey };
        return rest as never;
      },
    ),
    extendPlan: assign({
      plan: ({ context, event }) =>
        event.type === "monitor.add"
          ? { ...context.plan, kinds: [...new Set([...context.plan.kinds, ...event.kinds])] }
          : context.plan,
    }),
    broadcastRecheck: enqueueActions(({ context, enqueue }) => {
      for (const pk of context.pubkeys) enqueue.sendTo(sessionId(pk), { type: "signer.recheck" });
    }),
    broadcastMonitor: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "monitor.add") return;
      for (const pk of context.pubkeys) enqueue.sendTo(sessionId(pk), { type: "session.monitor", kinds: event.kinds });
    }),
  },
}).createMachine({
  id: "manager",
  description: "Spawns one session actor per logged-in pubkey and keeps track of the active one.",
  context: ({ input }) => ({
    pubkeys: [],
    activePubkey: null,
    lastActive: {},
    plan: input?.plan ?? DEFAULT_PLAN,
    retry: input?.retry ?? DEFAULT_RETRY,
  }),
  initial: "running",
  states: {
    running: {
      description: "Takes logins, logouts and switches, forwards session commands, and keeps NDK wired to the active session.",
      on: {
        "account.login": [
          {
            guard: and(["isKnown", "wantsActive"]),
            description: "Same pubkey again: hand the session its new signer, and make it active.",
            actions: ["reauthenticate", "activate", wireActive],
          },
          {
            guard: and(["isKnown", "isActive"]),
            description: "The active session's signer changed: NDK must sign with the new one.",
            actions: ["reauthenticate", wireActive],
          },
          { guard: "isKnown", actions: ["reauthenticate"] },
          {
            guard: "wantsActive",
            actions: ["spawnSession", "activate", wireActive],
          },
          { actions: ["spawnSession"] },
        ],
        "account.switch": [
          { guard: "isClearing", actions: ["deactivate", wireActive] },
          { guard: "isKnown", actions: ["activate", wireActive] },
        ],
        "account.logout": [
          {
            guard: "isActive",
            description: "The active session leaves: the oldest remaining login takes over.",
            actions: ["stopSession", "forget", releaseTarget, "activateNext", wireActive],
          },
          { guard: "isKnown", actions: ["stopSession", "forget", releaseTarget] },
        ],
        "session.filters.changed": {
          guard: "isActive",
          actions: { type: "wireFilters", params: ({ event }) => ({ pubkey: event.pubkey }) },
        },
        "monitor.add": { actions: ["extendPlan", "broadcastMonitor"] },
        "signers.recheck": { actions: "broadcastRecheck" },
        "session.start": { guard: "isKnown", actions: "forward" },
        "session.stop": { guard: "isKnown", actions: "forward" },
        "session.preferences.set": { guard: "isKnown", actions: "forward" },
        "session.resume": { guard: "isKnown", actions: "forward" },
        "session.retry": { guard: "isKnown", actions: "forward" },
        "session.refresh": { guard: "isKnown", actions: "forward" },
        "session.fault": [{ guard: "isActive", actions: ["forward", wireActive] }, { guard: "isKnown", actions: "forward" }],
        "session.approval": { guard: "isKnown", actions: "forward" },
        // The runtime's signer changed under the session: NDK follows when it is the active one.
        "session.unlock": [{ guard: "isActive", actions: ["forward", wireActive] }, { guard: "isKnown", actions: "forward" }],
        "session.lock": [{ guard: "isActive", actions: ["forward", wireActive] }, { guard: "isKnown", actions: "forward" }],
        "manager.stop": { target: "stopped" },
      },
    },
    stopped: {
      type: "final",
      description: "All session actors stopped; the manager accepts nothing more.",
    },
  },
});

export type ManagerMachine = typeof managerMachine;
