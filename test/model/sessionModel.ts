/**
 * The session machine as a test model: the machine itself (pure, as in machines/), plus the few
 * facts about the world that decide which events the world can produce next. A model state is the
 * machine's snapshot (both regions), those facts, and the parts of its context a guard or a check
 * reads (failure codes, the approval URL, whether a list was read without the signer).
 *
 * What the model offers where (the two regions run side by side, so it also fixes their order):
 * - a region with a running effect (restoring, authenticating, verifying, fetching, a short backoff)
 *   offers that effect's outcomes (`xstate.done.actor.*` / `xstate.error.actor.*`);
 * - when both regions have one, the order is the real world's: a signer outcome that takes no I/O
 *   (a key in memory, an extension that answers at once) comes first; otherwise (a bunker round
 *   trip, a timeout, a backoff) the list fetch, which the world lets succeed, comes first;
 * - when neither has (both resting), the commands an app sends and what a signer or relay can do on
 *   its own (a forged or late signature, an approval prompt, a newer list);
 * - while a fetch that reads the private mutes without the signer is out, the commands that give the
 *   session its signer (unlock, a new login): the relay then holds the fetch's end until the signer
 *   is ready, so the fetch ends with lists read without it;
 * - a list write starts only while both other regions rest, and runs alone (test/model/sessionWrites.ts).
 * The first step is the session's birth: a login with one kind of signer, or the restore() of what
 * an earlier run of the app saved to storage (its lists live, stopped, or backing off). A birth also
 * fixes the retry policy: "long" backoffs outlast any test (a retrying region rests until a
 * command), "short" ones end by themselves (`xstate.done.actor.*Backoff`).
 */
import { fromTransition, type ActorSystem, type SnapshotFrom } from "xstate";
import { TestModel } from "xstate/graph";
import { hasPartialEntries, sessionMachine, type FetchedLists, type ListEntry, type SessionEvent, type SessionFailure, type SessionInput } from "../../machines";
import { recordingScope } from "./coverage";
import { planCoveringPaths, replayPath, type PlanOptions } from "./paths";
import { duringRead, formatWriteEvent, withWrite, writeCommands, writesOutcomes, type WriteFacts } from "./sessionWrites";

/** "app-nip07": an app's own signer over the extension (not NDK's class), with NDK's "nip07" payload type. */
export type SignerKind = "private-key" | "nip07" | "app-nip07" | "nip46" | "read-only";
export type Patience = "short" | "long";
/** Where a restored session's lists were when the earlier run saved it. */
export type SavedLists = "live" | "stopped" | "backingOff";
type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

export interface WorldFacts {
  kind: SignerKind | null;
  /** A NIP-49 copy of the key is kept (login with a passphrase): the session can be locked. */
  sealed: boolean;
  /**
   * What the keyring holds: the test's scripted signer, a plain one (unlock(), a rebuilt remote
   * signer), none, or (a restored NIP-46 login) a payload not rebuilt yet.
   */
  signer: "scripted" | "plain" | "absent" | "stored";
  /** NIP-46: a signature waits for its user's approval (the bunker answers later by itself). */
  approval: boolean;
  patience: Patience;
  restored: boolean;
  /**
   * The list fetch out now: whether it reads the private mutes without the signer (the keyring had
   * none when it started), and whether a command came while it was out (the relay held its end).
   */
  fetch: { partial: boolean; held: boolean } | null;
  /** The list write under way (test/model/sessionWrites.ts). */
  write: WriteFacts | null;
  /** The session holds an app's edit of its follows newer than the relay's list. */
  behind: boolean;
}

export interface ModelState {
  machine: SessionSnapshot | null;
  world: WorldFacts;
}

export type Birth = { type: "birth"; kind: SignerKind; sealed: boolean; patience: Patience; restored?: SavedLists };
export type EffectOutcome = { type: `xstate.done.actor.${string}`; output?: FetchedLists } | { type: `xstate.error.actor.${string}`; error: SessionFailure };
export type ModelEvent = SessionEvent | Birth | EffectOutcome;

export const APPROVE_URL = "https://bunker.example/approve";
export const APPROVE_AGAIN_URL = "https://bunker.example/approve-again";
/** A kind for monitor(): what `session.monitor` adds. */
export const MONITORED_KIND = 10015;

const NOBODY: WorldFacts = { kind: null, sealed: false, signer: "absent", approval: false, patience: "long", restored: false, fetch: null, write: null, behind: false };
const birth = (kind: SignerKind, sealed = false, patience: Patience = "long", restored?: SavedLists): Birth =>
  restored ? { type: "birth", kind, sealed, patience, restored } : { type: "birth", kind, sealed, patience };
const BIRTHS: Birth[] = [
  birth("private-key", true),
  birth("private-key"),
  birth("private-key", false, "short"),
  birth("nip07"),
  birth("app-nip07"),
  birth("nip46"),
  birth("read-only"),
  birth("nip46", false, "long", "live"),
  birth("private-key", true, "long", "live"),
  birth("private-key", true, "long", "backingOff"),
  birth("private-key", false, "long", "live"),
  birth("private-key", false, "long", "stopped"),
];

/**
 * A private-key user's relay holds a mute list with private items: read without the signer, its
 * entry is partial (and read again once the session can sign). Other users have none.
 */
const mutes = (partial: boolean): ListEntry => ({ key: "10000", kind: 10000, id: "model-mutes", createdAt: 1, data: {}, ...(partial ? { partial: true as const } : {}) });
const failure = (code: string): SessionFailure => ({ code, message: code, at: 0 });
const done = (id: string, entries?: ListEntry[]) => (entries ? { type: `xstate.done.actor.${id}`, output: { entries } } : { type: `xstate.done.actor.${id}` }) as ModelEvent;
const failed = (id: string, code: string) => ({ type: `xstate.error.actor.${id}`, error: failure(code) }) as ModelEvent;
const fault = (code: string): ModelEvent => ({ type: "session.fault", failure: failure(code) });

/** How soon an outcome comes once its effect starts: without I/O, after a round trip, or after a timer. */
type Outcome = [ModelEvent, "instant" | "network" | "slow"];

/** The outcomes the running effect of the signer region can have, or null when it rests. */
function signerOutcomes(m: SessionSnapshot, w: WorldFacts): Outcome[] | null {
  if (w.approval) {
    const answered: Outcome = [{ type: "session.approval", url: null }, "slow"];
    return m.matches({ signer: "awaitingApproval" }) ? [answered, [{ type: "session.approval", url: APPROVE_AGAIN_URL }, "instant"]] : [answered];
  }
  if (m.matches({ signer: "restoring" })) {
    if (w.signer === "stored") return [[done("restoreSigner"), "network"], [failed("restoreSigner", "signer-timeout"), "slow"]];
    if (w.kind === "private-key" && w.signer === "absent") return [[failed("restoreSigner", w.sealed ? "locked" : "signer-unavailable"), "instant"]];
    return [[done("restoreSigner"), "instant"]];
  }
  if (m.matches({ signer: "authenticating" })) return authOutcomes(w, "authenticate");
  if (m.matches({ signer: "verifying" })) return authOutcomes(w, "reverify");
  if (m.matches({ signer: "retrying" }) && w.patience === "short") return [[done("signerBackoff"), "slow"]];
  return null;
}

function authOutcomes(w: WorldFacts, id: string): Outcome[] {
  if (w.kind === "nip07")
    return [[done(id), "instant"], [failed(id, "extension-other-account"), "instant"], [failed(id, "extension-missing"), "slow"], [failed(id, "signer-timeout"), "slow"]];
  if (w.kind === "nip46") return [[done(id), "network"]];
  // An app's own extension signer is checked as any signer: does it name this session's user, in time?
  if (w.kind === "app-nip07")
    return [[done(id), "instant"], [failed(id, "signer-mismatch"), "instant"], [failed(id, "signer-failed"), "instant"], [failed(id, "signer-timeout"), "slow"]];
  if (w.signer === "scripted") return [[done(id), "instant"], [failed(id, "signer-mismatch"), "instant"], [failed(id, "signer-failed"), "instant"]];
  return [[done(id), "instant"]];
}

function listsOutcomes(m: SessionSnapshot, w: WorldFacts): Outcome[] | null {
  if (m.matches({ lists: { live: "fetching" } })) {
    const entries = w.kind === "private-key" ? [mutes(w.fetch?.partial ?? false)] : [];
    const ok: Outcome = [done("fetchLists", entries), "network"];
    return w.fetch?.held ? [ok] : [ok, [failed("fetchLists", "offline"), "slow"]];
  }
  if (m.matches({ lists: { live: "retrying" } }) && w.patience === "short") return [[done("listsBackoff"), "slow"]];
  return null;
}

/** A contact list newer than any the session holds, as the relay would deliver it (or the app's edit of its follows). */
function newerList(m: SessionSnapshot, edit = false): ListEntry {
  const newest = Math.max(0, ...Object.values(m.context.lists).map((e) => e.createdAt));
  return { key: "3", kind: 3, id: edit ? "model-edit" : `model-${newest + 1}`, createdAt: newest + 1, data: { count: edit ? 1 : 0, packed: "" } };
}

function commands(m: SessionSnapshot, w: WorldFacts): ModelEvent[] {
  const out: ModelEvent[] = [
    { type: "session.preferences.set", preferences: { walletEnabled: true } },
    { type: "session.monitor" },
    { type: "session.start" },
    { type: "session.stop" },
    { type: "session.retry" },
  ];
  if (!(w.restored && w.kind === "nip46")) out.push({ type: "session.reauthenticate", signer: { type: descriptorOf(w.kind!) } });
  if (w.sealed) out.push({ type: "session.lock" });
  if (w.sealed && m.matches({ signer: "locked" })) out.push({ type: "session.unlock" });
  if (w.signer === "scripted") out.push(fault("signer-mismatch"), fault("signer-timeout"));
  if (w.kind === "nip46" && m.matches({ signer: "ready" })) out.push({ type: "session.approval", url: APPROVE_URL });
  if (m.matches({ lists: { live: "ready" } })) out.push({ type: "session.refresh" }, { type: "list.received", entries: [newerList(m)] });
  if (m.matches({ lists: { live: "retrying" } })) out.push({ type: "session.refresh" });
  if (descriptorOf(w.kind!) === "nip07") out.push({ type: "signer.recheck" });
  out.push({ type: "session.update", entries: [newerList(m, true)] }); // updateSession(pubkey, { followSet })
  out.push(...writeCommands(m, w));
  return out;
}

/** The signer type a session of this kind has. */
const descriptorOf = (kind: SignerKind) => (kind === "app-nip07" ? "nip07" : kind);

/**
 * What can be done while a fetch that reads the private mutes without the signer is out (the relay
 * holds its end meanwhile): give the session its signer, so the fetch ends with the signer ready.
 */
function duringFetch(m: SessionSnapshot, w: WorldFacts): ModelEvent[] {
  if (w.kind !== "private-key" || !w.fetch?.partial || w.fetch.held) return [];
  const out: ModelEvent[] = [{ type: "session.reauthenticate", signer: { type: w.kind } }];
  if (w.sealed && m.matches({ signer: "locked" })) out.push({ type: "session.unlock" });
  return out;
}

/** Whether neither region waits for anything the world does: the session rests until a command. */
export const isResting = ({ machine: m, world: w }: ModelState) => m !== null && !signerOutcomes(m, w) && !listsOutcomes(m, w) && !writesOutcomes(m, w);

function events({ machine: m, world: w }: ModelState): ModelEvent[] {
  if (!m) return BIRTHS;
  const first = ([event]: Outcome) => event;
  // A write runs while the other regions rest (it starts only then, and nothing done meanwhile wakes them).
  const writes = writesOutcomes(m, w);
  if (writes) return [...writes.map(([event]) => event as ModelEvent), ...duringRead(m, w)];
  const signer = signerOutcomes(m, w);
  const lists = listsOutcomes(m, w);
  if (!signer && !lists) return commands(m, w);
  if (!lists) return signer!.map(first);
  if (!signer) return [...lists.map(first), ...duringFetch(m, w)];
  const instant = signer.filter(([, when]) => when === "instant");
  if (instant.length) return instant.map(first);
  return lists.filter(([, when]) => when === "network").map(first);
}

function nextWorld(w: WorldFacts, event: ModelEvent): WorldFacts {
  const pk = w.kind === "private-key";
  switch (event.type) {
    case "session.fault":
      return pk && event.failure.code === "signer-mismatch" ? { ...w, signer: "absent" } : w; // the keyring drops a forging signer
    case "session.lock":
      return { ...w, signer: "absent" };
    case "session.unlock":
      return { ...w, signer: "plain" };
    case "session.reauthenticate":
      return pk ? { ...w, signer: "scripted" } : w;
    case "session.approval":
      return { ...w, approval: event.url !== null };
    case "xstate.done.actor.restoreSigner":
      return w.signer === "stored" ? { ...w, signer: "plain" } : w; // the keyring holds the rebuilt signer
    default:
      return w;
  }
}

function birthOf(event: Birth): { input: SessionInput; world: WorldFacts } {
  const { kind, sealed, patience, restored } = event;
  const signer = restored ? (kind === "nip46" ? "stored" : "absent") : kind === "private-key" ? "scripted" : "plain";
  const input: SessionInput = { pubkey: "model", signer: { type: descriptorOf(kind) } };
  if (restored && kind === "private-key") input.lists = { "10000": mutes(false) }; // read by the earlier run, with its signer
  if (restored === "stopped") input.stopped = true;
  if (restored === "backingOff") Object.assign(input, { listsFailure: failure("offline"), listsAttempt: 1 });
  return { input, world: { kind, sealed, signer, approval: false, patience, restored: !!restored, fetch: null, write: null, behind: false } };
}

/** One model step: the next state and the machine transitions of its whole macrostep. */
export function modelStep(state: ModelState, event: ModelEvent): { state: ModelState; keys: string[] } {
  const { scope, keys } = recordingScope();
  if (event.type === "birth") {
    const { input, world } = birthOf(event);
    const machine = sessionMachine.getInitialSnapshot(scope, input);
    return { state: { machine, world: withFetch(world, null, machine, event) }, keys };
  }
  if (!state.machine) return { state, keys };
  const machine = sessionMachine.transition(state.machine, event as SessionEvent, scope);
  const world = withWrite(withFetch(nextWorld(state.world, event), state.machine, machine, event), state.machine, machine, event);
  return { state: { machine, world }, keys };
}

/** The fetch out after a step: a new one (a new fetchLists actor), the same one, or none. */
function withFetch(w: WorldFacts, before: SessionSnapshot | null, after: SessionSnapshot, event: ModelEvent): WorldFacts {
  const fetch = after.children.fetchLists;
  if (!fetch) return { ...w, fetch: null };
  if (fetch !== before?.children.fetchLists) return { ...w, fetch: { partial: w.kind === "private-key" && w.signer === "absent", held: false } };
  const command = !event.type.startsWith("xstate.") && !(event.type === "session.approval" && event.url === null);
  return command && w.fetch ? { ...w, fetch: { ...w.fetch, held: true } } : w;
}

/** The transitions of each step the model computed, by the state it led to. */
const stepKeys = new WeakMap<ModelState, string[]>();
const logic = fromTransition<ModelState, ModelEvent, ActorSystem<any>, undefined>(
  (state, event) => {
    const { state: next, keys } = modelStep(state, event);
    stepKeys.set(next, keys);
    return next;
  },
  { machine: null, world: NOBODY },
);

type LogicSnapshot = SnapshotFrom<typeof logic>;

/**
 * What the checks compare besides the state value (the model's context against the real one). The
 * lists are not compared: the live subscription also hears what a fetch reads (NDK hands an event to
 * every subscription it matches), so the real session may store an entry a step before the fetch
 * ends; what the lists decide (a newer list, one read without the signer) shows in the guards taken.
 */
export function digest(m: SessionSnapshot) {
  const { signerFailure, listsFailure, approvalUrl, writeQueue } = m.context;
  const attempt = writeQueue[0]?.attempts ?? null; // which attempt of the write under way: whether a lost one is made again
  return { signerFailure: signerFailure?.code ?? null, listsFailure: listsFailure?.code ?? null, approvalUrl, writes: writeQueue.map((queued) => queued.write.kind), attempt };
}

export const serialize = ({ context: { machine, world } }: LogicSnapshot) =>
  JSON.stringify([machine?.value ?? null, world, machine ? { ...digest(machine), partial: hasPartialEntries(machine.context.lists) } : null]);

export const sessionModel = new TestModel(logic, {
  events: (s: LogicSnapshot) => events(s.context),
  serializeState: serialize,
});

export function formatEvent(event: ModelEvent): string {
  const write = event.type === "birth" ? undefined : formatWriteEvent(event as SessionEvent);
  if (write) return write;
  if (event.type === "birth")
    return `${event.restored ? `restore[${event.restored}]` : "login"}(${event.kind}${event.sealed ? "+passphrase" : ""}${event.patience === "short" ? ", short backoff" : ""})`;
  if (event.type.startsWith("xstate.done.actor.")) return `${event.type.slice(18)}✓`;
  if (event.type.startsWith("xstate.error.actor.")) return `${event.type.slice(19)}✗${(event as { error: SessionFailure }).error.code}`;
  if (event.type === "session.fault") return `fault(${event.failure.code})`;
  if (event.type === "session.approval") return `approval(${event.url === null ? "answered" : event.url === APPROVE_URL ? "asked" : "asked again"})`;
  return event.type;
}

export type SessionModelSnapshot = LogicSnapshot;
const initial = () => logic.getInitialSnapshot(null as never, undefined);
const planOptions = (maxSteps: number): PlanOptions<LogicSnapshot, ModelEvent> => ({
  serialize,
  keysOf: (s, event, next) => stepKeys.get(next.context) ?? modelStep(s.context, event).keys,
  formatEvent,
  maxSteps,
});

export const planSessionPaths = (maxSteps: number) => planCoveringPaths(sessionModel, initial(), planOptions(maxSteps));

/** A scenario written as events (each must be offered by the model where it comes). */
export const sessionPath = (events: ModelEvent[]) => replayPath(sessionModel, initial(), events, planOptions(0));
