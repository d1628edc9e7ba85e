/**
 * The manager machine as a test model, over two accounts: A, a private key kept under a NIP-49
 * passphrase (it can be locked, and its scripted signer can fail a signature), and B, a NIP-46
 * bunker whose relay can stop listening. A model state is the manager's snapshot (its value, logins
 * in order, the active one), what each account's session is doing, and what storage holds.
 *
 * Besides the app's commands, the world produces these steps:
 * - signer news, which the keyring tells the manager (its `watchSigners` actor) and the manager
 *   forwards: A's scripted signer never answers a signature (`session.fault`, a signer-timeout), B's
 *   bunker asks its user to approve a signature (`session.approval` with its auth_url) and answers
 *   later by itself (`session.approval` with `null`);
 * - a session reports that its signer settled (`session.signer.changed`): after a login, a lock, an
 *   unlock, a fault, a retry of a failed signer, a restore. A key in memory reports at once, a
 *   rebuilt remote signer after a round trip, one whose relay is down only when its rebuild gives
 *   up (`signerMs` later): meanwhile the manager waits in `restoring`, and the app may act;
 * - the outcome of reading storage (`loadState`): what was saved, nothing, or bytes it cannot read;
 * - what the test does beside the app: save (persist), corrupt the stored bytes.
 * A list write (a follow) is forwarded to its session, whose writes region does the rest alone.
 * Failed sessions back off for longer than any test, so only a command moves them on.
 */
import { fromTransition, type ActorSystem, type SnapshotFrom } from "xstate";
import { TestModel } from "xstate/graph";
import { managerMachine, type LoadedState, type ManagerEvent } from "../../machines";
import { recordingScope } from "./coverage";
import { planCoveringPaths } from "./paths";
import { APPROVE_URL } from "./sessionModel";

export type Account = "A" | "B";
export const ACCOUNTS: Account[] = ["A", "B"];
/** When a session's report of its signer comes: none pending, at once, after a round trip, after a timeout. */
type Report = "none" | "soon" | "net" | "late";

export interface AccountFacts {
  /** "approving": B's signer waits for its user's approval (a signature asked for one). */
  signer: "ready" | "locked" | "failed" | "approving";
  lists: "live" | "idle";
  /** A only: the keyring holds the test's scripted signer (unlock() brings a plain one). */
  scripted: boolean;
  report: Report;
}

export type Stored = "empty" | "corrupt" | { accounts: Account[]; active: Account | null };

export interface ModelState {
  machine: SnapshotFrom<typeof managerMachine>;
  world: Record<Account, AccountFacts>;
  storage: Stored;
  /** Whether the bunker's relay listened when restore() began (B is rebuilt from storage through it). */
  link: "up" | "down";
}

/** What the test does that is no event of the manager's. */
export type WorldStep = { type: "world.save" } | { type: "world.corrupt" };
/** restore(), with the bunker's relay listening or not. */
type Restore = { type: "manager.restore"; link?: "down" };
type Outcome = { type: "xstate.done.actor.loadState"; output: LoadedState } | { type: "xstate.error.actor.loadState"; error: { code: string } };
export type ModelEvent = Exclude<ManagerEvent, { type: "manager.restore" }> | Restore | WorldStep | Outcome;

/** A's scripted signer never answers a signature: the gate gives up (the keyring's news, as the manager hears it). */
const SIGNER_TIMEOUT: ModelEvent = { type: "session.fault", pubkey: "A", failure: { code: "signer-timeout", message: "signer-timeout", at: 0 } };
const FRESH: AccountFacts = { signer: "ready", lists: "live", scripted: true, report: "none" };
export const MONITORED_KIND = 10015;
/** The app's edit of a session's follows (updateSession), as the facade hands it to the manager. */
const FOLLOW_EDIT = { key: "3", kind: 3, id: "model-edit", createdAt: 1, data: { count: 1, packed: "" } };
/** A list write (follow someone), as the facade hands it to the manager. */
const FOLLOW = { kind: 3, edits: [{ op: "add" as const, tag: ["p", "f".repeat(64)] }] };
const RANK: Report[] = ["soon", "net", "late"];

export const isWorldStep = (event: ModelEvent): event is WorldStep => event.type.startsWith("world.");
const signerType = (account: Account) => ({ type: account === "A" ? "private-key" : "nip46" });

function loadOutcome(storage: Stored): Outcome {
  if (storage === "corrupt") return { type: "xstate.error.actor.loadState", error: { code: "storage-corrupt" } };
  const { accounts, active } = storage === "empty" ? { accounts: [], active: null } : storage;
  return { type: "xstate.done.actor.loadState", output: { accounts: accounts.map((pubkey) => ({ pubkey, signer: signerType(pubkey), lastActive: 0 })), activePubkey: active } };
}

/** While the awaited session's report is late, the app may switch or log out. */
function whileRestoring(pubkeys: Account[]): ModelEvent[] {
  const out: ModelEvent[] = [{ type: "account.switch", pubkey: null, at: 0 }];
  for (const pubkey of pubkeys) out.push({ type: "account.switch", pubkey, at: 0 }, { type: "account.logout", pubkey });
  return out;
}

/**
 * The commands of a resting manager. Storage changes once a path (saved from fresh sessions, or its
 * bytes corrupted before any login); after that only what a restore depends on is offered (logins,
 * logouts, switches, restores), which keeps the model small.
 */
function commands({ machine: m, world, storage }: ModelState): ModelEvent[] {
  const pubkeys = m.context.pubkeys as Account[];
  const out: ModelEvent[] = [];
  if (storage === "corrupt") return [{ type: "manager.restore" }, { type: "manager.stop" }];
  for (const pubkey of ACCOUNTS)
    for (const setActive of [true, false]) out.push({ type: "account.login", pubkey, signer: signerType(pubkey), setActive, at: 0 });
  out.push({ type: "account.switch", pubkey: null, at: 0 });
  for (const pubkey of pubkeys) out.push({ type: "account.switch", pubkey, at: 0 }, { type: "account.logout", pubkey });
  if (storage !== "empty") {
    out.push({ type: "manager.restore" });
    if (storage.accounts.includes("B") && !pubkeys.includes("B")) out.push({ type: "manager.restore", link: "down" });
    return out;
  }
  const active = m.context.activePubkey as Account | null;
  if (active) out.push({ type: "monitor.add", pubkey: active, kinds: [MONITORED_KIND] }); // addMonitor(): the active session only
  out.push({ type: "signers.recheck" });
  for (const pubkey of pubkeys) {
    const { signer, scripted } = world[pubkey];
    out.push(
      { type: "session.start", pubkey },
      { type: "session.stop", pubkey },
      { type: "session.preferences.set", pubkey, preferences: { walletEnabled: true } },
      { type: "session.refresh", pubkey },
      { type: "session.retry", pubkey },
      { type: "session.update", pubkey, entries: [FOLLOW_EDIT] },
    );
    if (pubkey === "A") out.push({ type: "session.lock", pubkey });
    if (pubkey === "A" && signer === "locked") out.push({ type: "session.unlock", pubkey });
    if (pubkey === "A" && signer !== "locked" && scripted) out.push(SIGNER_TIMEOUT);
    // A follow of A's (a key in memory: no approval prompt, which would be signer news of its own).
    if (pubkey === "A" && signer === "ready") out.push({ type: "list.write", pubkey, write: FOLLOW, requestId: "model" });
    if (pubkey === "B" && signer === "ready") out.push({ type: "session.approval", pubkey, url: APPROVE_URL });
  }
  const fresh = (pk: Account) => JSON.stringify(world[pk]) === JSON.stringify(FRESH); // restored sessions come back live
  if (pubkeys.length > 0 && pubkeys.every(fresh)) out.push({ type: "world.save" });
  if (pubkeys.length === 0) out.push({ type: "world.corrupt" });
  out.push({ type: "manager.restore" }, { type: "manager.stop" });
  return out;
}

function events(state: ModelState): ModelEvent[] {
  const { machine: m, world, storage } = state;
  if (m.status !== "active") return [];
  if (m.matches("loading")) return [loadOutcome(storage)];
  const pubkeys = m.context.pubkeys as Account[];
  // A signature waits for B's user: nothing else happens until the bunker answers.
  if (pubkeys.some((pk) => world[pk].signer === "approving")) return [{ type: "session.approval", pubkey: "B", url: null }];
  const pending = pubkeys.filter((pk) => world[pk].report !== "none");
  if (pending.length === 0) return commands(state);
  const first = RANK.find((when) => pending.some((pk) => world[pk].report === when))!;
  const report: ModelEvent = { type: "session.signer.changed", pubkey: pending.find((pk) => world[pk].report === first)! };
  return first === "late" && m.matches("restoring") ? [report, ...whileRestoring(pubkeys)] : [report];
}

/** What an event does to one account's session, as far as the next events care. */
function nextFacts(facts: AccountFacts, event: ModelEvent, known: boolean): AccountFacts {
  switch (event.type) {
    case "account.login":
      return known ? { ...facts, signer: "ready", scripted: true, report: "soon" } : { ...FRESH, report: "soon" };
    case "account.logout":
      return FRESH;
    case "session.start":
      return { ...facts, lists: "live" };
    case "session.stop":
      return { ...facts, lists: "idle" };
    case "session.lock":
      return { ...facts, signer: "locked", scripted: false, report: "soon" };
    case "session.unlock":
      return { ...facts, signer: "ready", scripted: false, report: "soon" };
    case "session.fault":
      return { ...facts, signer: "failed", report: "soon" };
    case "session.approval": // no report: the session waits in awaitingApproval, then is ready again
      return { ...facts, signer: event.url === null ? "ready" : "approving" };
    case "session.retry": // A's key is in memory; B's signer is rebuilt through its relay
      return facts.signer === "failed" ? { ...facts, signer: "ready", report: event.pubkey === "A" ? "soon" : "net" } : facts;
    case "session.signer.changed":
      return { ...facts, report: "none" };
    default:
      return facts;
  }
}

/** A session spawned from storage: A locked (its NIP-49 copy); B rebuilt, or not while its relay is down. */
function admitted(account: Account, link: "up" | "down"): AccountFacts {
  if (account === "A") return { signer: "locked", lists: "live", scripted: false, report: "soon" };
  return link === "down" ? { signer: "failed", lists: "live", scripted: false, report: "late" } : { signer: "ready", lists: "live", scripted: false, report: "net" };
}

export function modelStep(state: ModelState, event: ModelEvent): { state: ModelState; keys: string[] } {
  const { scope, keys } = recordingScope();
  if (isWorldStep(event)) {
    const storage: Stored = event.type === "world.save" ? { accounts: [...state.machine.context.pubkeys] as Account[], active: state.machine.context.activePubkey as Account | null } : event.type === "world.corrupt" ? "corrupt" : state.storage;
    return { state: { ...state, storage }, keys };
  }
  const before = state.machine.context.pubkeys as Account[];
  const machine = managerMachine.transition(state.machine, event as ManagerEvent, scope);
  const world = { ...state.world };
  for (const account of ACCOUNTS) {
    if (event.type === "xstate.done.actor.loadState") {
      if (!before.includes(account) && (machine.context.pubkeys as Account[]).includes(account)) world[account] = admitted(account, state.link);
    } else if ("pubkey" in event && event.pubkey === account) world[account] = nextFacts(state.world[account], event, before.includes(account));
  }
  const link = event.type === "manager.restore" ? (event.link ?? "up") : event.type.endsWith(".loadState") ? "up" : state.link;
  return { state: { machine, world, storage: state.storage, link }, keys };
}

/** The transitions of each step the model computed, by the state it led to. */
const stepKeys = new WeakMap<ModelState, string[]>();
const logic = fromTransition<ModelState, ModelEvent, ActorSystem<any>, undefined>(
  (state, event) => {
    const { state: next, keys } = modelStep(state, event);
    stepKeys.set(next, keys);
    return next;
  },
  () => ({ machine: managerMachine.getInitialSnapshot(recordingScope().scope, undefined), world: { A: FRESH, B: FRESH }, storage: "empty", link: "up" }),
);

type LogicSnapshot = SnapshotFrom<typeof logic>;
export type ManagerModelSnapshot = LogicSnapshot;

export const serialize = ({ context: { machine: m, world, storage, link } }: LogicSnapshot) =>
  JSON.stringify([m.value, m.context.pubkeys, m.context.activePubkey, ...m.context.pubkeys.map((pk) => world[pk as Account]), storage, link]);

export const managerModel = new TestModel(logic, {
  events: (s: LogicSnapshot) => events(s.context),
  serializeState: serialize,
});

export function formatEvent(event: ModelEvent): string {
  if (event.type === "xstate.done.actor.loadState") return "loadState✓";
  if (event.type === "xstate.error.actor.loadState") return `loadState✗${event.error.code}`;
  if (event.type === "manager.restore") return `restore()${event.link === "down" ? " (bunker relay down)" : ""}`;
  if (event.type === "session.signer.changed") return `signer.changed(${event.pubkey})`;
  if (event.type === "session.fault") return `fault(${event.pubkey}, ${event.failure.code})`;
  if (event.type === "session.approval") return `approval(${event.pubkey}, ${event.url === null ? "answered" : "asked"})`;
  const who = "pubkey" in event ? `(${event.pubkey ?? "null"}${event.type === "account.login" && event.setActive ? ", active" : ""})` : "";
  return `${event.type}${who}`;
}

export function planManagerPaths(maxSteps: number) {
  const initial = logic.getInitialSnapshot(null as never, undefined);
  return planCoveringPaths(managerModel, initial, {
    serialize,
    keysOf: (s, event, next) => stepKeys.get(next.context) ?? modelStep(s.context, event).keys,
    formatEvent,
    maxSteps,
  });
}
