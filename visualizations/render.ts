/**
 * Diagrams drawn from the machine definitions themselves (xstate/graph): a Mermaid state diagram
 * per machine (renders on any Git host), an SVG rendered offline by Graphviz (@viz-js/viz), and an
 * index. `npm run visualize` writes them; a test fails when they drift from machines/.
 */
import { toDirectedGraph, type DirectedGraphNode } from "xstate/graph";
import { instance } from "@viz-js/viz";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type { AnyStateMachine, AnyStateNode } from "xstate";
import { managerMachine, sessionMachine } from "../machines";

export const MACHINES: Record<string, AnyStateMachine> = { session: sessionMachine, manager: managerMachine };

interface Edge {
  from: string;
  to: string;
  label: string;
}

/** A diagram id from a state's path: `live.fetching` → `live_fetching`; the machine itself is `root`. */
const idOf = (node: DirectedGraphNode | AnyStateNode, _root?: DirectedGraphNode) => {
  const stateNode = "stateNode" in node ? node.stateNode : node;
  return stateNode.path.length === 0 ? "root" : stateNode.path.join("_");
};

/** Event names as people read them: `xstate.done.actor.fetchLists` → `done: fetchLists`. */
function labelOf(edge: DirectedGraphNode["edges"][number]): string {
  const event = edge.label.text.replace(/^xstate\.done\.actor\./, "done: ").replace(/^xstate\.error\.actor\./, "error: ");
  const name = guardName(edge.transition.guard);
  return name ? `${event} [${name}]` : event;
}

/**
 * `"isKnown"`, `{ type: "isKnown" }`, or one of xstate's combinators — functions carrying their
 * `guards` (`and`, `or`, `not`, told apart by the name of their check) or their `stateValue` (`stateIn`).
 */
function guardName(guard: unknown): string | undefined {
  if (!guard) return undefined;
  if (typeof guard === "string") return guard;
  const { guards, stateValue, check, type } = guard as { guards?: unknown[]; stateValue?: unknown; check?: { name?: string }; type?: string };
  if (stateValue !== undefined) return `in ${stateName(stateValue)}`;
  if (Array.isArray(guards)) {
    const names = guards.map(guardName);
    if (check?.name === "checkNot") return `not ${names.join(", ")}`;
    return names.join(check?.name === "checkOr" ? " or " : " and ");
  }
  return type ?? "guard";
}

/** `{ signer: "ready" }` → `signer.ready`. */
const stateName = (value: unknown): string =>
  typeof value === "string" ? value : Object.entries(value as Record<string, unknown>).map(([key, inner]) => `${key}.${stateName(inner)}`).join(", ");

function collect(node: DirectedGraphNode, root: DirectedGraphNode, edges: Edge[]): void {
  for (const edge of node.edges) {
    const targetless = edge.target === edge.source && edge.transition.target === undefined;
    if (targetless) continue; // actions only: shown in the machine's own description, not as arrows
    edges.push({ from: idOf(edge.source, root), to: idOf(edge.target, root), label: labelOf(edge) });
  }
  // toDirectedGraph leaves out eventless (`always`) transitions: drawn here, so a decision state shows its ways out.
  for (const transition of node.stateNode.always ?? []) {
    const name = guardName(transition.guard);
    for (const target of transition.target ?? [])
      edges.push({ from: idOf(node, root), to: idOf(target), label: name ? `always [${name}]` : "always" });
  }
  node.children.forEach((child) => collect(child, root, edges));
}

/** Events a state handles without leaving it (actions only), by name, with the guard of each that has one (a decision shows its ways). */
const handledBy = (node: DirectedGraphNode) => [...new Set(node.edges.filter((e) => e.target === e.source && e.transition.target === undefined).map(labelOf))];

const initialOf = (node: DirectedGraphNode) => (node.stateNode.initial?.target ?? [])[0];

export function toMermaid(machine: AnyStateMachine): string {
  const root = toDirectedGraph(machine);
  const lines = ["stateDiagram-v2", "  direction LR"];
  const declare = (node: DirectedGraphNode, indent: string) => {
    const id = idOf(node, root);
    if (node.children.length === 0) {
      lines.push(`${indent}state "${node.stateNode.key}" as ${id}`);
      return;
    }
    lines.push(`${indent}state "${node.stateNode.key}" as ${id} {`);
    const initial = initialOf(node);
    if (initial) lines.push(`${indent}  [*] --> ${idOf(initial)}`);
    node.children.forEach((child) => declare(child, `${indent}  `));
    lines.push(`${indent}}`);
  };
  const top = initialOf(root);
  if (top) lines.push(`  [*] --> ${idOf(top)}`);
  root.children.forEach((child) => declare(child, "  "));
  const edges: Edge[] = [];
  collect(root, root, edges);
  for (const { from, to, label } of edges) lines.push(`  ${from === "root" ? "anyState" : from} --> ${to}: ${label}`);
  const anywhere = handledBy(root);
  if (edges.some((e) => e.from === "root") || anywhere.length) lines.push(`  state "any state" as anyState`);
  if (anywhere.length) lines.push(`  note right of anyState: handles ${anywhere.join(", ").replace(/[:;]/g, ",")}`);
  // A leaf's note: what it is for, and the events it handles without leaving (actions only).
  const notes = (node: DirectedGraphNode) => {
    const handled = handledBy(node);
    const text = [node.stateNode.description, handled.length ? `handles ${handled.join(", ")}` : ""].filter(Boolean).join(" — ");
    if (text && node !== root && node.children.length === 0) lines.push(`  note right of ${idOf(node, root)}: ${text.replace(/[:;]/g, ",")}`);
    node.children.forEach(notes);
  };
  notes(root);
  return `${lines.join("\n")}\n`;
}

export function toDot(machine: AnyStateMachine): string {
  const root = toDirectedGraph(machine);
  const quote = (text: string) => JSON.stringify(text);
  const lines = [`digraph ${quote(machine.id)} {`, "  rankdir=LR; compound=true;", '  node [shape=box, style=rounded, fontname="Helvetica"]; edge [fontname="Helvetica", fontsize=10];'];
  const declare = (node: DirectedGraphNode, indent: string) => {
    const id = idOf(node, root);
    if (node.children.length === 0) {
      lines.push(`${indent}${quote(id)} [label=${quote(node.stateNode.key)}, tooltip=${quote(node.stateNode.description ?? "")}];`);
      return;
    }
    lines.push(`${indent}subgraph ${quote(`cluster_${id}`)} { label=${quote(node.stateNode.key)}; style=rounded;`);
    node.children.forEach((child) => declare(child, `${indent}  `));
    lines.push(`${indent}}`);
  };
  root.children.forEach((child) => declare(child, "  "));
  const edges: Edge[] = [];
  collect(root, root, edges);
  if (edges.some((e) => e.from === "root")) lines.push(`  "anyState" [label="any state", shape=plaintext];`);
  const leafOf = (id: string): string => {
    const node = find(root, id);
    return node && node.children.length > 0 ? leafOf(idOf(node.children[0]!, root)) : id;
  };
  // An edge from or to a compound state is drawn between its first leaves, clipped at the cluster's border.
  const isCluster = (id: string) => leafOf(id) !== id;
  for (const { from, to, label } of edges) {
    const tail = from === "root" ? "anyState" : leafOf(from);
    const clip = [isCluster(from) && from !== "root" ? `ltail=${quote(`cluster_${from}`)}` : "", isCluster(to) ? `lhead=${quote(`cluster_${to}`)}` : ""].filter(Boolean);
    lines.push(`  ${quote(tail)} -> ${quote(leafOf(to))} [label=${quote(label)}${clip.map((c) => `, ${c}`).join("")}];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function find(node: DirectedGraphNode, id: string, root = node): DirectedGraphNode | undefined {
  if (idOf(node, root) === id) return node;
  for (const child of node.children) {
    const found = find(child, id, root);
    if (found) return found;
  }
  return undefined;
}

/** A digest of every file in machines/, so the index says which source the drawings are of. */
function machinesDigest(): string {
  const folder = new URL("../machines/", import.meta.url);
  const hash = createHash("sha256");
  for (const name of readdirSync(folder).filter((file) => file.endsWith(".ts")).sort()) hash.update(name).update(readFileSync(new URL(name, folder)));
  return hash.digest("hex").slice(0, 16);
}

/** Every file of visualizations/ that is generated, by name. */
export async function renderAll(): Promise<Record<string, string>> {
  const viz = await instance();
  const files: Record<string, string> = {};
  const index = [
    "# Visualizations",
    "",
    "Generated from `machines/` by `npm run visualize`; do not edit. A test fails when they drift.",
    "",
    `Drawn from the machines' source with SHA-256 \`${machinesDigest()}\` (any change to \`machines/\` asks for a new drawing).`,
    "",
  ];
  for (const [name, machine] of Object.entries(MACHINES)) {
    files[`${name}.mmd`] = toMermaid(machine);
    files[`${name}.svg`] = viz.renderString(toDot(machine), { format: "svg", engine: "dot" });
    index.push(`## ${name}`, "", machine.root.description ?? "", "", `![${name}](./${name}.svg)`, "", "```mermaid", files[`${name}.mmd`]!.trimEnd(), "```", "");
  }
  files["README.md"] = `${index.join("\n")}`;
  return files;
}
