import { describe, expect, it } from "vitest";
import type { FetchPlan } from "../../machines";
import { entry, failure, PK, PK2 } from "./fakes";
import { ready, sessionIn, setupManager, sessionsOf } from "./managerSetup";

const PLAN: FetchPlan = { profile: true, follows: true, mutes: true, blockedRelays: true, relayList: true, wallet: true, kinds: [30023] };

describe("manager machine: monitored kinds and plans (configuration in the effects)", () => {
  it("monitor.add configures the session's kinds and that session alone fetches again on a new subscription", async () => {
    const { actor, fakes, child, login, configure, params } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    fakes.fetchLists.mockClear();
    fakes.watchLists.mockClear();
    actor.send({ type: "monitor.add", pubkey: PK, kinds: [30078] });
    expect(params(configure)).toEqual([{ pubkey: PK, kinds: [30078] }]);
    expect(child(PK)!.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    expect(child(PK2)!.getSnapshot().matches({ lists: { live: "ready" } })).toBe(true);
    await ready(child(PK));
    expect(fakes.fetchLists.mock.calls.map((call) => call[0].pubkey)).toEqual([PK]);
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(1);
  });

  it("monitor.add leaves a stopped session idle", async () => {
    const { actor, fakes, child, login } = setupManager();
    login(PK, true);
    await ready(child(PK));
    actor.send({ type: "session.stop", pubkey: PK });
    fakes.fetchLists.mockClear();
    actor.send({ type: "monitor.add", pubkey: PK, kinds: [1] });
    expect(child(PK)!.getSnapshot().matches({ lists: "idle" })).toBe(true);
    expect(fakes.fetchLists).not.toHaveBeenCalled();
  });

  it("monitor.add for an unknown pubkey neither configures nor spawns", () => {
    const { actor, configure } = setupManager();
    actor.send({ type: "monitor.add", pubkey: PK, kinds: [1, 30078] });
    expect(configure).not.toHaveBeenCalled();
    expect(sessionsOf(actor.getSnapshot())).toEqual([]);
  });

  it("session.start configures the session's plan and the session fetches again", async () => {
    const { actor, fakes, child, login, configure, params } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    fakes.fetchLists.mockClear();
    actor.send({ type: "session.start", pubkey: PK2, plan: PLAN });
    expect(params(configure)).toEqual([{ pubkey: PK2, plan: PLAN }]);
    expect(child(PK2)!.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    expect(child(PK)!.getSnapshot().matches({ lists: { live: "ready" } })).toBe(true);
    await ready(child(PK2));
    expect(fakes.fetchLists.mock.calls.map((call) => call[0])).toEqual([{ pubkey: PK2, known: [] }]);
  });

  it("session.start for an unknown pubkey neither configures nor spawns", () => {
    const { actor, login, configure } = setupManager();
    login(PK, true);
    actor.send({ type: "session.start", pubkey: PK2, plan: PLAN });
    expect(configure).not.toHaveBeenCalled();
    expect(sessionsOf(actor.getSnapshot())).toEqual([`session:${PK}`]);
  });
});

describe("manager machine: forwarding", () => {
  it("forwards session.stop, session.start and session.preferences.set to the named session only", async () => {
    const { actor, fakes, child, login } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    actor.send({ type: "session.stop", pubkey: PK2 });
    expect(child(PK2)!.getSnapshot().matches({ lists: "idle" })).toBe(true);
    expect(child(PK)!.getSnapshot().matches({ lists: { live: "ready" } })).toBe(true);

    actor.send({ type: "session.preferences.set", pubkey: PK2, preferences: { walletEnabled: true } });
    expect(child(PK2)!.getSnapshot().context.preferences).toEqual({ walletEnabled: true });
    expect(child(PK)!.getSnapshot().context.preferences).toEqual({});

    fakes.fetchLists.mockClear();
    actor.send({ type: "session.start", pubkey: PK2 });
    await ready(child(PK2));
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    expect(fakes.fetchLists.mock.calls[0]![0]).toEqual({ pubkey: PK2, walletEnabled: true, known: [] });
  });

  it("forwards session.refresh, session.lock, session.unlock and session.retry", async () => {
    const { actor, fakes, child, login } = setupManager();
    login(PK, true);
    await ready(child(PK));
    actor.send({ type: "session.refresh", pubkey: PK });
    expect(child(PK)!.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    await ready(child(PK));

    actor.send({ type: "session.lock", pubkey: PK });
    expect(child(PK)!.getSnapshot().matches({ signer: "locked" })).toBe(true);
    fakes.restoreSigner.mockRejectedValueOnce(failure("signer-timeout"));
    actor.send({ type: "session.unlock", pubkey: PK });
    await sessionIn(child(PK), (s) => s.matches({ signer: "retrying" }));
    actor.send({ type: "session.retry", pubkey: PK });
    await ready(child(PK));
    expect(fakes.restoreSigner).toHaveBeenCalledTimes(3);
    expect(fakes.backoff).toHaveBeenCalledTimes(1);
  });

  it("signers.recheck reaches every session: an extension signer verifies again, others stay ready", async () => {
    const { actor, fakes, child, login } = setupManager();
    actor.send({ type: "account.login", pubkey: PK, signer: { type: "nip07" }, setActive: true, at: 1 });
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    fakes.authenticate.mockImplementationOnce(() => new Promise(() => {}));
    actor.send({ type: "signers.recheck" });
    expect(child(PK)!.getSnapshot().matches({ signer: "verifying" })).toBe(true);
    expect(child(PK2)!.getSnapshot().matches({ signer: "ready" })).toBe(true);
    expect(fakes.authenticate.mock.calls.map((call) => call[0].pubkey)).toEqual([PK, PK2, PK]);
  });

  it("each session shares its own lists with NDK's wiring", async () => {
    const { fakes, child, login } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    fakes.shareFilters.mockClear();
    const mutes = entry(10000, "4", 5);
    child(PK2)!.send({ type: "list.received", entries: [mutes] });
    expect(fakes.shared()).toEqual([{ pubkey: PK2, lists: { "10000": mutes } }]);
  });

  it("ignores session events for an unknown pubkey", () => {
    const { actor, login } = setupManager();
    login(PK, true);
    for (const type of ["session.stop", "session.refresh", "session.retry", "session.lock", "session.unlock"] as const) {
      actor.send({ type, pubkey: PK2 });
    }
    actor.send({ type: "session.preferences.set", pubkey: PK2, preferences: {} });
    expect(actor.getSnapshot().status).toBe("active");
    expect(actor.getSnapshot().value).toBe("active");
    expect(actor.getSnapshot().context.pubkeys).toEqual([PK]);
  });
});

describe("manager machine: stop", () => {
  it("manager.stop ends the manager and stops every child", async () => {
    const { actor, fakes, child, login } = setupManager();
    login(PK, true);
    login(PK2, false);
    const children = [child(PK)!, child(PK2)!];
    await ready(children[0]);
    await ready(children[1]);
    actor.send({ type: "manager.stop" });
    expect(actor.getSnapshot().status).toBe("done");
    expect(actor.getSnapshot().value).toBe("stopped");
    for (const ref of children) expect(ref.getSnapshot().status).toBe("stopped");
    expect(fakes.watchCleanup).toHaveBeenCalledTimes(2);
    expect(child(PK)).toBeUndefined();
  });

  it("signer news from the keyring reach the session they are about; news of an unknown pubkey is dropped", async () => {
    const { news, child, login } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    news({ type: "session.approval", pubkey: PK2, url: "https://bunker.example/1" });
    expect(child(PK2)!.getSnapshot().matches({ signer: "awaitingApproval" })).toBe(true);
    expect(child(PK2)!.getSnapshot().context.approvalUrl).toBe("https://bunker.example/1");
    expect(child(PK)!.getSnapshot().matches({ signer: "ready" })).toBe(true);
    news({ type: "session.approval", pubkey: PK2, url: null });
    expect(child(PK2)!.getSnapshot().matches({ signer: "ready" })).toBe(true);
    const failure = { code: "signer-mismatch", message: "forged", at: 1 };
    news({ type: "session.fault", pubkey: PK, failure });
    expect(child(PK)!.getSnapshot().matches({ signer: { unavailable: "needsLogin" } })).toBe(true);
    expect(child(PK)!.getSnapshot().context.signerFailure).toEqual(failure);
    news({ type: "session.fault", pubkey: "f".repeat(64), failure });
    expect(child(PK2)!.getSnapshot().matches({ signer: "ready" })).toBe(true);
  });
});

describe("manager machine: list writes", () => {
  it("list.write goes to that session alone, without its pubkey; an unknown pubkey's is dropped", async () => {
    const { actor, fakes, child, login } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    const write = { kind: 3, edits: [{ op: "add" as const, tag: ["p", PK2] }] };
    actor.send({ type: "list.write", pubkey: PK2, write, requestId: "r1" });
    expect(child(PK2)!.getSnapshot().matches({ writes: { writing: "reading" } })).toBe(true);
    expect(child(PK)!.getSnapshot().matches({ writes: "idle" })).toBe(true);
    expect(child(PK2)!.getSnapshot().context.writeQueue).toEqual([{ write, requestIds: ["r1"] }]);
    expect(fakes.reads.map((r) => r.input)).toEqual([{ pubkey: PK2, kind: 3 }]);
    actor.send({ type: "list.write", pubkey: "f".repeat(64), write, requestId: "r2" });
    expect(sessionsOf(actor.getSnapshot())).toEqual([`session:${PK}`, `session:${PK2}`]);
    expect(fakes.reads).toHaveLength(1);
  });
});
