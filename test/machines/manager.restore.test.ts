import { describe, expect, it } from "vitest";
import type { LoadedState } from "../../machines";
import { deferred, entry, failure, PK, PK2, PK3 } from "./fakes";
import { account, ready, sessionIn, setupManager, sessionsOf } from "./managerSetup";

/** A manager whose loadState answers `loaded`, and whose sessions for `held` wait to find their signer. */
function restoring(loaded: LoadedState, held: string[] = []) {
  const setup = setupManager();
  const signers = new Map(held.map((pk) => [pk, deferred()]));
  setup.fakes.restoreSigner.mockImplementation(async ({ pubkey }) => signers.get(pubkey)?.promise);
  setup.loadState.mockResolvedValueOnce(loaded);
  const release = (pubkey: string) => signers.get(pubkey)!.resolve();
  return { ...setup, release };
}

describe("manager machine: restore", () => {
  it("loads, spawns the stored sessions where they left off, and waits for the active one's signer", async () => {
    const lists = { "3": entry(3, "1", 1) };
    const loaded: LoadedState = {
      accounts: [
        account(PK, { lastActive: 10, lists, preferences: { walletEnabled: true } }),
        account(PK2, { lastActive: 20, stopped: true, signer: { type: "nip46" } }),
        account(PK3, { listsFailure: failure("relay-timeout", 9_000), listsAttempt: 2 }),
      ],
      activePubkey: PK,
    };
    const { actor, child, loadState, wireNdk, params, inState, release, fakes } = restoring(loaded, [PK]);
    actor.send({ type: "manager.restore" });
    expect(actor.getSnapshot().value).toBe("loading");
    expect(loadState).toHaveBeenCalledTimes(1);

    const snap = await inState("restoring");
    expect(snap.context).toEqual({ pubkeys: [PK, PK2, PK3], activePubkey: PK, lastActive: { [PK]: 10, [PK2]: 20, [PK3]: 0 } });
    expect(params(wireNdk)).toEqual([{ pubkey: PK }]);
    expect(child(PK)!.getSnapshot().context).toMatchObject({ lists, preferences: { walletEnabled: true }, signer: { type: "private-key" } });
    expect(child(PK2)!.getSnapshot().matches({ lists: "idle" })).toBe(true);
    expect(child(PK2)!.getSnapshot().context.signer).toEqual({ type: "nip46" });
    expect(child(PK3)!.getSnapshot().matches({ lists: { live: "retrying" } })).toBe(true);
    expect(fakes.backoffs("listsBackoff").map((w) => w.input)).toEqual([{ attempt: 2, since: 9_000 }]);

    // another session's signer reporting does not end the wait
    await sessionIn(child(PK2), (s) => s.matches({ signer: "ready" }));
    expect(actor.getSnapshot().value).toBe("restoring");

    release(PK);
    await inState("active");
    expect(params(wireNdk)).toEqual([{ pubkey: PK }, { pubkey: PK }]);
  });

  it("leaves restoring whichever way the active session's signer settles (locked here)", async () => {
    const { actor, values, fakes, inState, child } = restoring({ accounts: [account(PK)], activePubkey: PK });
    fakes.restoreSigner.mockRejectedValueOnce(failure("locked"));
    actor.send({ type: "manager.restore" });
    await inState("active");
    expect(values).toEqual(["active", "loading", "restoring", "active"]);
    expect(child(PK)!.getSnapshot().matches({ signer: "locked" })).toBe(true);
  });

  it("with no stored active account goes straight to active", async () => {
    const { actor, values, child, inState } = restoring({ accounts: [account(PK), account(PK2)], activePubkey: null }, [PK, PK2]);
    actor.send({ type: "manager.restore" });
    const snap = await inState("active");
    expect(values).toEqual(["active", "loading", "active"]);
    expect(snap.context).toMatchObject({ pubkeys: [PK, PK2], activePubkey: null });
    expect(child(PK)!.getSnapshot().matches({ signer: "restoring" })).toBe(true);
  });

  it("a stored active account that is not among the accounts changes nothing active", async () => {
    const { actor, values, login, inState } = restoring({ accounts: [account(PK2)], activePubkey: PK3 });
    login(PK, true);
    actor.send({ type: "manager.restore" });
    const snap = await inState("active");
    expect(values).toEqual(["active", "loading", "active"]);
    expect(snap.context).toMatchObject({ pubkeys: [PK, PK2], activePubkey: PK });
  });

  it("loadState rejecting goes back to active with nothing changed", async () => {
    const { actor, values, login, child, loadState, inState, wireNdk } = setupManager();
    login(PK, true);
    await ready(child(PK));
    const before = actor.getSnapshot().context;
    const session = child(PK);
    wireNdk.mockClear();
    loadState.mockRejectedValueOnce(new Error("storage is broken"));
    actor.send({ type: "manager.restore" });
    const snap = await inState("active");
    expect(values).toEqual(["active", "loading", "active"]);
    expect(snap.context).toEqual(before);
    expect(sessionsOf(snap)).toEqual([`session:${PK}`]);
    expect(child(PK)).toBe(session);
    expect(wireNdk).not.toHaveBeenCalled();
  });

  it("leaves a pubkey that is already logged in alone: not spawned twice, not reset", async () => {
    const { actor, values, login, child, inState, loadState, fakes } = setupManager();
    login(PK, true, 1_000);
    const before = await ready(child(PK));
    const ref = child(PK);
    loadState.mockResolvedValueOnce({
      accounts: [account(PK, { lastActive: 5, stopped: true, lists: { "0": entry(0, "9", 9) } }), account(PK2, { lastActive: 7 })],
      activePubkey: PK,
    });
    actor.send({ type: "manager.restore" });
    // PK is known: nothing to wait for
    const snap = await inState("active");
    expect(values).toEqual(["active", "loading", "active"]);
    expect(snap.context).toEqual({ pubkeys: [PK, PK2], activePubkey: PK, lastActive: { [PK]: 1_000, [PK2]: 7 } });
    expect(child(PK)).toBe(ref);
    expect(child(PK)!.getSnapshot().value).toEqual(before.value);
    expect(child(PK)!.getSnapshot().context).toEqual(before.context);
    await ready(child(PK2));
    expect(fakes.restoreSigner.mock.calls.map((call) => call[0].pubkey)).toEqual([PK, PK2]);
  });

  it("a switch while restoring goes to active", async () => {
    const { actor, login, child, inState, wireNdk, params, release } = restoring({ accounts: [account(PK)], activePubkey: PK }, [PK]);
    login(PK2, false);
    actor.send({ type: "manager.restore" });
    await inState("restoring");
    wireNdk.mockClear();
    actor.send({ type: "account.switch", pubkey: PK2, at: 77 });
    const snap = actor.getSnapshot();
    expect(snap.value).toBe("active");
    expect(snap.context).toMatchObject({ activePubkey: PK2, lastActive: { [PK2]: 77 } });
    expect(params(wireNdk)).toEqual([{ pubkey: PK2 }]);
    // PK's signer coming back later no longer rewires NDK
    release(PK);
    await sessionIn(child(PK), (s) => s.matches({ signer: "ready" }));
    expect(params(wireNdk)).toEqual([{ pubkey: PK2 }]);
  });

  it("a switch to nothing while restoring goes to active with nothing active", async () => {
    const { actor, inState } = restoring({ accounts: [account(PK)], activePubkey: PK }, [PK]);
    actor.send({ type: "manager.restore" });
    await inState("restoring");
    actor.send({ type: "account.switch", pubkey: null, at: 1 });
    expect(actor.getSnapshot().value).toBe("active");
    expect(actor.getSnapshot().context.activePubkey).toBeNull();
  });

  it("a logout of the awaited session while restoring goes to active, the oldest remaining login active", async () => {
    const { actor, inState, releaseSession, params } = restoring({ accounts: [account(PK), account(PK2)], activePubkey: PK2 }, [PK2]);
    actor.send({ type: "manager.restore" });
    await inState("restoring");
    actor.send({ type: "account.logout", pubkey: PK2 });
    const snap = actor.getSnapshot();
    expect(snap.value).toBe("active");
    expect(snap.context).toMatchObject({ pubkeys: [PK], activePubkey: PK });
    expect(params(releaseSession)).toEqual([{ pubkey: PK2 }]);
  });

  it("a switch to an unknown pubkey while restoring is ignored and the wait goes on", async () => {
    const { actor, inState } = restoring({ accounts: [account(PK)], activePubkey: PK }, [PK]);
    actor.send({ type: "manager.restore" });
    await inState("restoring");
    actor.send({ type: "account.switch", pubkey: PK3, at: 1 });
    expect(actor.getSnapshot().value).toBe("restoring");
    expect(actor.getSnapshot().context.activePubkey).toBe(PK);
  });

  it("manager.restore while loading is ignored; manager.stop while loading stops", async () => {
    const { actor, loadState } = setupManager();
    const pending = deferred<LoadedState>();
    loadState.mockImplementationOnce(() => pending.promise);
    actor.send({ type: "manager.restore" });
    actor.send({ type: "manager.restore" });
    expect(actor.getSnapshot().value).toBe("loading");
    expect(loadState).toHaveBeenCalledTimes(1);
    actor.send({ type: "manager.stop" });
    expect(actor.getSnapshot().status).toBe("done");
    expect(actor.getSnapshot().value).toBe("stopped");
  });
});
