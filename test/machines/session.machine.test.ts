import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { sessionMachine, type ListEntry } from "../../machines";
import { deferred, entry, failure, id, makeFakes, PK, sessionInput, type Fakes } from "./fakes";
import { listsIn, listsReady, path, settled, signerIn, signerReady, startSession, startWithParent, when } from "./sessionSetup";

describe("session machine: start-up", () => {
  it("the signer goes restoring → authenticating → ready while the lists go live.fetching → live.ready", async () => {
    const profile = entry(0, "1", 10);
    const follows = entry(3, "2", 20);
    const fakes = makeFakes([profile, follows]);
    const { actor, values } = startSession(fakes);
    expect(values[0]).toEqual({ signer: "restoring", lists: { live: "fetching" }, writes: "idle" });
    const snap = await settled(actor);
    expect(path(values, "signer")).toEqual(["restoring", "authenticating", "ready"]);
    expect(path(values, "lists")).toEqual([{ live: "fetching" }, { live: "ready" }]);
    expect(snap.context.lists).toEqual({ "0": profile, "3": follows });
    expect(snap.context).toMatchObject({ signerFailure: null, signerAttempt: 0, listsFailure: null, listsAttempt: 0, approvalUrl: null });
    expect(fakes.restoreSigner).toHaveBeenCalledWith({ pubkey: PK, signer: { type: "private-key" } });
    expect(fakes.authenticate).toHaveBeenCalledWith({ pubkey: PK });
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    expect(fakes.fetchLists.mock.calls[0]![0]).toEqual({ pubkey: PK, known: [] });
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
    expect(fakes.watchLists.mock.calls[0]![0]).toEqual({ pubkey: PK });
    expect(fakes.backoff).not.toHaveBeenCalled();
  });

  it("keeps lists given as input and merges the fetched ones by the NIP-01 rule", async () => {
    const kept = entry(0, "5", 100);
    const fakes = makeFakes([entry(0, "6", 99), entry(3, "7", 1)]);
    const { actor } = startSession(fakes, sessionInput({ lists: { "0": kept } }));
    expect(actor.getSnapshot().context.lists).toEqual({ "0": kept });
    const snap = await listsReady(actor);
    expect(snap.context.lists["0"]).toEqual(kept);
    expect(snap.context.lists["3"]!.id).toBe(id("7"));
    expect(fakes.fetchLists.mock.calls[0]![0].known).toEqual([{ key: "0", id: id("5"), createdAt: 100 }]);
  });

  it("the wallet preference given as input reaches the fetch and the live subscription", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes, sessionInput({ preferences: { walletEnabled: true } }));
    await listsReady(actor);
    expect(fakes.fetchLists.mock.calls[0]![0]).toEqual({ pubkey: PK, walletEnabled: true, known: [] });
    expect(fakes.watchLists.mock.calls[0]![0]).toEqual({ pubkey: PK, walletEnabled: true });
  });

  it("shares the input lists with NDK's wiring as soon as it is spawned", () => {
    const mutes = entry(10000, "4", 5);
    const fakes = makeFakes();
    startSession(fakes, sessionInput({ lists: { "10000": mutes } }));
    expect(fakes.shared()[0]).toEqual({ pubkey: PK, lists: { "10000": mutes } });
  });

  it("a read-only signer skips authenticating, settles in signer.readOnly and the lists load", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    const { actor, values } = startSession(fakes, sessionInput({ signer: { type: "read-only" } }));
    const snap = await when(actor, (s) => s.matches({ signer: "readOnly", lists: { live: "ready" } }));
    expect(path(values, "signer")).toEqual(["restoring", "readOnly"]);
    expect(fakes.authenticate).not.toHaveBeenCalled();
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
  });
});

describe("session machine: the two regions fail and recover on their own", () => {
  it("a fetch failure puts the lists in live.retrying while the signer stays ready and is not asked again", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    const { actor } = startSession(fakes);
    await settled(actor);
    fakes.fetchLists.mockRejectedValueOnce(failure("relay-timeout", 7));
    actor.send({ type: "session.refresh" });
    const snap = await listsIn({ live: "retrying" })(actor);
    expect(snap.matches({ signer: "ready" })).toBe(true);
    expect(snap.context).toMatchObject({ listsFailure: failure("relay-timeout", 7), listsAttempt: 1, signerFailure: null });
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
    // still on the live subscription: a retry is not a new subscription
    expect(fakes.watchCleanup).not.toHaveBeenCalled();

    fakes.backoffs("listsBackoff")[0]!.deferred.resolve();
    await settled(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(3);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(1);
    expect(fakes.authenticate).toHaveBeenCalledTimes(1);
    expect(fakes.backoffs("signerBackoff")).toEqual([]);
  });

  it.each([
    ["restoreSigner", (f: Fakes) => f.restoreSigner.mockRejectedValueOnce(failure("signer-timeout"))],
    ["authenticate", (f: Fakes) => f.authenticate.mockRejectedValueOnce(failure("signer-timeout"))],
  ])("%s rejecting sends the signer to retrying and the lists still load and take live updates", async (_name, breakSigner) => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    breakSigner(fakes);
    const { actor } = startSession(fakes);
    const snap = await when(actor, (s) => s.matches({ signer: "retrying", lists: { live: "ready" } }));
    expect(snap.context).toMatchObject({ signerFailure: failure("signer-timeout"), signerAttempt: 1, listsFailure: null });
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
    fakes.liveSend()({ type: "list.received", entries: [entry(0, "2", 5)] });
    expect(actor.getSnapshot().context.lists["0"]!.id).toBe(id("2"));
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    expect(fakes.watchCleanup).not.toHaveBeenCalled();
  });

  it("a session.fault sent back by the signer watch stops the signer, not the lists", async () => {
    const fakes = makeFakes();
    const fetched = deferred<ListEntry[]>();
    fakes.fetchLists.mockImplementationOnce(() => fetched.promise);
    const { actor } = startSession(fakes);
    await signerReady(actor);
    const fault = failure("signer-timeout", 9_000);
    actor.send({ type: "session.fault", failure: fault });
    let snap = actor.getSnapshot();
    expect(snap.matches({ signer: "retrying", lists: { live: "fetching" } })).toBe(true);
    expect(snap.context).toMatchObject({ signerFailure: fault, signerAttempt: 1 });

    fetched.resolve([entry(3, "1", 1)]);
    snap = await listsReady(actor);
    expect(snap.matches({ signer: "retrying" })).toBe(true);
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
    fakes.liveSend()({ type: "list.received", entries: [entry(3, "2", 2)] });
    expect(actor.getSnapshot().context.lists["3"]!.id).toBe(id("2"));
    expect(fakes.backoffs("signerBackoff")[0]!.input).toEqual({ attempt: 1, since: 9_000 });
  });

  it("a session.fault the user must mend (signer-mismatch) waits in unavailable.needsLogin", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.fault", failure: failure("signer-mismatch") });
    const snap = actor.getSnapshot();
    expect(snap.value).toEqual({ signer: { unavailable: "needsLogin" }, lists: { live: "ready" }, writes: "idle" });
    expect(snap.context.signerFailure?.code).toBe("signer-mismatch");
    expect(fakes.backoff).not.toHaveBeenCalled();
  });

  it("a locked key (restoreSigner rejects `locked`) leaves the lists fetching; session.unlock signs in", async () => {
    const fakes = makeFakes([entry(3, "1", 1)]);
    fakes.restoreSigner.mockRejectedValueOnce(failure("locked"));
    const { actor, values } = startSession(fakes);
    let snap = await when(actor, (s) => s.matches({ signer: "locked", lists: { live: "ready" } }));
    expect(snap.context).toMatchObject({ signerFailure: null, signerAttempt: 0 });
    expect(snap.context.lists["3"]!.id).toBe(id("1"));
    expect(fakes.backoff).not.toHaveBeenCalled();

    actor.send({ type: "session.unlock" });
    snap = await signerReady(actor);
    expect(path(values, "signer")).toEqual(["restoring", "locked", "restoring", "authenticating", "ready"]);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(2);
    expect(fakes.authenticate).toHaveBeenCalledTimes(1);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });

  it("session.lock forgets the signer and keeps the lists live; session.unlock signs in again", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.lock" });
    expect(actor.getSnapshot().value).toEqual({ signer: "locked", lists: { live: "ready" }, writes: "idle" });
    actor.send({ type: "session.unlock" });
    await signerReady(actor);
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(2);
    expect(fakes.watchCleanup).not.toHaveBeenCalled();
  });
});

describe("session machine: telling the parent", () => {
  it("reports session.signer.changed on authenticating, not again on ready", async () => {
    const fakes = makeFakes();
    const { child, reports } = startWithParent(fakes);
    await settled(child);
    expect(reports.mock.calls).toEqual([[{ type: "session.signer.changed", pubkey: PK }]]);
  });

  it.each([
    ["locked", (f: Fakes) => f.restoreSigner.mockRejectedValueOnce(failure("locked")), { signer: "locked" }, 1],
    ["readOnly", () => {}, { signer: "readOnly" }, 1],
    ["retrying", (f: Fakes) => f.restoreSigner.mockRejectedValueOnce(failure("signer-timeout")), { signer: "retrying" }, 1],
    [
      "unavailable (after authenticating)",
      (f: Fakes) => f.authenticate.mockRejectedValueOnce(failure("signer-unavailable")),
      { signer: "unavailable" },
      2,
    ],
  ] as const)("reports entering %s", async (name, arrange, state, count) => {
    const fakes = makeFakes();
    arrange(fakes);
    const input = sessionInput(name === "readOnly" ? { signer: { type: "read-only" } } : {});
    const { child, reports } = startWithParent(fakes, input);
    await when(child, (s) => s.matches(state) && s.matches({ lists: { live: "ready" } }));
    expect(reports).toHaveBeenCalledTimes(count);
    expect(reports.mock.calls.every(([event]) => event.pubkey === PK)).toBe(true);
  });

  it("a standalone session (no parent) goes through every reporting state without crashing", async () => {
    const fakes = makeFakes();
    fakes.restoreSigner.mockRejectedValueOnce(failure("locked"));
    fakes.authenticate.mockRejectedValueOnce(failure("signer-timeout"));
    const { actor } = startSession(fakes);
    await signerIn("locked")(actor);
    actor.send({ type: "session.unlock" });
    await signerIn("retrying")(actor);
    actor.send({ type: "session.retry" });
    await settled(actor);
    expect(actor.getSnapshot().status).toBe("active");
  });

  it("a standalone session with the machine's own shareFilters reaches ready when the fetch brings a mute list", async () => {
    const fakes = makeFakes([entry(10000, "4", 5)]);
    const actor = createActor(sessionMachine.provide({ actors: fakes.actors }), { input: sessionInput() });
    actor.subscribe({ error: () => {} });
    actor.start();
    try {
      await when(actor, (s) => s.status !== "active" || s.matches({ signer: "ready", lists: { live: "ready" } }));
      expect(actor.getSnapshot().status).toBe("active");
      expect(actor.getSnapshot().context.lists["10000"]!.id).toBe(id("4"));
    } finally {
      actor.stop();
    }
  });
});
