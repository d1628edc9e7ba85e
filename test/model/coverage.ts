/**
 * What "every state and every transition" means for a machine, and what the real actors took.
 *
 * A transition is one candidate of a state node's `transitions` map (`on`, invoke `onDone`/`onError`,
 * `after`): `<source id> · <event> #<n>` where n counts the guarded alternatives of that event on
 * that node, so `restoring · xstate.error.actor.restoreSigner #2` is its `needsLogin` branch. The key
 * depends only on the machine's definition, so the pure machine (the model) and the same machine
 * with effects provided (the real actors) give the same keys.
 */
import type { AnyActorRef, AnyStateMachine, AnyTransitionDefinition, InspectionEvent } from "xstate";
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
  const alternatives = t.source.transitions.get(t.eventType) ?? [t];
  const n = alternatives.indexOf(t) + 1;
  return `${t.source.id} · ${t.eventType}${alternatives.length > 1 ? ` #${n}` : ""}`;
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
    for (const list of node.transitions.values())
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
 * within the same macrostep).
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
    if (event.type === "@xstate.microstep")
      for (const t of (event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []) this.transitions.add(transitionKey(t));
  };

  uncovered() {
    return {
      states: this.universe.states.filter((s) => !this.states.has(s)),
      transitions: [...this.universe.transitions.keys()].filter((t) => !this.transitions.has(t)),
    };
  }

  /** The report printed in the test output. */
  report(title: string, modelPaths: number, allowed: ReadonlyMap<string, string> = new Map()): string {
    const { states, transitions } = this.uncovered();
    const u = this.universe;
    const lines = [
      `── ${title}: model-based coverage against the real actors ──`,
      `model paths run: ${modelPaths}`,
      `states:      ${u.states.length - states.length}/${u.states.length}`,
      `transitions: ${u.transitions.size - transitions.length}/${u.transitions.size}`,
    ];
    for (const s of states) lines.push(`  uncovered state: ${s}`);
    for (const t of transitions) lines.push(`  uncovered transition: ${t} ${u.transitions.get(t)}${allowed.has(t) ? `  (allowed: ${allowed.get(t)})` : ""}`);
    return lines.join("\n");
  }
}
