/**
 * What "every state and every transition" means for a machine, and what the real actors took.
 *
 * A transition is one candidate of a state node's `transitions` map (`on`, invoke `onDone`/`onError`,
 * `after`) or of its `always` list: `<source id> · <event> #<n>` where n counts the guarded
 * alternatives of that event on that node, so `restoring · xstate.error.actor.restoreSigner #2` is
 * its `needsLogin` branch, and `lists.starting · always #1` the eventless one taken by a session
 * restored stopped. The key depends only on the machine's definition, so the pure machine (the
 * model) and the same machine with effects provided (the real actors) give the same keys.
 */
import { createEmptyActor, type AnyActorRef, type AnyStateMachine, type AnyTransitionDefinition, type InspectionEvent } from "xstate";
import { getStateNodes } from "xstate/graph";

type GuardLike = string | { type?: string; guards?: GuardLike[] } | ((...args: never[]) => unknown) | undefined;

function guardLabel(guard: GuardLike): string {
  if (guard === undefined) return "";
  if (typeof guard === "string") return guard;
  const nested = (guard as { guards?: GuardLike[] }).guards;
  if (nested) return `${(guard as { name?: string }).name || "all"}(${nested.map(guardLabel).join(", ")})`;
  return (guard as { type?: string }).type ?? "guard";
}

export function transitionKey(t: AnyTransitionDefinition): string {
  const eventless = t.eventType === ""; // an `always` transition
  const alternatives = (eventless ? t.source.always : t.source.transitions.get(t.eventType)) ?? [t];
  const n = alternatives.indexOf(t) + 1;
  return `${t.source.id} · ${eventless ? "always" : t.eventType}${alternatives.length > 1 ? ` #${n}` : ""}`;
}

export interface Universe {
  /** State node ids (the root excluded). */
  states: string[];
  /** Transition keys, with a readable label (guard and target) for the report. */
  transitions: Map<string, string>;
}

export function universeOf(machine: AnyStateMachine): Universe {
  const nodes = getStateNodes(machine.root);
  const transitions = new Map<string, string>();
  for (const node of [machine.root, ...nodes])
    for (const list of [...node.transitions.values(), node.always ?? []])
      for (const t of list) {
        const guard = guardLabel(t.guard as GuardLike);
        const target = t.target?.map((n) => n.id).join(",") ?? "(stays)";
        transitions.set(transitionKey(t), `${guard ? `[${guard}] ` : ""}→ ${target}`);
      }
  return { states: nodes.map((n) => n.id), transitions };
}

/**
 * An inspection observer that records, for the actors `accept` picks, every state node they were in
 * and every transition they took (from `@xstate.microstep`, so also targetless ones and states left
 * within the same macrostep: a transition's source is a state the actor was in).
 */
export class CoverageRecorder {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();

  constructor(
    readonly universe: Universe,
    private readonly accept: (actor: AnyActorRef) => boolean,
  ) {}

  readonly observe = (event: InspectionEvent): void => {
    if (event.type !== "@xstate.microstep" && event.type !== "@xstate.snapshot") return;
    if (!this.accept(event.actorRef as AnyActorRef)) return;
    const snapshot = event.snapshot as { _nodes?: Array<{ id: string }> };
    for (const node of snapshot._nodes ?? []) if (this.universe.states.includes(node.id)) this.states.add(node.id);
    if (event.type !== "@xstate.microstep") return;
    for (const t of (event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []) {
      this.transitions.add(transitionKey(t));
      // The source was active too (a transient state such as lists.starting is in no snapshot).
      for (let node: { id: string; parent?: unknown } | undefined = t.source; node; node = node.parent as typeof node)
        if (this.universe.states.includes(node.id)) this.states.add(node.id);
    }
  };

  uncovered() {
    return {
      states: this.universe.states.filter((s) => !this.states.has(s)),
      transitions: [...this.universe.transitions.keys()].filter((t) => !this.transitions.has(t)),
    };
  }

  /** The report printed in the test output. */
  report(title: string, modelPaths: number): string {
    const { states, transitions } = this.uncovered();
    const u = this.universe;
    const lines = [
      `── ${title}: model-based coverage against the real actors ──`,
      `${title}: ${u.states.length - states.length}/${u.states.length} states, ${u.transitions.size - transitions.length}/${u.transitions.size} transitions`,
      `model paths run: ${modelPaths}`,
    ];
    for (const s of states) lines.push(`  uncovered state: ${s}`);
    for (const t of transitions) lines.push(`  uncovered transition: ${t} ${u.transitions.get(t)}`);
    return lines.join("\n");
  }
}

/**
 * An actor scope in which nothing runs (as xstate/graph's own), fresh for each step (the manager
 * spawns sessions under a systemId, which an actor system accepts only once), that records the
 * transitions of every microstep the pure machine takes: a model step's transitions are those of
 * its whole macrostep (raised events and `always` transitions included), as the real actor's are.
 */
export function recordingScope(): { scope: never; keys: string[] } {
  const self = createEmptyActor();
  const keys: string[] = [];
  const system = Object.create(self.system) as typeof self.system & { _sendInspectionEvent(event: InspectionEvent): void };
  system._sendInspectionEvent = (event) => {
    if (event.type === "@xstate.microstep")
      for (const t of (event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []) keys.push(transitionKey(t));
  };
  const scope = { self, system, id: "", sessionId: "model", logger: () => {}, defer: () => {}, stopChild: () => {}, emit: () => {}, actionExecutor: () => {} };
  return { scope: scope as never, keys };
}
