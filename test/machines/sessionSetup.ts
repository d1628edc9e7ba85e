/** A standalone session actor on fakes, stopped after each test, with bounded waits on its regions. */
import { afterEach, vi } from "vitest";
import { createActor, setup, waitFor, type Actor, type SnapshotFrom } from "xstate";
import type { SessionInput, SessionMachine, SignerChangedEvent } from "../../machines";
import { sessionInput, type Fakes } from "./fakes";

type SessionActor = Actor<SessionMachine>;
type SessionSnapshot = SnapshotFrom<SessionMachine>;

const started: Array<{ stop(): void }> = [];
afterEach(() => {
  for (const actor of started.splice(0)) actor.stop();
});

/** Starts a session with no parent; `values` records every snapshot's value. */
export function startSession(fakes: Fakes, input: SessionInput = sessionInput()) {
  const actor = createActor(fakes.machine, { input });
  const values: SessionSnapshot["value"][] = [];
  actor.subscribe({ next: (s) => values.push(s.value), error: () => {} });
  started.push(actor);
  actor.start();
  return { actor, values };
}

/** The distinct states one region went through, in order. */
export const path = (values: SessionSnapshot["value"][], region: "signer" | "lists") =>
  values.map((v) => JSON.stringify(v[region])).filter((v, i, all) => i === 0 || v !== all[i - 1]).map((v) => JSON.parse(v) as unknown);

type Wait = (actor: SessionActor, timeout?: number) => Promise<SessionSnapshot>;
const until =
  (predicate: (s: SessionSnapshot) => boolean): Wait =>
  (actor, timeout = 1_000) =>
    waitFor(actor, predicate, { timeout });

export const signerReady = until((s) => s.matches({ signer: "ready" }));
export const listsReady = until((s) => s.matches({ lists: { live: "ready" } }));
export const settled = until((s) => s.matches({ signer: "ready", lists: { live: "ready" } }));
export const signerIn = (state: SessionSnapshot["value"]["signer"]) => until((s) => s.matches({ signer: state }));
export const listsIn = (state: SessionSnapshot["value"]["lists"]) => until((s) => s.matches({ lists: state }));
export const when = (actor: SessionActor, predicate: (s: SessionSnapshot) => boolean) => waitFor(actor, predicate, { timeout: 1_000 });

/** The session invoked by a minimal parent that records each `session.signer.changed` it is told. */
export function startWithParent(fakes: Fakes, input: SessionInput = sessionInput()) {
  const reports = vi.fn((_event: SignerChangedEvent) => {});
  const parent = setup({
    types: { events: {} as SignerChangedEvent },
    actors: { session: fakes.machine },
  }).createMachine({
    invoke: { id: "child", src: "session", input },
    on: { "session.signer.changed": { actions: ({ event }) => reports(event) } },
  });
  const actor = createActor(parent);
  actor.subscribe({ error: () => {} });
  started.push(actor);
  actor.start();
  const child = actor.getSnapshot().children.child as SessionActor;
  return { actor, child, reports };
}
