import { afterEach, describe, expect, it } from "vitest";
import { createActor, waitFor, type Actor } from "xstate";
import { sessionMachine, type SessionMachine } from "../../machines";
import { entry, id, makeFakes, PK, PLAN, PLAN_KINDS, RETRY, sessionInput, type Fakes } from "./fakes";

const started: Actor<SessionMachine>[] = [];
afterEach(() => {
  for (const actor of started.splice(0)) actor.stop();
});

function start(fakes: Fakes, options: Parameters<typeof createActor<SessionMachine>>[1] = { input: sessionInput() }) {
  const actor = createActor(sessionMachine.provide({ actors: fakes.actors }), options);
  actor.subscribe({ error: () => {} });
  started.push(actor);
  actor.start();
  return actor;
}

const ready = (actor: Actor<SessionMachine>) => waitFor(actor, (s) => s.matches({ live: "ready" }), { timeout: 1_000 });

describe("session machine: stop and start", () => {
  it("session.stop goes idle, keeps the lists and calls the watch cleanup", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    const actor = start(fakes);
    await ready(actor);
    expect(fakes.watchCleanup).not.toHaveBeenCalled();
    actor.send({ type: "session.stop" });
    const snap = actor.getSnapshot();
    expect(snap.value).toBe("idle");
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(1);
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
    expect(snap.children).toEqual({});
  });

  it("session.start from idle goes live again, with a new plan when given", async () => {
    const fakes = makeFakes();
    const actor = start(fakes);
    await ready(actor);
    actor.send({ type: "session.stop" });
    const plan = { ...PLAN, kinds: [30023] };
    actor.send({ type: "session.start", plan });
    const snap = await ready(actor);
    expect(snap.context.plan).toEqual(plan);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.fetchLists.mock.calls[1]![0]).toMatchObject({ pubkey: PK, kinds: [...PLAN_KINDS, 30023] });
    expect(fakes.watchLists).toHaveBeenCalledTimes(2);
    // A stop can come from any state (even mid-authentication), so a start proves the signer again.
    expect(fakes.authenticate).toHaveBeenCalledTimes(2);
  });

  // Fails today: session.stop is only handled inside `live`, so a stop sent while restoring,
  // authenticating or in error is dropped and the session keeps retrying.
  it("session.stop while in error goes idle and stops retrying", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce({ code: "signer-timeout", message: "x", at: 1 });
    const actor = start(fakes);
    await waitFor(actor, (s) => s.matches("error"), { timeout: 1_000 });
    actor.send({ type: "session.stop" });
    expect(actor.getSnapshot().value).toBe("idle");
  });

  it("session.stop while authenticating goes idle", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockImplementationOnce(() => new Promise(() => {}));
    const actor = start(fakes);
    await waitFor(actor, (s) => s.matches("authenticating"), { timeout: 1_000 });
    actor.send({ type: "session.stop" });
    expect(actor.getSnapshot().value).toBe("idle");
  });

  // Fails today: session.start is handled only in `live` and `idle`; a plan sent while the signer is
  // still restoring/authenticating (startSession right after login) is dropped.
  it("session.start with a plan while authenticating is applied to the fetch", async () => {
    const fakes = makeFakes();
    let letIn!: () => void;
    fakes.authenticate.mockImplementationOnce(() => new Promise<void>((resolve) => (letIn = resolve)));
    const actor = start(fakes);
    await waitFor(actor, (s) => s.matches("authenticating"), { timeout: 1_000 });
    actor.send({ type: "session.start", plan: { ...PLAN, wallet: true } });
    letIn();
    await ready(actor);
    expect(fakes.fetchLists.mock.calls.at(-1)![0].kinds).toContain(17375);
  });

  it("session.refresh from ready fetches again without re-subscribing", async () => {
    const fakes = makeFakes();
    const actor = start(fakes);
    await ready(actor);
    actor.send({ type: "session.refresh" });
    await ready(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
    expect(fakes.watchCleanup).not.toHaveBeenCalled();
  });

  it("a refresh tells the fetch which lists it already holds", async () => {
    const stored = [entry(3, "a", 10), entry(10000, "b", 11)];
    const fakes = makeFakes(stored);
    const actor = start(fakes);
    await ready(actor);
    actor.send({ type: "session.refresh" });
    await ready(actor);
    expect(fakes.fetchLists.mock.calls[1]![0].known).toEqual(stored.map(({ key, id, createdAt }) => ({ key, id, createdAt })));
  });

  it("session.reauthenticate stores the new signer and restores it", async () => {
    const fakes = makeFakes();
    const actor = start(fakes);
    await ready(actor);
    actor.send({ type: "session.reauthenticate", signer: { type: "nip46" } });
    const snap = await ready(actor);
    expect(snap.context.signer).toEqual({ type: "nip46" });
    expect(fakes.restoreSigner).toHaveBeenLastCalledWith({ pubkey: PK, signer: { type: "nip46" } });
    expect(fakes.authenticate).toHaveBeenCalledTimes(2);
  });
});

describe("session machine: plan changes while live", () => {
  it("walletEnabled while ready re-enters live and fetches the wallet kinds", async () => {
    const fakes = makeFakes();
    const actor = start(fakes);
    await ready(actor);
    actor.send({ type: "session.preferences.set", preferences: { walletEnabled: true } });
    const snap = await ready(actor);
    expect(snap.context.preferences).toEqual({ walletEnabled: true });
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    const kinds = fakes.fetchLists.mock.calls[1]![0].kinds;
    expect(kinds).toContain(17375);
    expect(kinds).toContain(10019);
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(1);
    expect(fakes.watchLists.mock.calls[1]![0].kinds).toEqual(kinds);
  });

  it("preferences set while idle are kept but cause no fetch", async () => {
    const fakes = makeFakes();
    const actor = start(fakes);
    await ready(actor);
    actor.send({ type: "session.stop" });
    actor.send({ type: "session.preferences.set", preferences: { walletEnabled: true } });
    expect(actor.getSnapshot().value).toBe("idle");
    expect(actor.getSnapshot().context.preferences.walletEnabled).toBe(true);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });

  it("session.monitor while ready adds the kinds and fetches them", async () => {
    const fakes = makeFakes();
    const actor = start(fakes);
    await ready(actor);
    actor.send({ type: "session.monitor", kinds: [30078, 0] });
    const snap = await ready(actor);
    expect(snap.context.plan.kinds).toEqual([30078, 0]);
    expect(fakes.fetchLists.mock.calls[1]![0].kinds).toEqual([0, 3, 10000, 10002, 10006, 30078]);
  });
});

describe("session machine: persistence", () => {
  it("a persisted ready snapshot survives JSON and restores to the same value and context", async () => {
    const fakes = makeFakes([entry(0, "1", 10, { name: "alice" }), entry(3, "2", 20, { packed: "", count: 0 })]);
    const actor = start(fakes, { input: sessionInput({ preferences: { walletEnabled: false } }) });
    await ready(actor);
    actor.send({ type: "session.preferences.set", preferences: { walletEnabled: true } });
    await ready(actor);
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    const original = actor.getSnapshot();

    const restoredFakes = makeFakes();
    const restored = start(restoredFakes, { snapshot: persisted, input: sessionInput() });
    const snap = restored.getSnapshot();
    expect(snap.value).toEqual(original.value);
    expect(snap.context).toEqual(original.context);
    expect(snap.context.preferences).toEqual({ walletEnabled: true });
    expect(snap.context.lists["0"]!.data).toEqual({ name: "alice" });
    expect(snap.matches({ live: "ready" })).toBe(true);
    // the live subscription is joined again, with the persisted kinds; no new fetch
    expect(restoredFakes.watchLists).toHaveBeenCalledTimes(1);
    expect(restoredFakes.watchLists.mock.calls[0]![0].kinds).toContain(17375);
    expect(restoredFakes.fetchLists).not.toHaveBeenCalled();
  });

  it("a restored actor in error re-invokes waitUntil with the same deadline", async () => {
    const failure = { code: "signer-timeout", message: "no answer", at: 123_000 };
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(failure);
    const actor = start(fakes);
    await waitFor(actor, (s) => s.matches("error"), { timeout: 1_000 });
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();

    const restoredFakes = makeFakes();
    const restored = start(restoredFakes, { snapshot: persisted, input: sessionInput() });
    expect(restored.getSnapshot().value).toEqual({ error: "retrying" });
    expect(restored.getSnapshot().context).toMatchObject({ failure, attempt: 1, retryAt: failure.at + RETRY.baseMs });
    await waitFor(restored, () => restoredFakes.waits.length === 1, { timeout: 1_000 });
    expect(restoredFakes.waitUntil).toHaveBeenCalledWith({ until: failure.at + RETRY.baseMs, delayMs: RETRY.baseMs });
    // and the restored deadline still leads back to ready
    restoredFakes.waits[0]!.deferred.resolve();
    const snap = await ready(restored);
    expect(snap.context.attempt).toBe(0);
    expect(restoredFakes.restoreSigner).toHaveBeenCalledTimes(1);
  });
});
