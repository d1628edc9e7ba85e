/**
 * The manager machine as a test model, over two accounts: A, a private key kept under a NIP-49
 * passphrase (it can be locked, and its scripted signer can fail a signature), and B, a NIP-46
 * bunker that asks its user to approve each signature. A model state is the manager's snapshot
 * (its value, logins in order, the active one) plus what each account's session is doing, which
 * decides what the world can produce (a locked key cannot sign, a stopped session hears no list)
 * and which commands mean something: retry() for a failed session (its backoff outlasts any test,
 * so only a command moves it on), refresh() for a ready one.
 */
import { createEmptyActor, fromTransition, type ActorSystem, type SnapshotFrom } from "xstate";
import { TestModel } from "xstate/graph";
import { managerMachine, type ManagerEvent } from "../../machines";
import { transitionKey } from "./coverage";
import { planCoveringPaths } from "./paths";

export type Account = "A" | "B";
export const ACCOUNTS: Account[] = ["A", "B"];
type Phase = "live" | "idle" | "locked" | "failed";

export interface AccountFacts {
  phase: Phase;
  /** A only: its signer is the test's scripted one (unlock() brings back a plain one). */
  scripted: boolean;
}

export interface ModelState {
  machine: SnapshotFrom<typeof managerMachine>;
  world: Record<Account, AccountFacts>;
}

const FRESH: AccountFacts = { phase: "live", scripted: true };
export const MONITORED_KIND = 10015;

function events({ machine: m, world }: ModelState): ManagerEvent[] {
  if (m.status !== "active") return [];
  const { pubkeys, activePubkey } = m.context;
  const out: ManagerEvent[] = [];
  for (const pubkey of ACCOUNTS)
    for (const setActive of [true, false])
      out.push({ type: "account.login", pubkey, signer: { type: pubkey === "A" ? "private-key" : "nip46" }, setActive, at: 0 });
  out.push({ type: "account.switch", pubkey: null, at: 0 }, { type: "monitor.add", kinds: [MONITORED_KIND] }, { type: "signers.recheck" });
  for (const pubkey of pubkeys as Account[]) {
    const { phase, scripted } = world[pubkey];
    out.push(
      { type: "account.switch", pubkey, at: 0 },
      { type: "account.logout", pubkey },
      { type: "session.start", pubkey },
      { type: "session.stop", pubkey },
      { type: "session.preferences.set", pubkey, preferences: { walletEnabled: true } },
      { type: "session.resume", pubkey },
    );
    if (pubkey === activePubkey && phase === "live") out.push({ type: "session.filters.changed", pubkey });
    if (phase === "live") out.push({ type: "session.refresh", pubkey });
    if (phase === "failed") out.push({ type: "session.retry", pubkey });
    if (pubkey === "A") out.push({ type: "session.lock", pubkey });
    if (pubkey === "A" && phase === "locked") out.push({ type: "session.unlock", pubkey });
    if (pubkey === "A" && phase !== "locked" && scripted) out.push({ type: "session.fault", pubkey, failure: { code: "signer-timeout", message: "", at: 0 } });
    if (pubkey === "B") out.push({ type: "session.approval", pubkey, url: "https://bunker.example/approve" });
  }
  out.push({ type: "manager.stop" });
  return out;
}

/** What each event does to the account's session, as far as the next events care. */
function nextFacts(facts: AccountFacts, event: ManagerEvent): AccountFacts {
  switch (event.type) {
    case "account.login":
    case "account.logout":
      return FRESH;
    case "session.start":
      return facts.phase === "idle" ? { ...facts, phase: "live" } : facts;
    case "session.stop":
      return { ...facts, phase: "idle" };
    case "session.fault":
      return { ...facts, phase: "failed" }; // error.retrying, on a backoff no test waits for
    case "session.retry":
    case "session.resume":
      return facts.phase === "failed" ? { ...facts, phase: "live" } : facts; // restored, authenticated, ready again
    case "session.lock":
      return { ...facts, phase: "locked" };
    case "session.unlock":
      return { phase: "live", scripted: false };
    default:
      return facts;
  }
}

/**
 * An actor scope in which nothing runs, as xstate/graph's own, but a fresh one per step: the manager
 * spawns sessions under a systemId, which an actor system accepts only once.
 */
function idleScope() {
  const self = createEmptyActor();
  return { self, system: self.system, id: "", sessionId: "model", logger: () => {}, defer: () => {}, stopChild: () => {}, emit: () => {}, actionExecutor: () => {} } as never;
}

const logic = fromTransition<ModelState, ManagerEvent, ActorSystem<any>, undefined>(
  (state, event) => {
    const machine = managerMachine.transition(state.machine, event, idleScope());
    const target = "pubkey" in event ? (event.pubkey as Account | null) : null;
    const world = target ? { ...state.world, [target]: nextFacts(state.world[target], event) } : state.world;
    return { machine, world };
  },
  () => ({ machine: managerMachine.getInitialSnapshot(idleScope(), undefined), world: { A: FRESH, B: FRESH } }),
);

type LogicSnapshot = SnapshotFrom<typeof logic>;
export const serialize = ({ context: { machine: m, world } }: LogicSnapshot) =>
  JSON.stringify([m.value, m.context.pubkeys, m.context.activePubkey, ...m.context.pubkeys.map((pk) => world[pk as Account])]);

export const managerModel = new TestModel(logic, {
  events: (s: LogicSnapshot) => events(s.context),
  serializeState: serialize,
});

export function formatEvent(event: ManagerEvent): string {
  const who = "pubkey" in event ? `(${event.pubkey ?? "null"}${event.type === "account.login" ? (event.setActive ? ", active" : "") : ""})` : "";
  return `${event.type}${who}`;
}

export function planManagerPaths(maxSteps: number) {
  const initial = logic.getInitialSnapshot(idleScope(), undefined);
  return planCoveringPaths(managerModel, initial, {
    serialize,
    keysOf: (s, event) => managerMachine.getTransitionData(s.context.machine, event).map(transitionKey),
    formatEvent,
    maxSteps,
  });
}
