import { describe, expect, it } from "vitest";
import { sessionMachine } from "../../machines";
import { entry, failure, id, makeFakes, PK, sessionInput } from "./fakes";
import { listsIn, listsReady, settled, signerIn, signerReady, startSession, when } from "./sessionSetup";

describe("session machine: stop and start", () => {
  it("session.stop puts the lists idle, keeps them and ends the live subscription; the signer stays ready", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.stop" });
    const snap = actor.getSnapshot();
    expect(snap.value).toEqual({ signer: "ready", lists: "idle", writes: "idle" });
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(1);
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
    expect(Object.keys(snap.children)).toEqual([]);
  });

  it("session.stop while the signer is retrying stops the lists only; the signer keeps its backoff", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(failure("signer-timeout"));
    const { actor } = startSession(fakes);
    await when(actor, (s) => s.matches({ signer: "retrying", lists: { live: "ready" } }));
    actor.send({ type: "session.stop" });
    expect(actor.getSnapshot().value).toEqual({ signer: "retrying", lists: "idle", writes: "idle" });
    fakes.backoffs("signerBackoff")[0]!.deferred.resolve();
    const snap = await signerReady(actor);
    expect(snap.matches({ lists: "idle" })).toBe(true);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });

  it("session.start from idle goes live again: one fetch, one subscription, the signer left alone", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.stop" });
    actor.send({ type: "session.start" });
    await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.fetchLists.mock.calls[1]![0]).toMatchObject({ pubkey: PK });
    expect(fakes.watchLists).toHaveBeenCalledTimes(2);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(1);
    expect(fakes.authenticate).toHaveBeenCalledTimes(1);
  });

  it("session.start while live (the app's plan changed) fetches again on a new subscription", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockImplementationOnce(() => new Promise(() => {}));
    const { actor } = startSession(fakes);
    await when(actor, (s) => s.matches({ signer: "authenticating", lists: { live: "ready" } }));
    actor.send({ type: "session.start" });
    expect(actor.getSnapshot().value).toEqual({ signer: "authenticating", lists: { live: "fetching" }, writes: "idle" });
    await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(1);
    expect(fakes.watchLists).toHaveBeenCalledTimes(2);
    expect(fakes.authenticate).toHaveBeenCalledTimes(1);
  });

  it("session.refresh from ready fetches again without re-subscribing", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.refresh" });
    await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
  });

  it("session.reauthenticate stores the new signer and restores it; the lists are not fetched again", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.reauthenticate", signer: { type: "nip46" } });
    expect(actor.getSnapshot().matches({ signer: "restoring" })).toBe(true);
    const snap = await signerReady(actor);
    expect(snap.context.signer).toEqual({ type: "nip46" });
    expect(fakes.restoreSigner).toHaveBeenLastCalledWith({ pubkey: PK, signer: { type: "nip46" } });
    expect(fakes.authenticate).toHaveBeenCalledTimes(2);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });
});

describe("session machine: preferences and monitored kinds", () => {
  it("walletEnabled while ready re-enters live and fetches and watches with it", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.preferences.set", preferences: { walletEnabled: true } });
    const snap = await listsReady(actor);
    expect(snap.context.preferences).toEqual({ walletEnabled: true });
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.fetchLists.mock.calls[1]![0]).toMatchObject({ pubkey: PK, walletEnabled: true });
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(1);
    expect(fakes.watchLists.mock.calls[1]![0]).toEqual({ pubkey: PK, walletEnabled: true });
  });

  it("preferences set while idle are kept but cause no fetch; the next start uses them", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.stop" });
    actor.send({ type: "session.preferences.set", preferences: { walletEnabled: true } });
    expect(actor.getSnapshot().value).toEqual({ signer: "ready", lists: "idle", writes: "idle" });
    expect(actor.getSnapshot().context.preferences.walletEnabled).toBe(true);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    actor.send({ type: "session.start" });
    await listsReady(actor);
    expect(fakes.fetchLists.mock.calls[1]![0]).toMatchObject({ walletEnabled: true });
  });

  it("session.monitor while ready re-enters live and fetches again", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.monitor" });
    expect(actor.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.watchLists).toHaveBeenCalledTimes(2);
  });

  it("session.monitor while idle is ignored", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.stop" });
    actor.send({ type: "session.monitor" });
    expect(actor.getSnapshot().matches({ lists: "idle" })).toBe(true);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });
});

describe("session machine: approvals", () => {
  it("session.approval with a url waits in awaitingApproval; a new url replaces it; null goes back to ready", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes, sessionInput({ signer: { type: "nip46" } }));
    await settled(actor);
    actor.send({ type: "session.approval", url: "https://bunker.example/1" });
    expect(actor.getSnapshot().matches({ signer: "awaitingApproval" })).toBe(true);
    expect(actor.getSnapshot().context.approvalUrl).toBe("https://bunker.example/1");
    actor.send({ type: "session.approval", url: "https://bunker.example/2" });
    expect(actor.getSnapshot().context.approvalUrl).toBe("https://bunker.example/2");
    actor.send({ type: "session.approval", url: null });
    expect(actor.getSnapshot().matches({ signer: "ready" })).toBe(true);
    expect(actor.getSnapshot().context.approvalUrl).toBeNull();
  });

  it("session.approval with null while ready changes nothing", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.approval", url: null });
    expect(actor.getSnapshot().value).toEqual({ signer: "ready", lists: { live: "ready" }, writes: "idle" });
  });
});

describe("session machine: restored where it left off (input)", () => {
  it("{stopped: true} starts the lists idle: no fetch, no subscription; session.start fetches", async () => {
    const fakes = makeFakes([entry(0, "2", 2)]);
    const stored = entry(3, "1", 1);
    const { actor } = startSession(fakes, sessionInput({ stopped: true, lists: { "3": stored } }));
    expect(actor.getSnapshot().matches({ lists: "idle" })).toBe(true);
    const snap = await signerReady(actor);
    expect(snap.matches({ lists: "idle" })).toBe(true);
    expect(snap.context.lists).toEqual({ "3": stored });
    expect(fakes.fetchLists).not.toHaveBeenCalled();
    expect(fakes.watchLists).not.toHaveBeenCalled();

    actor.send({ type: "session.start" });
    const after = await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
    expect(after.context.lists["0"]!.id).toBe(id("2"));
  });

  it("{listsFailure, listsAttempt} starts in live.retrying with a backoff derived from them", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    const stored = failure("relay-timeout", 42_000);
    const { actor } = startSession(fakes, sessionInput({ listsFailure: stored, listsAttempt: 3 }));
    expect(actor.getSnapshot().matches({ lists: { live: "retrying" } })).toBe(true);
    expect(actor.getSnapshot().context).toMatchObject({ listsFailure: stored, listsAttempt: 3 });
    await when(actor, () => fakes.backoffs("listsBackoff").length === 1);
    expect(fakes.backoffs("listsBackoff")[0]!.input).toEqual({ attempt: 3, since: 42_000 });
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
    expect(fakes.fetchLists).not.toHaveBeenCalled();

    fakes.backoffs("listsBackoff")[0]!.deferred.resolve();
    const snap = await listsReady(actor);
    expect(snap.context).toMatchObject({ listsFailure: null, listsAttempt: 0 });
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });

  it("a stopped session that was backing off stays stopped", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes, sessionInput({ stopped: true, listsFailure: failure("relay-timeout"), listsAttempt: 2 }));
    const snap = await signerReady(actor);
    expect(snap.matches({ lists: "idle" })).toBe(true);
    expect(fakes.backoff).not.toHaveBeenCalled();
  });

  it("{listsFailure: null} starts live and fetches", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes, sessionInput({ listsFailure: null, stopped: false }));
    expect(actor.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    await settled(actor);
  });
});

describe("session machine: persistence", () => {
  it("a persisted snapshot survives JSON and resolves to the same value and context", async () => {
    const fakes = makeFakes([entry(0, "1", 10, { name: "alice" }), entry(3, "2", 20, { packed: "", count: 0 })]);
    const { actor } = startSession(fakes, sessionInput({ preferences: { walletEnabled: true } }));
    const original = await settled(actor);
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    expect(persisted.value).toEqual({ signer: "ready", lists: { live: "ready" }, writes: "idle" });
    const resolved = sessionMachine.resolveState({ value: persisted.value, context: persisted.context });
    expect(resolved.value).toEqual(original.value);
    expect(resolved.context).toEqual(original.context);
    expect(resolved.context.lists["0"]!.data).toEqual({ name: "alice" });
  });

  it("a session persisted while its lists backed off keeps the deadline when restored from its context", async () => {
    const fakes = makeFakes();
    fakes.fetchLists.mockRejectedValueOnce(failure("relay-timeout", 123_000));
    const { actor } = startSession(fakes);
    await listsIn({ live: "retrying" })(actor);
    const { context } = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();

    const again = makeFakes();
    const { actor: restored } = startSession(again, sessionInput({ listsFailure: context.listsFailure, listsAttempt: context.listsAttempt }));
    await signerIn("ready")(restored);
    expect(again.backoffs("listsBackoff").map((w) => w.input)).toEqual([{ attempt: 1, since: 123_000 }]);
  });
});
