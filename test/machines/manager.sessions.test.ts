import { describe, expect, it } from "vitest";
import { waitFor } from "xstate";
import { entry, PK, PK2, PLAN } from "./fakes";
import { ready, setupManager } from "./managerSetup";

describe("manager machine: filter changes", () => {
  it("wires the filters for the active session's new mute list, not for another session's", async () => {
    const { child, login, wireFilters, params } = setupManager();
    login(PK2, false);
    login(PK, true);
    await ready(child(PK2));
    await ready(child(PK));
    expect(wireFilters).not.toHaveBeenCalled();

    child(PK2)!.send({ type: "list.received", entries: [entry(10000, "4", 5)] });
    expect(child(PK2)!.getSnapshot().context.lists["10000"]).toBeDefined();
    expect(wireFilters).not.toHaveBeenCalled();

    child(PK)!.send({ type: "list.received", entries: [entry(10000, "4", 5)] });
    expect(params(wireFilters)).toEqual([{ pubkey: PK }]);
  });

  it("a blocked-relays list of the active session wires the filters too, a profile does not", async () => {
    const { child, login, wireFilters, params } = setupManager();
    login(PK, true);
    await ready(child(PK));
    child(PK)!.send({ type: "list.received", entries: [entry(0, "1", 5)] });
    expect(wireFilters).not.toHaveBeenCalled();
    child(PK)!.send({ type: "list.received", entries: [entry(10006, "2", 5)] });
    expect(params(wireFilters)).toEqual([{ pubkey: PK }]);
  });

  it("an older mute list sent again does not rewire", async () => {
    const { child, login, wireFilters } = setupManager();
    login(PK, true);
    await ready(child(PK));
    child(PK)!.send({ type: "list.received", entries: [entry(10000, "4", 5)] });
    child(PK)!.send({ type: "list.received", entries: [entry(10000, "1", 4)] });
    child(PK)!.send({ type: "list.received", entries: [entry(10000, "4", 5)] });
    expect(wireFilters).toHaveBeenCalledTimes(1);
  });

  it("a mute list in the active session's first fetch wires the filters", async () => {
    const { fakes, child, login, wireFilters, params } = setupManager();
    fakes.fetchLists.mockResolvedValueOnce([entry(10000, "4", 5)]);
    login(PK, true);
    await ready(child(PK));
    expect(params(wireFilters)).toEqual([{ pubkey: PK }]);
  });
});

describe("manager machine: monitor and forwarding", () => {
  it("monitor.add extends the plan and every child fetches the new kind", async () => {
    const { actor, fakes, child, login } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    fakes.fetchLists.mockClear();
    actor.send({ type: "monitor.add", kinds: [30078] });
    expect(actor.getSnapshot().context.plan.kinds).toEqual([30078]);
    await waitFor(actor, () => fakes.fetchLists.mock.calls.length === 2, { timeout: 1_000 });
    const fetched = fakes.fetchLists.mock.calls.map((call) => call[0]);
    for (const pubkey of [PK, PK2]) {
      expect(fetched.find((input) => input.pubkey === pubkey)?.kinds).toContain(30078);
      expect((await ready(child(pubkey))).context.plan.kinds).toEqual([30078]);
    }
  });

  it("a login after monitor.add starts with the extended plan", async () => {
    const { actor, fakes, child, login } = setupManager();
    actor.send({ type: "monitor.add", kinds: [1, 30078] });
    actor.send({ type: "monitor.add", kinds: [1] });
    login(PK, true);
    const session = await ready(child(PK));
    expect(session.context.plan).toEqual({ ...PLAN, kinds: [1, 30078] });
    expect(fakes.fetchLists.mock.calls[0]![0].kinds).toEqual([0, 1, 3, 10000, 10002, 10006, 30078]);
  });

  it("forwards session.stop, session.start and session.preferences.set to the named session only", async () => {
    const { actor, fakes, child, login } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    actor.send({ type: "session.stop", pubkey: PK2 });
    expect(child(PK2)!.getSnapshot().value).toBe("idle");
    expect(child(PK)!.getSnapshot().matches({ live: "ready" })).toBe(true);

    actor.send({ type: "session.preferences.set", pubkey: PK2, preferences: { walletEnabled: true } });
    expect(child(PK2)!.getSnapshot().context.preferences).toEqual({ walletEnabled: true });
    expect(child(PK)!.getSnapshot().context.preferences).toEqual({});

    fakes.fetchLists.mockClear();
    actor.send({ type: "session.start", pubkey: PK2 });
    await ready(child(PK2));
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    expect(fakes.fetchLists.mock.calls[0]![0]).toMatchObject({ pubkey: PK2, kinds: [0, 3, 10000, 10002, 10006, 10019, 17375] });
  });

  it("ignores session events for an unknown pubkey", () => {
    const { actor, login } = setupManager();
    login(PK, true);
    actor.send({ type: "session.stop", pubkey: PK2 });
    expect(actor.getSnapshot().status).toBe("active");
    expect(actor.getSnapshot().value).toBe("running");
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
});
