import { and, assign, enqueueActions, fromCallback, fromPromise, sendTo, setup, type EventObject } from "xstate";
import { sessionMachine, type SessionInput, type SignerChangedEvent } from "./session.machine";
import type { FetchPlan, Hexpubkey, ListEntry, ListSlots, ListWrite, SessionFailure, SessionPreferences, SignerDescriptor } from "./types";

/** The id and systemId of a session actor: `system.get(sessionId(pk))` reaches it from anywhere. */
export const sessionId = (pubkey: Hexpubkey) => `session:${pubkey}`;

export interface ManagerContext {
  /** Logged-in pubkeys, oldest login first. */
  pubkeys: Hexpubkey[];
  activePubkey: Hexpubkey | null;
  /**
   * Unix seconds each session was last made active (0: never). Kept here, not in the sessions, so
   * a switch is one transition of one actor.
   */
  lastActive: Record<Hexpubkey, number>;
}

/** One account as storage had it: enough to spawn its session where it left off. */
export interface RestoredAccount extends SessionInput {
  lastActive: number;
}

/** What `loadState` found: accounts to bring back (those already logged in are left as they are). */
export interface LoadedState {
  accounts: RestoredAccount[];
  activePubkey: Hexpubkey | null;
}

export type ManagerEvent =
  | {
      type: "account.login";
      pubkey: Hexpubkey;
      signer: SignerDescriptor;
      setActive: boolean;
      /** Unix seconds, for lastActive when the login makes the session active. */
      at: number;
      /** Another tab's account: its lastActive, preferences and last-known lists. */
      lastActive?: number;
      preferences?: SessionPreferences;
      lists?: ListSlots;
    }
  | { type: "account.logout"; pubkey: Hexpubkey }
  | { type: "account.switch"; pubkey: Hexpubkey | null; at: number }
  /** The app follows more kinds in one session (configuration: kept by the effects, not stored). */
  | { type: "monitor.add"; pubkey: Hexpubkey; kinds: number[] }
  /** The app gives one session a plan of its own (configuration, like monitor.add), or starts it again. */
  | { type: "session.start"; pubkey: Hexpubkey; plan?: FetchPlan }
  | { type: "session.stop"; pubkey: Hexpubkey }
  | { type: "session.preferences.set"; pubkey: Hexpubkey; preferences: SessionPreferences }
  /** The app edited a session's lists itself (updateSession). */
  | { type: "session.update"; pubkey: Hexpubkey; entries: ListEntry[] }
  /** Try a failed session again now, without waiting for its backoff. */
  | { type: "session.retry"; pubkey: Hexpubkey }
  /** Fetch a session's lists again now. */
  | { type: "session.refresh"; pubkey: Hexpubkey }
  /** Edit one of a session's lists; the outcome goes to whoever waits for `requestId`. */
  | { type: "list.write"; pubkey: Hexpubkey; write: ListWrite; requestId: string }
  | { type: "session.unlock"; pubkey: Hexpubkey }
  | { type: "session.lock"; pubkey: Hexpubkey }
  /** A session's signer signed as someone else, or stopped answering (signer news, from the keyring). */
  | { type: "session.fault"; pubkey: Hexpubkey; failure: SessionFailure }
  /** A session's remote signer waits for its user at `url` (NIP-46 auth_url), or answered (`null`). */
  | { type: "session.approval"; pubkey: Hexpubkey; url: string | null }
  /** The page regained focus: sessions whose signer was away look again. */
  | { type: "signers.recheck" }
  /** Read storage and bring back the sessions it holds. */
  | { type: "manager.restore" }
  | SignerChangedEvent
  | { type: "manager.stop" };

const pubkeyOf = (event: ManagerEvent) => ("pubkey" in event ? event.pubkey : null);
const targetOf = (event: ManagerEvent) => sessionId(pubkeyOf(event) ?? "");
const loadedOf = (event: unknown) => (event as { output: LoadedState }).output;

/** NDK follows whatever is active once the transition's assignments are done. */
const wireActive = { type: "wireNdk", params: ({ context }: { context: ManagerContext }) => ({ pubkey: context.activePubkey }) } as const;
const releaseTarget = {
  type: "releaseSession",
  params: ({ event }: { event: ManagerEvent }) => ({ pubkey: pubkeyOf(event) ?? "" }),
} as const;

const switchTransitions = [
  { guard: "isClearing", actions: ["deactivate", wireActive] },
  { guard: "isKnown", actions: ["activate", wireActive] },
] as const;

const logoutTransitions = [
  {
    guard: "isActive",
    description: "The active session leaves: the oldest remaining login takes over.",
    actions: ["stopSession", "forget", releaseTarget, "activateNext", wireActive],
  },
  { guard: "isKnown", actions: ["stopSession", "forget", releaseTarget] },
] as const;

export const managerMachine = setup({
  types: {
    context: {} as ManagerContext,
    events: {} as ManagerEvent,
  },
  actors: {
    session: sessionMachine,
    /** Hears every session's signer (faults, approval prompts) and tells the manager, by pubkey. Provided from src/. */
    watchSigners: fromCallback<EventObject>(() => {
      throw new Error('manager actor "watchSigners" must be provided from src/ (machine.provide)');
    }),
    /** Reads, checks and migrates what storage holds, and hands its secrets to the keyring. Provided from src/persistence. */
    loadState: fromPromise<LoadedState>(() => {
      throw new Error('manager actor "loadState" must be provided from src/ (machine.provide)');
    }),
  },
  guards: {
    isKnown: ({ context, event }) => context.pubkeys.includes(pubkeyOf(event) ?? ""),
    isClearing: ({ event }) => event.type === "account.switch" && event.pubkey === null,
    isActive: ({ context, event }) => pubkeyOf(event) !== null && pubkeyOf(event) === context.activePubkey,
    wantsActive: ({ event }) => event.type === "account.login" && event.setActive,
    /** The stored active account comes back as a new session: restore() waits until its signer is found. */
    awaitsActiveSigner: ({ context, event }) => {
      const { activePubkey, accounts } = loadedOf(event);
      return activePubkey !== null && !context.pubkeys.includes(activePubkey) && accounts.some((a) => a.pubkey === activePubkey);
    },
  },
  actions: {
    /** Points NDK's signer, activeUser and filters at the active session (or clears them). Provided from src/. */
    wireNdk: (_, _params: { pubkey: Hexpubkey | null }) => {},
    /** Drops the effects' hold on a logged-out session: its signer, its plan. Provided from src/. */
    releaseSession: (_, _params: { pubkey: Hexpubkey }) => {},
    /** Keeps the app's configuration of a session in the effects: more kinds to follow, or a plan of its own. Provided from src/. */
    configure: (_, _params: { pubkey: Hexpubkey; kinds?: number[]; plan?: FetchPlan }) => {},
    spawnSession: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "account.login") return;
      const { pubkey, signer, preferences, lists } = event;
      const id = sessionId(pubkey);
      enqueue.spawnChild("session", { id, systemId: id, input: { pubkey, signer, preferences, lists } });
      enqueue.assign({
        pubkeys: [...context.pubkeys, pubkey],
        lastActive: { ...context.lastActive, [pubkey]: event.lastActive ?? 0 },
      });
    }),
    /**
     * Sessions storage held that are not logged in yet, spawned where they left off; the stored
     * active one made active. Spawned inside one assign, so the manager's children are copied once
     * for all of them (a spawnChild action each would copy them once per session: quadratic).
     */
    admitRestored: assign(({ context, event, spawn }) => {
      const loaded = loadedOf(event);
      const pubkeys = [...context.pubkeys];
      const known = new Set(pubkeys);
      const lastActive = { ...context.lastActive };
      for (const { lastActive: seen, ...input } of loaded.accounts) {
        if (known.has(input.pubkey)) continue;
        const id = sessionId(input.pubkey);
        spawn("session", { id, systemId: id, input });
        pubkeys.push(input.pubkey);
        known.add(input.pubkey);
        lastActive[input.pubkey] = seen;
      }
      const active = loaded.activePubkey !== null && known.has(loaded.activePubkey) ? loaded.activePubkey : context.activePubkey;
      return { pubkeys, lastActive, activePubkey: active };
    }),
    reauthenticate: sendTo(
      ({ event }) => targetOf(event),
      ({ event }) => ({ type: "session.reauthenticate" as const, signer: (event as { signer: SignerDescriptor }).signer }),
    ),
    activate: assign(({ context, event }) => {
      const { pubkey, at } = event as Extract<ManagerEvent, { type: "account.switch" | "account.login" }>;
      // Switches within one second keep the same lastActive object: no copy of every account's entry.
      const same = !pubkey || context.lastActive[pubkey] === at;
      return { activePubkey: pubkey, lastActive: same ? context.lastActive : { ...context.lastActive, [pubkey]: at } };
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
        const { pubkey: _pubkey, plan: _plan, ...rest } = event as ManagerEvent & { pubkey: Hexpubkey; plan?: FetchPlan };
        return rest as never;
      },
    ),
    monitorSession: sendTo(({ event }) => targetOf(event), { type: "session.monitor" as const }),
    recheckSigners: enqueueActions(({ context, enqueue }) => {
      for (const pk of context.pubkeys) enqueue.sendTo(sessionId(pk), { type: "signer.recheck" as const });
    }),
  },
}).createMachine({
  id: "manager",
  description: "Spawns one session actor per logged-in pubkey, keeps track of the active one, and restores them from storage.",
  context: { pubkeys: [], activePubkey: null, lastActive: {} },
  invoke: { id: "signerNews", src: "watchSigners" },
  initial: "active",
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
      { guard: "wantsActive", actions: ["spawnSession", "activate", wireActive] },
      { actions: ["spawnSession"] },
    ],
    "account.switch": [...switchTransitions],
    "account.logout": [...logoutTransitions],
    "session.signer.changed": { guard: "isActive", actions: wireActive },
    "monitor.add": {
      guard: "isKnown",
      actions: [{ type: "configure", params: ({ event }) => ({ pubkey: event.pubkey, kinds: event.kinds }) }, "monitorSession"],
    },
    "signers.recheck": { actions: "recheckSigners" },
    "session.start": {
      guard: "isKnown",
      actions: [{ type: "configure", params: ({ event }) => ({ pubkey: event.pubkey, plan: event.plan }) }, "forward"],
    },
    "session.stop": { guard: "isKnown", actions: "forward" },
    "session.preferences.set": { guard: "isKnown", actions: "forward" },
    "session.update": { guard: "isKnown", actions: "forward" },
    "session.retry": { guard: "isKnown", actions: "forward" },
    "session.refresh": { guard: "isKnown", actions: "forward" },
    "session.unlock": { guard: "isKnown", actions: "forward" },
    "session.lock": { guard: "isKnown", actions: "forward" },
    "session.fault": { guard: "isKnown", actions: "forward" },
    "session.approval": { guard: "isKnown", actions: "forward" },
    "list.write": { guard: "isKnown", actions: "forward" },
    "manager.stop": { target: ".stopped" },
  },
  states: {
    active: {
      description: "Takes logins, logouts and switches, forwards session commands, and keeps NDK wired to the active session.",
      on: { "manager.restore": { target: "loading" } },
    },
    loading: {
      description: "Reads storage: the stored snapshot (validated, migrated) or the accounts of an older format; secrets go to the keyring.",
      invoke: {
        id: "loadState",
        src: "loadState",
        onDone: [
          { guard: "awaitsActiveSigner", target: "restoring", actions: ["admitRestored", wireActive] },
          { target: "active", actions: ["admitRestored", wireActive] },
        ],
        onError: { target: "active" },
      },
    },
    restoring: {
      description: "Sessions are back with their last-known lists; waits until the active one's signer is found, so NDK signs with it.",
      on: {
        "session.signer.changed": { guard: "isActive", target: "active", actions: wireActive },
        // The awaited session is no longer the active one: nothing to wait for.
        "account.switch": [
          { guard: "isActive", actions: ["activate", wireActive] },
          ...switchTransitions.map((t) => ({ ...t, target: "active" })),
        ],
        "account.logout": [{ ...logoutTransitions[0], target: "active" }, logoutTransitions[1]],
      },
    },
    stopped: {
      type: "final",
      description: "All session actors stopped; the manager accepts nothing more.",
    },
  },
});

export type ManagerMachine = typeof managerMachine;
