import { afterEach, describe, expect, it } from "vitest";
import { createActor, waitFor, type Actor } from "xstate";
import { sessionMachine, type SessionMachine } from "../../machines";
import { entry, id, makeFakes, PK, PLAN_KINDS, RETRY, sessionInput, type Fakes } from "./fakes";

const started: Actor<SessionMachine>[] = [];
afterEach(() => {
  for (const actor of started.splice(0)) actor.stop();
});

function start(fakes: Fakes, input = sessionInput()) {
  const actor = createActor(sessionMachine.provide({ actors: fakes.actors }), { input });
  const values: unknown[] = [];
  actor.subscribe({ next: (s) => values.push(s.value), error: () => {} });
  started.push(actor);
  actor.start();
  return { actor, values };
}

const ready = (actor: Actor<SessionMachine>) => waitFor(actor, (s) => s.matches({ live: "ready" }), { timeout: 1_000 });
const inError = (actor: Actor<SessionMachine>) => waitFor(actor, (s) => s.matches("error"), { timeout: 1_000 });
const signerFailure = { code: "signer-timeout", message: "no answer", at: 50_000 };

describe("session machine: start-up", () => {
  it("goes restoring → authenticating → live.fetching → live.ready and stores the fetched entries", async () => {
    const profile = entry(0, "1", 10);
    const follows = entry(3, "2", 20);
    const fakes = makeFakes([profile, follows]);
    const { actor, values } = start(fakes);
    expect(values[0]).toBe("restoring");
    const snap = await ready(actor);
    expect(values).toEqual(["restoring", "authenticating", { live: "fetching" }, { live: "ready" }]);
    expect(snap.context.lists).toEqual({ "0": profile, "3": follows });
    expect(snap.context.attempt).toBe(0);
    expect(snap.context.failure).toBeNull();
    expect(fakes.restoreSigner).toHaveBeenCalledWith({ pubkey: PK, signer: { type: "private-key" } });
    expect(fakes.authenticate).toHaveBeenCalledWith({ pubkey: PK });
    expect(fakes.fetchLists).toHaveBeenCalledWith({ pubkey: PK, kinds: PLAN_KINDS, known: [] });
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
    expect(fakes.watchLists.mock.calls[0]![0]).toEqual({ pubkey: PK, kinds: PLAN_KINDS });
  });

  it("keeps lists given as input and merges the fetched ones by the NIP-01 rule", async () => {
    const kept = entry(0, "5", 100);
    const fakes = makeFakes([entry(0, "6", 99), entry(3, "7", 1)]);
    const { actor } = start(fakes, sessionInput({ lists: { "0": kept } }));
    const snap = await ready(actor);
    expect(snap.context.lists["0"]).toEqual(kept);
    expect(snap.context.lists["3"]!.id).toBe(id("7"));
  });

  it("a read-only signer skips authenticating", async () => {
    const fakes = makeFakes();
    const { actor, values } = start(fakes, sessionInput({ signer: { type: "read-only" } }));
    await ready(actor);
    expect(fakes.authenticate).not.toHaveBeenCalled();
    expect(values).not.toContain("authenticating");
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });
});

describe("session machine: failures and retries", () => {
  it("an authenticate failure records code, attempt 1 and retryAt = at + baseMs", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(signerFailure);
    const { actor } = start(fakes);
    const snap = await inError(actor);
    expect(snap.context.failure).toEqual(signerFailure);
    expect(snap.context.attempt).toBe(1);
    expect(snap.context.retryAt).toBe(signerFailure.at + RETRY.baseMs);
    expect(fakes.fetchLists).not.toHaveBeenCalled();
    await waitFor(actor, () => fakes.waitUntil.mock.calls.length === 1, { timeout: 1_000 });
    expect(fakes.waitUntil).toHaveBeenCalledWith({ until: signerFailure.at + RETRY.baseMs, delayMs: RETRY.baseMs });
  });

  it("the wait resolving goes back to restoring and on to ready, resetting attempt", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    fakes.authenticate.mockRejectedValueOnce(signerFailure);
    const { actor, values } = start(fakes);
    await inError(actor);
    await waitFor(actor, () => fakes.waits.length === 1, { timeout: 1_000 });
    fakes.waits[0]!.deferred.resolve();
    const snap = await ready(actor);
    expect(values).toEqual(["restoring", "authenticating", { error: "retrying" }, "restoring", "authenticating", { live: "fetching" }, { live: "ready" }]);
    expect(snap.context).toMatchObject({ attempt: 0, failure: null, retryAt: null });
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(2);
  });

  it("consecutive failures back off exponentially up to maxMs", async () => {
    const fakes = makeFakes();
    fakes.restoreSigner.mockRejectedValue({ code: "signer-unavailable", message: "x", at: 1_000 });
    const { actor } = start(fakes);
    const expected = [2_000, 3_000, 5_000, 9_000, 9_000]; // at + min(8000, 1000·2^(n-1))
    for (let n = 1; n <= expected.length; n++) {
      const snap = await waitFor(actor, (s) => s.matches("error") && s.context.attempt === n, { timeout: 1_000 });
      expect(snap.context.retryAt).toBe(expected[n - 1]);
      actor.send({ type: "session.retry" });
    }
  });

  it("a fetch failure leaves live for error and keeps the last-known lists", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    const { actor } = start(fakes);
    await ready(actor);
    fakes.fetchLists.mockRejectedValueOnce({ code: "relay-timeout", message: "slow", at: 7 });
    actor.send({ type: "session.refresh" });
    const snap = await inError(actor);
    expect(snap.context.failure?.code).toBe("relay-timeout");
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(1);
  });

  it("session.retry leaves error at once, without waiting", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(signerFailure);
    const { actor } = start(fakes);
    await inError(actor);
    actor.send({ type: "session.retry" });
    await ready(actor);
    expect(fakes.waits.every((w) => w.until === signerFailure.at + RETRY.baseMs)).toBe(true);
    expect(fakes.authenticate).toHaveBeenCalledTimes(2);
  });

  // Fails today: asFailure() falls back to `at: 0`, so the deadline lands in 1970 and the retry is immediate.
  it("a missing signer waits for the user in error.needsLogin, with no retry timer; session.retry tries again", async () => {
    const fakes = makeFakes();
    fakes.restoreSigner.mockRejectedValueOnce({ code: "signer-unavailable", message: "log in again", at: 5 });
    const { actor } = start(fakes);
    const snap = await inError(actor);
    expect(snap.value).toEqual({ error: "needsLogin" });
    expect(fakes.waitUntil).not.toHaveBeenCalled();
    actor.send({ type: "session.retry" });
    await ready(actor);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(2);
  });

  it("a foreign error keeps only its name in context: its message may quote a secret", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(new RangeError("invalid key nsec1qqqqsecretsecret"));
    const { actor } = start(fakes);
    const snap = await inError(actor);
    expect(snap.context.failure).toMatchObject({ code: "unexpected", message: "unexpected failure (RangeError)" });
    expect(JSON.stringify(actor.getPersistedSnapshot())).not.toContain("nsec1");
  });

  it("an error without `at` (an unexpected throw) still waits a full backoff, counted by the waiting actor", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(new TypeError("bug in an effect"));
    const { actor } = start(fakes);
    const snap = await inError(actor);
    expect(snap.context.failure?.code).toBe("unexpected");
    // No timestamp, so no stored deadline (1970 would mean an immediate retry loop): the waiter counts baseMs from its start.
    expect(snap.context.retryAt).toBeNull();
    expect(fakes.waits.at(-1)).toMatchObject({ until: null, delayMs: RETRY.baseMs });
  });
});

describe("session machine: list updates", () => {
  async function readyWith(stored = entry(3, "5", 100)) {
    const fakes = makeFakes([stored]);
    const { actor } = start(fakes);
    await ready(actor);
    return { actor, fakes, stored };
  }

  it("a newer entry replaces the stored one", async () => {
    const { actor } = await readyWith();
    const newer = entry(3, "9", 101);
    actor.send({ type: "list.received", entries: [newer] });
    expect(actor.getSnapshot().context.lists["3"]).toEqual(newer);
  });

  it("an older entry is ignored and the lists keep their identity", async () => {
    const { actor, stored } = await readyWith();
    const before = actor.getSnapshot().context.lists;
    actor.send({ type: "list.received", entries: [entry(3, "1", 99)] });
    expect(actor.getSnapshot().context.lists).toBe(before);
    expect(actor.getSnapshot().context.lists["3"]).toEqual(stored);
  });

  it("on equal created_at the lower id wins, the higher is ignored", async () => {
    const { actor } = await readyWith();
    actor.send({ type: "list.received", entries: [entry(3, "7", 100)] });
    expect(actor.getSnapshot().context.lists["3"]!.id).toBe(id("5"));
    actor.send({ type: "list.received", entries: [entry(3, "1", 100)] });
    expect(actor.getSnapshot().context.lists["3"]!.id).toBe(id("1"));
  });

  it("entries sent back by the live subscription are stored", async () => {
    const { actor, fakes } = await readyWith();
    const sendBack = fakes.watchLists.mock.calls[0]![1];
    sendBack({ type: "list.received", entries: [entry(0, "2", 5)] });
    expect(actor.getSnapshot().context.lists["0"]!.id).toBe(id("2"));
  });

  // Fails today: reportFilterChange uses sendParent, which throws when the session has no parent.
  it("a standalone session (no parent) stores a newer mute list without crashing", async () => {
    const { actor } = await readyWith();
    actor.send({ type: "list.received", entries: [entry(10000, "4", 5)] });
    expect(actor.getSnapshot().status).toBe("active");
    expect(actor.getSnapshot().context.lists["10000"]?.id).toBe(id("4"));
  });

  // Fails today, same cause: a fetched mute list kills a standalone session on its first fetch.
  it("a standalone session (no parent) reaches ready when the fetch brings a mute list", async () => {
    const fakes = makeFakes([entry(10000, "4", 5)]);
    const { actor } = start(fakes);
    await waitFor(actor, (s) => s.status !== "active" || s.matches({ live: "ready" }), { timeout: 1_000 });
    expect(actor.getSnapshot().status).toBe("active");
    expect(actor.getSnapshot().matches({ live: "ready" })).toBe(true);
  });
});
