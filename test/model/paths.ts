/**
 * Test paths from a `TestModel`: walks over xstate/graph's adjacency map that, together, take every
 * transition the model can take. Each walk starts at the model's initial state and heads, by the
 * shortest route, for the nearest edge that takes a transition no walk has taken yet, until it is
 * `maxSteps` long; then a new walk starts. Paths come out in `TestModel.testPath` form (the first
 * step is `xstate.init`, each step's `state` is the state its event leads to).
 */
import type { EventObject, Snapshot } from "xstate";
import type { AdjacencyMap, StatePath, TestModel } from "xstate/graph";

export interface PlannedStep<S, E> {
  event: E;
  /** The model state the event leads to. */
  state: S;
  /** The machine transitions the model takes on this step (what the real actor must take too). */
  keys: string[];
}

export interface PlannedPath<S extends Snapshot<unknown>, E extends EventObject> {
  steps: Array<PlannedStep<S, E>>;
  statePath: StatePath<S, E>;
  description: string;
}

interface Edge<S, E> {
  event: E;
  to: string;
  state: S;
  keys: string[];
}

export interface PlanOptions<S, E> {
  serialize(state: S): string;
  /** The machine transitions `event` takes from `state` to `next` (empty: none, or a step outside the machine). */
  keysOf(state: S, event: E, next: S): string[];
  formatEvent(event: E): string;
  maxSteps: number;
}

const adjacencies = new WeakMap<object, unknown>();

/** The model's adjacency map, computed once (a traversal of every model state). */
export function adjacencyOf<S extends Snapshot<unknown>, E extends EventObject>(model: TestModel<S, E, any>): AdjacencyMap<S, E> {
  if (!adjacencies.has(model)) adjacencies.set(model, model.getAdjacencyMap());
  return adjacencies.get(model) as AdjacencyMap<S, E>;
}

export function planCoveringPaths<S extends Snapshot<unknown>, E extends EventObject>(
  model: TestModel<S, E, any>,
  initial: S,
  options: PlanOptions<S, E>,
): { paths: Array<PlannedPath<S, E>>; reachable: Set<string> } {
  const adjacency = adjacencyOf(model);
  const edges = new Map<string, Array<Edge<S, E>>>();
  const reachable = new Set<string>();
  for (const [from, { state, transitions }] of Object.entries(adjacency)) {
    const out: Array<Edge<S, E>> = [];
    for (const { event, state: next } of Object.values(transitions) as Array<{ event: E; state: S }>) {
      const keys = options.keysOf(state as S, event as E, next as S);
      keys.forEach((k) => reachable.add(k));
      out.push({ event: event as E, to: options.serialize(next as S), state: next as S, keys });
    }
    edges.set(from, out);
  }
  const uncovered = new Set(reachable);
  const start = options.serialize(initial);

  /** Breadth-first from `from` to the nearest edge taking an uncovered transition. */
  function route(from: string): Array<Edge<S, E>> | undefined {
    const previous = new Map<string, { via: Edge<S, E>; from: string } | null>([[from, null]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i]!;
      const out = edges.get(at) ?? [];
      const target = out.find((e) => e.keys.some((k) => uncovered.has(k)));
      if (target) {
        const route = [target];
        for (let back = previous.get(at); back; back = previous.get(back.from)) route.unshift(back.via);
        return route;
      }
      for (const edge of out)
        if (!previous.has(edge.to)) {
          previous.set(edge.to, { via: edge, from: at });
          queue.push(edge.to);
        }
    }
    return undefined;
  }

  const paths: Array<PlannedPath<S, E>> = [];
  while (uncovered.size > 0) {
    const steps: Array<PlannedStep<S, E>> = [];
    let at = start;
    for (;;) {
      const next = route(at);
      if (!next || (steps.length > 0 && steps.length + next.length > options.maxSteps)) break;
      for (const edge of next) {
        steps.push({ event: edge.event, state: edge.state, keys: edge.keys });
        edge.keys.forEach((k) => uncovered.delete(k));
      }
      at = next[next.length - 1]!.to;
    }
    if (steps.length === 0) break; // nothing left that the model can reach
    const statePath: StatePath<S, E> = {
      state: steps[steps.length - 1]!.state,
      weight: steps.length,
      steps: [{ state: initial, event: { type: "xstate.init" } as E }, ...steps.map(({ event, state }) => ({ event, state }))],
    };
    paths.push({ steps, statePath, description: steps.map((s) => options.formatEvent(s.event)).join(" → ") });
  }
  return { paths, reachable };
}

/**
 * The path that `events` take through the model from its initial state: each event must be one the
 * model offers where the path has got to (compared by `formatEvent`), or this throws. For scenarios
 * written by hand, run exactly as the covering walks are.
 */
export function replayPath<S extends Snapshot<unknown>, E extends EventObject>(
  model: TestModel<S, E, any>,
  initial: S,
  events: E[],
  options: PlanOptions<S, E>,
): PlannedPath<S, E> {
  const adjacency = adjacencyOf(model);
  const steps: Array<PlannedStep<S, E>> = [];
  let at = initial;
  for (const wanted of events) {
    const offered = Object.values((adjacency as unknown as Record<string, { transitions: object }>)[options.serialize(at)]?.transitions ?? {}) as Array<{ event: E; state: S }>;
    const edge = offered.find(({ event }) => options.formatEvent(event) === options.formatEvent(wanted));
    if (!edge)
      throw new Error(`the model does not offer ${options.formatEvent(wanted)} after ${steps.length} steps; it offers: ${offered.map((o) => options.formatEvent(o.event)).join(", ")}`);
    steps.push({ event: edge.event, state: edge.state, keys: options.keysOf(at, edge.event, edge.state) });
    at = edge.state;
  }
  const statePath: StatePath<S, E> = {
    state: at,
    weight: steps.length,
    steps: [{ state: initial, event: { type: "xstate.init" } as E }, ...steps.map(({ event, state }) => ({ event, state }))],
  };
  return { steps, statePath, description: steps.map((s) => options.formatEvent(s.event)).join(" → ") };
}
