/** A manager whose sessions run on fakes and whose effect-facing actions are spies. */
import { afterEach, vi } from "vitest";
import { createActor, fromCallback, fromPromise, waitFor, type Actor, type AnyActorRef, type EventObject, type SnapshotFrom } from "xstate";
import { managerMachine, sessionId, type LoadedState, type ManagerEvent, type ManagerMachine, type RestoredAccount, type SessionMachine } from "../../machines";
import { makeFakes } from "./fakes";

type SessionRef = Actor<SessionMachine>;
const started: Actor<ManagerMachine>[] = [];
afterEach(() => {
  for (const actor of started.splice(0)) actor.stop();
});

export function setupManager() {
  const fakes = makeFakes();
  const wireNdk = vi.fn((_args: unknown, _params: { pubkey: string | null }) => {});
  const releaseSession = vi.fn((_args: unknown, _params: { pubkey: string }) => {});
  const configure = vi.fn((_args: unknown, _params: { kinds?: number[]; pubkey?: string; plan?: unknown }) => {});
  const loadState = vi.fn(async (): Promise<LoadedState> => ({ accounts: [], activePubkey: null }));
  /** What the keyring's news sends the manager (its `watchSigners` actor). */
  let signerNews: (event: ManagerEvent) => void = () => {};
  const machine = managerMachine.provide({
    actors: {
      session: fakes.machine,
      loadState: fromPromise<LoadedState>(() => loadState()),
      watchSigners: fromCallback<EventObject>(({ sendBack }) => {
        signerNews = sendBack;
      }),
    },
    actions: { wireNdk, releaseSession, configure },
  });
  const actor = createActor(machine);
  /** Every state the manager went through, in order. */
  const values: unknown[] = [];
  actor.subscribe({ next: (s) => values.at(-1) !== s.value && values.push(s.value), error: () => {} });
  started.push(actor);
  actor.start();
  const login = (pubkey: string, setActive: boolean, at = 1_000) =>
    actor.send({ type: "account.login", pubkey, signer: { type: "private-key" }, setActive, at });
  const child = (pubkey: string) => actor.system.get(sessionId(pubkey)) as SessionRef | undefined;
  const params = <P>(spy: { mock: { calls: Array<[unknown, P]> } }) => spy.mock.calls.map((call) => call[1]);
  const inState = (state: SnapshotFrom<ManagerMachine>["value"]) =>
    waitFor(actor, (s) => s.matches(state), { timeout: 1_000 });
  const news = (event: ManagerEvent) => signerNews(event);
  return { actor, values, fakes, wireNdk, releaseSession, configure, loadState, login, child, params, inState, news };
}

/** A session as storage had it. */
export const account = (pubkey: string, overrides: Partial<RestoredAccount> = {}): RestoredAccount => ({
  pubkey,
  signer: { type: "private-key" },
  lastActive: 0,
  ...overrides,
});

/** Both regions of a session settled: signing, lists loaded. */
export const ready = (ref: AnyActorRef | undefined) =>
  waitFor(ref as SessionRef, (s) => s.matches({ signer: "ready", lists: { live: "ready" } }), { timeout: 1_000 });

export const sessionIn = (ref: AnyActorRef | undefined, predicate: (s: SnapshotFrom<SessionMachine>) => boolean) =>
  waitFor(ref as SessionRef, predicate, { timeout: 1_000 });

/** The session children of a manager snapshot (its other child is the signer-news watcher), by id. */
export const sessionsOf = (snapshot: { children: Record<string, unknown> }) => Object.keys(snapshot.children).filter((id) => id.startsWith("session:"));
