/** A manager whose sessions run on fakes and whose NDK actions are spies. */
import { afterEach, vi } from "vitest";
import { createActor, waitFor, type Actor, type AnyActorRef } from "xstate";
import { managerMachine, sessionMachine, type ManagerMachine, type SessionMachine } from "../../machines";
import { makeFakes, PLAN, RETRY } from "./fakes";

type SessionRef = Actor<SessionMachine>;
const started: Actor<ManagerMachine>[] = [];
afterEach(() => {
  for (const actor of started.splice(0)) actor.stop();
});

export function setupManager() {
  const fakes = makeFakes();
  const wireNdk = vi.fn();
  const wireFilters = vi.fn();
  const releaseSession = vi.fn();
  const machine = managerMachine.provide({
    actors: { session: sessionMachine.provide({ actors: fakes.actors }) },
    actions: { wireNdk, wireFilters, releaseSession },
  });
  const actor = createActor(machine, { input: { plan: PLAN, retry: RETRY } });
  actor.subscribe({ error: () => {} });
  started.push(actor);
  actor.start();
  const login = (pubkey: string, setActive: boolean, at = 1_000) =>
    actor.send({ type: "account.login", pubkey, signer: { type: "private-key" }, setActive, at });
  const child = (pubkey: string) => actor.system.get(`session:${pubkey}`) as SessionRef | undefined;
  const params = (spy: ReturnType<typeof vi.fn>) => spy.mock.calls.map((call) => call[1]);
  return { actor, fakes, wireNdk, wireFilters, releaseSession, login, child, params };
}

export const ready = (ref: AnyActorRef | undefined) =>
  waitFor(ref as SessionRef, (s) => s.matches({ live: "ready" }), { timeout: 1_000 });

