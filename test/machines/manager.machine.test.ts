import { describe, expect, it } from "vitest";
import { entry, PK, PK2, PK3 } from "./fakes";
import { ready, sessionIn, setupManager, sessionsOf } from "./managerSetup";

describe("manager machine: login", () => {
  it("spawns a session child with id and systemId session:<pubkey>", async () => {
    const { actor, child, login, fakes } = setupManager();
    expect(actor.getSnapshot().value).toBe("active");
    login(PK, false);
    const snap = actor.getSnapshot();
    expect(sessionsOf(snap)).toEqual([`session:${PK}`]);
    expect(child(PK)).toBe(snap.children[`session:${PK}`]);
    expect(snap.context.pubkeys).toEqual([PK]);
    const session = await ready(child(PK));
    expect(session.context.pubkey).toBe(PK);
    expect(session.context.signer).toEqual({ type: "private-key" });
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
    expect(fakes.fetchLists.mock.calls[0]![0]).toEqual({ pubkey: PK, known: [] });
  });

  it("another tab's account starts with its preferences, last-known lists and lastActive", async () => {
    const { actor, child } = setupManager();
    const stored = entry(3, "1", 1);
    actor.send({
      type: "account.login",
      pubkey: PK,
      signer: { type: "nip07" },
      setActive: false,
      at: 5,
      lastActive: 44,
      preferences: { walletEnabled: true },
      lists: { "3": stored },
    });
    expect(actor.getSnapshot().context.lastActive[PK]).toBe(44);
    const session = child(PK)!.getSnapshot();
    expect(session.context).toMatchObject({ signer: { type: "nip07" }, preferences: { walletEnabled: true }, lists: { "3": stored } });
  });

  it("setActive true makes it active, wires NDK to it and records lastActive", () => {
    const { actor, login, wireNdk, params } = setupManager();
    login(PK, true, 777);
    expect(actor.getSnapshot().context.activePubkey).toBe(PK);
    expect(params(wireNdk)).toEqual([{ pubkey: PK }]);
    expect(actor.getSnapshot().context.lastActive[PK]).toBe(777);
  });

  it("setActive false leaves the active session as it was", () => {
    const { actor, login, wireNdk, params } = setupManager();
    login(PK, true);
    login(PK2, false, 999);
    expect(actor.getSnapshot().context.activePubkey).toBe(PK);
    expect(actor.getSnapshot().context.pubkeys).toEqual([PK, PK2]);
    expect(params(wireNdk)).not.toContainEqual({ pubkey: PK2 });
    expect(actor.getSnapshot().context.lastActive[PK2]).toBe(0);
  });

  it("setActive false with nothing active keeps activePubkey null", () => {
    const { actor, login, wireNdk } = setupManager();
    login(PK, false);
    expect(actor.getSnapshot().context.activePubkey).toBeNull();
    expect(wireNdk).not.toHaveBeenCalled();
  });

  it("the same pubkey again hands the session its new signer (session.reauthenticate), without a second child", async () => {
    const { actor, child, login, fakes, wireNdk, params } = setupManager();
    login(PK, true);
    const first = child(PK);
    await ready(first);
    wireNdk.mockClear();
    actor.send({ type: "account.login", pubkey: PK, signer: { type: "nip07" }, setActive: true, at: 2 });
    expect(sessionsOf(actor.getSnapshot())).toHaveLength(1);
    expect(child(PK)).toBe(first);
    expect(actor.getSnapshot().context).toMatchObject({ pubkeys: [PK], activePubkey: PK, lastActive: { [PK]: 2 } });
    expect(first!.getSnapshot().matches({ signer: "restoring" })).toBe(true);
    const session = await ready(first);
    expect(session.context.signer).toEqual({ type: "nip07" });
    expect(fakes.restoreSigner).toHaveBeenLastCalledWith({ pubkey: PK, signer: { type: "nip07" } });
    expect(params(wireNdk)[0]).toEqual({ pubkey: PK });
  });

  it("the active pubkey again without setActive rewires NDK; another known pubkey only reauthenticates", async () => {
    const { actor, child, login, wireNdk, params } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    wireNdk.mockClear();
    actor.send({ type: "account.login", pubkey: PK, signer: { type: "nip46" }, setActive: false, at: 3 });
    expect(params(wireNdk)[0]).toEqual({ pubkey: PK });
    await ready(child(PK));
    wireNdk.mockClear();
    actor.send({ type: "account.login", pubkey: PK2, signer: { type: "nip46" }, setActive: false, at: 3 });
    expect(actor.getSnapshot().context.activePubkey).toBe(PK);
    const session = await ready(child(PK2));
    expect(session.context.signer).toEqual({ type: "nip46" });
    // PK2's signer reported on the way (authenticating): not the active session, so NDK stays as it was
    expect(wireNdk).not.toHaveBeenCalled();
  });
});

describe("manager machine: the active session's signer", () => {
  it("session.signer.changed from the active session rewires NDK; from another session it does not", async () => {
    const { actor, child, login, wireNdk, params } = setupManager();
    login(PK, true);
    login(PK2, false);
    await ready(child(PK));
    await ready(child(PK2));
    // the login wired PK, and PK's signer reported again on authenticating
    expect(params(wireNdk)).toEqual([{ pubkey: PK }, { pubkey: PK }]);
    wireNdk.mockClear();

    actor.send({ type: "session.lock", pubkey: PK2 });
    await sessionIn(child(PK2), (s) => s.matches({ signer: "locked" }));
    expect(wireNdk).not.toHaveBeenCalled();

    actor.send({ type: "session.lock", pubkey: PK });
    await sessionIn(child(PK), (s) => s.matches({ signer: "locked" }));
    expect(params(wireNdk)).toEqual([{ pubkey: PK }]);
  });
});

describe("manager machine: switch", () => {
  it("to an unknown pubkey is ignored", () => {
    const { actor, login, wireNdk } = setupManager();
    login(PK, true);
    wireNdk.mockClear();
    actor.send({ type: "account.switch", pubkey: PK3, at: 5 });
    expect(actor.getSnapshot().context.activePubkey).toBe(PK);
    expect(wireNdk).not.toHaveBeenCalled();
  });

  it("to a known pubkey activates it, wires NDK and records lastActive", () => {
    const { actor, login, wireNdk, params } = setupManager();
    login(PK, true);
    login(PK2, false);
    wireNdk.mockClear();
    actor.send({ type: "account.switch", pubkey: PK2, at: 55 });
    expect(actor.getSnapshot().context.activePubkey).toBe(PK2);
    expect(params(wireNdk)).toEqual([{ pubkey: PK2 }]);
    expect(actor.getSnapshot().context.lastActive[PK2]).toBe(55);
  });

  it("to null clears the active session and wires NDK to nothing", () => {
    const { actor, login, wireNdk, params } = setupManager();
    login(PK, true);
    wireNdk.mockClear();
    actor.send({ type: "account.switch", pubkey: null, at: 5 });
    expect(actor.getSnapshot().context.activePubkey).toBeNull();
    expect(params(wireNdk)).toEqual([{ pubkey: null }]);
    expect(actor.getSnapshot().context.pubkeys).toEqual([PK]);
  });
});

describe("manager machine: logout", () => {
  it("of the active session activates the oldest remaining login and releases the session", () => {
    const { actor, child, login, wireNdk, releaseSession, params } = setupManager();
    login(PK3, false);
    login(PK, false);
    login(PK2, true);
    const gone = child(PK2)!;
    wireNdk.mockClear();
    actor.send({ type: "account.logout", pubkey: PK2 });
    const snap = actor.getSnapshot();
    expect(snap.context.activePubkey).toBe(PK3);
    expect(snap.context.pubkeys).toEqual([PK3, PK]);
    expect(snap.context.lastActive).not.toHaveProperty(PK2);
    expect(params(releaseSession)).toEqual([{ pubkey: PK2 }]);
    expect(params(wireNdk)).toEqual([{ pubkey: PK3 }]);
    expect(snap.children[`session:${PK2}`]).toBeUndefined();
    expect(gone.getSnapshot().status).toBe("stopped");
    expect(child(PK2)).toBeUndefined();
  });

  it("of the last session clears the active pubkey", () => {
    const { actor, login, wireNdk, releaseSession, params } = setupManager();
    login(PK, true);
    wireNdk.mockClear();
    actor.send({ type: "account.logout", pubkey: PK });
    expect(actor.getSnapshot().context).toMatchObject({ activePubkey: null, pubkeys: [] });
    expect(params(wireNdk)).toEqual([{ pubkey: null }]);
    expect(params(releaseSession)).toEqual([{ pubkey: PK }]);
    expect(sessionsOf(actor.getSnapshot())).toEqual([]);
  });

  it("of a non-active session keeps the active one and does not rewire NDK", () => {
    const { actor, child, login, wireNdk, releaseSession, params } = setupManager();
    login(PK, true);
    login(PK2, false);
    const gone = child(PK2)!;
    wireNdk.mockClear();
    actor.send({ type: "account.logout", pubkey: PK2 });
    expect(actor.getSnapshot().context).toMatchObject({ activePubkey: PK, pubkeys: [PK] });
    expect(params(releaseSession)).toEqual([{ pubkey: PK2 }]);
    expect(wireNdk).not.toHaveBeenCalled();
    expect(gone.getSnapshot().status).toBe("stopped");
  });

  it("of an unknown pubkey does nothing", () => {
    const { actor, login, releaseSession } = setupManager();
    login(PK, true);
    actor.send({ type: "account.logout", pubkey: PK3 });
    expect(actor.getSnapshot().context).toMatchObject({ activePubkey: PK, pubkeys: [PK] });
    expect(releaseSession).not.toHaveBeenCalled();
  });
});
