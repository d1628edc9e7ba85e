/**
 * The session machine as a test model: the machine itself (pure, as in machines/), plus the few
 * facts about the world that decide which events the world can produce next. A model state is the
 * machine's snapshot and those facts; the model offers, per state, exactly the events the real
 * world can be made to produce there:
 * - in a state with a running effect (restoring, authenticating, fetching, verifying, retrying):
 *   only that effect's outcomes (`xstate.done.actor.*` / `xstate.error.actor.*`);
 * - in a resting state (locked, idle, ready, awaitingApproval, needsLogin, extensionUnavailable):
 *   the commands an app sends, and what a signer or relay can do on its own (a forged or late
 *   signature, an approval prompt, a newer list).
 * The first step is the session's birth: a login with one kind of signer, or the restore of a
 * NIP-46 login an earlier run of the app saved (its signer rebuilt from storage, and its bunker's
 * relay reachable, or not yet: a retryable `signer-timeout`).
 */
import { fromTransition, type ActorSystem, type SnapshotFrom } from "xstate";
import { TestModel } from "xstate/graph";
import { DEFAULT_PLAN, DEFAULT_RETRY, sessionMachine, type ListEntry, type SessionEvent, type SessionFailure } from "../../machines";
import { transitionKey } from "./coverage";
import { planCoveringPaths } from "./paths";

export type SignerKind = "private-key" | "nip07" | "nip46" | "read-only";
type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

export interface WorldFacts {
  kind: SignerKind | null;
  /** A NIP-49 copy of the key is kept (login with a passphrase): the session can be locked. */
  sealed: boolean;
  /**
   * private-key: the test's scripted signer, the plain one unlock() rebuilds, or none. nip46
   * restored: "stored" until a rebuild from its saved payload reaches the bunker's relay.
   */
  signer: "scripted" | "plain" | "absent" | "stored";
  /** nip46 only: a signature waits for its user's approval (the bunker answers later by itself). */
  approval: boolean;
}

export interface ModelState {
  machine: SessionSnapshot | null;
  world: WorldFacts;
}

export type Birth = { type: "birth"; kind: SignerKind; sealed: boolean; restored?: boolean };
export type EffectOutcome = { type: `xstate.done.actor.${string}` } | { type: `xstate.error.actor.${string}`; error: SessionFailure };
export type ModelEvent = SessionEvent | Birth | EffectOutcome;

export const APPROVE_URL = "https://bunker.example/approve";
export const APPROVE_AGAIN_URL = "https://bunker.example/approve-again";
/** A kind for monitor(): what `session.monitor` adds. */
export const MONITORED_KIND = 10015;

const NOBODY: WorldFacts = { kind: null, sealed: false, signer: "absent", approval: false };
const BIRTHS: Birth[] = [
  { type: "birth", kind: "private-key", sealed: true },
  { type: "birth", kind: "private-key", sealed: false },
  { type: "birth", kind: "nip07", sealed: false },
  { type: "birth", kind: "nip46", sealed: false },
  { type: "birth", kind: "read-only", sealed: false },
  { type: "birth", kind: "nip46", sealed: false, restored: true },
];

const done = (id: string) => ({ type: `xstate.done.actor.${id}` }) as ModelEvent;
const failed = (id: string, code: string) => ({ type: `xstate.error.actor.${id}`, error: { code, message: code, at: 0 } }) as ModelEvent;
const fault = (code: string): ModelEvent => ({ type: "session.fault", failure: { code, message: code, at: 0 } });

export const isWorldDriven = (event: ModelEvent) =>
  event.type.startsWith("xstate.done.actor.") || event.type.startsWith("xstate.error.actor.") || (event.type === "session.approval" && event.url === null);

/**
 * restoreSigner finds the signer, or a locked key, or nothing; a signer rebuilt from storage must
 * also reach its bunker's relay, which may be down (a retryable `signer-timeout`).
 */
function restoreOutcomes(w: WorldFacts): ModelEvent[] {
  if (w.signer === "stored") return [done("restoreSigner"), failed("restoreSigner", "signer-timeout")];
  if (w.kind !== "private-key" || w.signer !== "absent") return [done("restoreSigner")];
  return [failed("restoreSigner", w.sealed ? "locked" : "signer-unavailable")];
}

function authOutcomes(w: WorldFacts, id: string): ModelEvent[] {
  if (w.kind === "nip07")
    return [done(id), failed(id, "extension-missing"), failed(id, "extension-other-account"), failed(id, "signer-timeout")];
  if (w.kind === "private-key" && w.signer === "scripted") return [done(id), failed(id, "signer-mismatch"), failed(id, "signer-failed")];
  return [done(id)];
}

/** A contact list newer than any the session holds, as the relay would deliver it. */
function newerList(m: SessionSnapshot): ListEntry {
  const newest = Math.max(0, ...Object.values(m.context.lists).map((e) => e.createdAt));
  return { key: "3", kind: 3, id: `model-${newest + 1}`, createdAt: newest + 1, data: { count: 0, packed: "" } };
}

function events({ machine: m, world: w }: ModelState): ModelEvent[] {
  if (!m) return BIRTHS;
  if (w.approval)
    return [{ type: "session.approval", url: null }, ...(m.matches({ live: "awaitingApproval" }) ? [{ type: "session.approval", url: APPROVE_AGAIN_URL } as const] : [])];
  if (m.matches("restoring")) return restoreOutcomes(w);
  if (m.matches("authenticating")) return authOutcomes(w, "authenticate");
  if (m.matches({ live: "verifying" })) return authOutcomes(w, "reverify");
  if (m.matches({ live: "fetching" })) return [done("fetchLists"), failed("fetchLists", "offline")];
  if (m.matches({ error: "retrying" })) return [done("retryTimer")];
  const out: ModelEvent[] = [
    { type: "session.preferences.set", preferences: { walletEnabled: true } },
    { type: "session.monitor", kinds: [MONITORED_KIND] },
    { type: "session.start" },
    { type: "session.stop" },
    { type: "session.resume" },
    { type: "session.reauthenticate", signer: { type: w.kind! } },
  ];
  if (w.sealed) out.push({ type: "session.lock" });
  if (w.sealed && m.matches("locked")) out.push({ type: "session.unlock" });
  if (w.signer === "scripted") out.push(fault("signer-mismatch"), fault("signer-timeout"));
  if (w.kind === "nip46") out.push({ type: "session.approval", url: APPROVE_URL });
  if (m.matches({ live: "ready" })) out.push({ type: "session.refresh" }, { type: "list.received", entries: [newerList(m)] });
  if (m.matches({ live: "ready" }) && w.kind === "nip07") out.push({ type: "signer.recheck" });
  if (m.matches("error")) out.push({ type: "session.retry" });
  if (m.matches({ error: "extensionUnavailable" })) out.push({ type: "signer.recheck" });
  return out;
}

function nextWorld(w: WorldFacts, event: ModelEvent): WorldFacts {
  const pk = w.kind === "private-key";
  switch (event.type) {
    case "session.fault":
      return pk && event.failure.code === "signer-mismatch" ? { ...w, signer: "absent" } : w; // the engine drops a forging signer
    case "session.lock":
      return { ...w, signer: "absent" };
    case "session.unlock":
      return { ...w, signer: "plain" };
    case "session.reauthenticate":
      return pk ? { ...w, signer: "scripted" } : w;
    case "session.approval":
      return { ...w, approval: event.url !== null };
    case "xstate.done.actor.restoreSigner":
      return w.signer === "stored" ? { ...w, signer: "plain" } : w; // the runtime holds the rebuilt signer
    default:
      return w;
  }
}

const logic = fromTransition<ModelState, ModelEvent, ActorSystem<any>, undefined>(
  (state, event, scope) => {
    if (event.type === "birth") {
      const input = { pubkey: "model", signer: { type: event.kind }, plan: DEFAULT_PLAN, retry: DEFAULT_RETRY };
      const signer = event.restored ? "stored" : event.kind === "private-key" ? "scripted" : "plain";
      const world: WorldFacts = { kind: event.kind, sealed: event.sealed, signer, approval: false };
      return { machine: sessionMachine.getInitialSnapshot(scope as never, input), world };
    }
    if (!state.machine) return state;
    return { machine: sessionMachine.transition(state.machine, event as SessionEvent, scope as never), world: nextWorld(state.world, event) };
  },
  { machine: null, world: NOBODY },
);

type LogicSnapshot = SnapshotFrom<typeof logic>;
export const serialize = (s: LogicSnapshot) => JSON.stringify([s.context.machine?.value ?? null, s.context.world]);

export const sessionModel = new TestModel(logic, {
  events: (s: LogicSnapshot) => events(s.context),
  serializeState: serialize,
});

export function formatEvent(event: ModelEvent): string {
  if (event.type === "birth") return `${event.restored ? "restore" : "login"}(${event.kind}${event.sealed ? "+passphrase" : ""})`;
  if (event.type.startsWith("xstate.done.actor.")) return `${event.type.slice(18)}✓`;
  if (event.type.startsWith("xstate.error.actor.")) return `${event.type.slice(19)}✗${(event as { error: SessionFailure }).error.code}`;
  if (event.type === "session.fault") return `fault(${event.failure.code})`;
  if (event.type === "session.approval") return `approval(${event.url === null ? "answered" : event.url === APPROVE_URL ? "asked" : "asked again"})`;
  return event.type;
}

export function planSessionPaths(maxSteps: number) {
  const initial = logic.getInitialSnapshot(null as never, undefined);
  return planCoveringPaths(sessionModel, initial, {
    serialize,
    keysOf: (s, event) => (s.context.machine ? sessionMachine.getTransitionData(s.context.machine, event as SessionEvent).map(transitionKey) : []),
    formatEvent,
    maxSteps,
  });
}
