import { describe, expect, it } from "vitest";
import { asFailure, retryDelay } from "../../machines";
import { entry, failure, id, makeFakes, RETRY, sessionInput } from "./fakes";
import { listsIn, path, settled, signerIn, signerReady, startSession, when } from "./sessionSetup";

describe("session machine: signer retries", () => {
  it("a signer failure waits on a backoff of {attempt, since: failure.at}, then restores again", async () => {
    const fakes = makeFakes();
    const fault = failure("signer-timeout", 50_000);
    fakes.authenticate.mockRejectedValueOnce(fault);
    const { actor, values } = startSession(fakes);
    const snap = await signerIn("retrying")(actor);
    expect(snap.context).toMatchObject({ signerFailure: fault, signerAttempt: 1 });
    expect(fakes.backoffs("signerBackoff").map((w) => w.input)).toEqual([{ attempt: 1, since: 50_000 }]);

    fakes.backoffs("signerBackoff")[0]!.deferred.resolve();
    const after = await signerReady(actor);
    expect(path(values, "signer")).toEqual(["restoring", "authenticating", "retrying", "restoring", "authenticating", "ready"]);
    expect(after.context).toMatchObject({ signerFailure: null, signerAttempt: 0 });
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(2);
  });

  it("consecutive signer failures count attempts up; success resets them", async () => {
    const fakes = makeFakes();
    fakes.restoreSigner.mockRejectedValue(failure("signer-timeout", 1_000));
    const { actor } = startSession(fakes);
    for (let n = 1; n <= 4; n++) {
      const snap = await when(actor, (s) => s.matches({ signer: "retrying" }) && s.context.signerAttempt === n);
      expect(fakes.backoffs("signerBackoff")[n - 1]!.input).toEqual({ attempt: n, since: 1_000 });
      expect(snap.context.signerFailure?.code).toBe("signer-timeout");
      if (n === 4) fakes.restoreSigner.mockResolvedValue();
      fakes.backoffs("signerBackoff")[n - 1]!.deferred.resolve();
    }
    const snap = await signerReady(actor);
    expect(snap.context).toMatchObject({ signerAttempt: 0, signerFailure: null });
    expect(fakes.backoffs("listsBackoff")).toEqual([]);
  });

  it("session.retry leaves signer.retrying at once, without waiting for the backoff", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(failure("signer-timeout"));
    const { actor } = startSession(fakes);
    await signerIn("retrying")(actor);
    actor.send({ type: "session.retry" });
    expect(actor.getSnapshot().matches({ signer: "restoring" })).toBe(true);
    await signerReady(actor);
    expect(fakes.authenticate).toHaveBeenCalledTimes(2);
    expect(fakes.backoffs("signerBackoff")).toHaveLength(1);
  });

  it("a missing signer waits for the user in unavailable.needsLogin, with no backoff; session.retry tries again", async () => {
    const fakes = makeFakes();
    fakes.restoreSigner.mockRejectedValueOnce(failure("signer-unavailable", 5));
    const { actor } = startSession(fakes);
    const snap = await signerIn({ unavailable: "needsLogin" })(actor);
    expect(snap.context).toMatchObject({ signerFailure: failure("signer-unavailable", 5), signerAttempt: 1 });
    expect(fakes.backoff).not.toHaveBeenCalled();
    actor.send({ type: "session.retry" });
    await signerReady(actor);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(2);
  });

  it("session.reauthenticate from unavailable restores the new signer", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(failure("signer-mismatch"));
    const { actor } = startSession(fakes);
    await signerIn({ unavailable: "needsLogin" })(actor);
    actor.send({ type: "session.reauthenticate", signer: { type: "nip46" } });
    const snap = await signerReady(actor);
    expect(snap.context.signer).toEqual({ type: "nip46" });
    expect(fakes.restoreSigner).toHaveBeenLastCalledWith({ pubkey: sessionInput().pubkey, signer: { type: "nip46" } });
  });

  it("an extension that is away waits in unavailable.extensionAway; signer.recheck looks again", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(failure("extension-missing"));
    const { actor } = startSession(fakes, sessionInput({ signer: { type: "nip07" } }));
    await signerIn({ unavailable: "extensionAway" })(actor);
    expect(fakes.backoff).not.toHaveBeenCalled();
    actor.send({ type: "signer.recheck" });
    await signerReady(actor);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(2);
  });

  it("signer.recheck re-verifies a ready extension signer: still there → ready, gone → extensionAway", async () => {
    const fakes = makeFakes();
    const { actor, values } = startSession(fakes, sessionInput({ signer: { type: "nip07" } }));
    await settled(actor);
    actor.send({ type: "signer.recheck" });
    expect(actor.getSnapshot().matches({ signer: "verifying" })).toBe(true);
    await signerReady(actor);
    fakes.authenticate.mockRejectedValueOnce(failure("extension-other-account"));
    actor.send({ type: "signer.recheck" });
    await signerIn({ unavailable: "extensionAway" })(actor);
    expect(path(values, "signer").slice(2)).toEqual(["ready", "verifying", "ready", "verifying", { unavailable: "extensionAway" }]);
    expect(fakes.authenticate).toHaveBeenCalledTimes(3);
  });

  it("signer.recheck is ignored by a signer that is not an extension", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "signer.recheck" });
    expect(actor.getSnapshot().matches({ signer: "ready" })).toBe(true);
    expect(fakes.authenticate).toHaveBeenCalledTimes(1);
  });

  it("a foreign error keeps only its name in context: its message may quote a secret", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(new RangeError("invalid key nsec1qqqqsecretsecret"));
    const { actor } = startSession(fakes);
    const snap = await signerIn("retrying")(actor);
    expect(snap.context.signerFailure).toEqual({ code: "unexpected", message: "unexpected failure (RangeError)", at: 0 });
    expect(JSON.stringify(actor.getPersistedSnapshot())).not.toContain("nsec1");
  });

  it("an error without `at` (an unexpected throw) hands the backoff since 0: the timer counts from its own start", async () => {
    const fakes = makeFakes();
    fakes.authenticate.mockRejectedValueOnce(new TypeError("bug in an effect"));
    const { actor } = startSession(fakes);
    await signerIn("retrying")(actor);
    expect(fakes.backoffs("signerBackoff")[0]!.input).toEqual({ attempt: 1, since: 0 });
  });
});

describe("session machine: list retries", () => {
  it("a fetch failure waits on a backoff of {attempt, since: failure.at}, then fetches again", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    fakes.fetchLists.mockRejectedValueOnce(failure("relay-timeout", 70_000));
    const { actor, values } = startSession(fakes);
    const snap = await listsIn({ live: "retrying" })(actor);
    expect(snap.context).toMatchObject({ listsFailure: failure("relay-timeout", 70_000), listsAttempt: 1 });
    expect(fakes.backoffs("listsBackoff").map((w) => w.input)).toEqual([{ attempt: 1, since: 70_000 }]);

    fakes.backoffs("listsBackoff")[0]!.deferred.resolve();
    const after = await settled(actor);
    expect(path(values, "lists")).toEqual([{ live: "fetching" }, { live: "retrying" }, { live: "fetching" }, { live: "ready" }]);
    expect(after.context).toMatchObject({ listsFailure: null, listsAttempt: 0 });
    expect(after.context.lists["3"]!.id).toBe(id("1"));
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
  });

  it("consecutive fetch failures count attempts up; success resets them", async () => {
    const fakes = makeFakes();
    fakes.fetchLists.mockRejectedValue(failure("relay-timeout", 2_000));
    const { actor } = startSession(fakes);
    for (let n = 1; n <= 3; n++) {
      await when(actor, (s) => s.matches({ lists: { live: "retrying" } }) && s.context.listsAttempt === n);
      expect(fakes.backoffs("listsBackoff")[n - 1]!.input).toEqual({ attempt: n, since: 2_000 });
      if (n === 3) fakes.fetchLists.mockResolvedValue([]);
      fakes.backoffs("listsBackoff")[n - 1]!.deferred.resolve();
    }
    const snap = await settled(actor);
    expect(snap.context).toMatchObject({ listsAttempt: 0, listsFailure: null });
    expect(fakes.fetchLists).toHaveBeenCalledTimes(4);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(1);
  });

  it("session.refresh from live.retrying fetches at once", async () => {
    const fakes = makeFakes();
    fakes.fetchLists.mockRejectedValueOnce(failure("relay-timeout"));
    const { actor } = startSession(fakes);
    await listsIn({ live: "retrying" })(actor);
    actor.send({ type: "session.refresh" });
    expect(actor.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    await settled(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
  });

  it("session.retry short-cuts both backoffs at once", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    fakes.restoreSigner.mockRejectedValueOnce(failure("signer-timeout"));
    fakes.fetchLists.mockRejectedValueOnce(failure("relay-timeout"));
    const { actor } = startSession(fakes);
    await when(actor, (s) => s.matches({ signer: "retrying", lists: { live: "retrying" } }));
    actor.send({ type: "session.retry" });
    expect(actor.getSnapshot().value).toEqual({ signer: "restoring", lists: { live: "fetching" }, writes: "idle" });
    const snap = await settled(actor);
    expect(snap.context).toMatchObject({ signerAttempt: 0, listsAttempt: 0, signerFailure: null, listsFailure: null });
    expect(fakes.waits.map((w) => w.id).sort()).toEqual(["listsBackoff", "signerBackoff"]);
  });
});

describe("failures", () => {
  it("retryDelay backs off exponentially from baseMs up to maxMs", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(RETRY, n))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(retryDelay(RETRY, 0)).toBe(1_000);
  });

  it("asFailure keeps our code, message and at; anything else becomes `unexpected`", () => {
    expect(asFailure(failure("relay-timeout", 3))).toEqual(failure("relay-timeout", 3));
    expect(asFailure({ code: "x", message: "y" })).toEqual({ code: "x", message: "y", at: 0 });
    expect(asFailure(new Error("secret"))).toEqual({ code: "unexpected", message: "unexpected failure (Error)", at: 0 });
    expect(asFailure(undefined)).toEqual({ code: "unexpected", message: "unexpected failure (Error)", at: 0 });
  });
});
