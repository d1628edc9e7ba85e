import { describe, expect, it } from "vitest";
import type { ListEntry } from "../../machines";
import { deferred, entry, failure, id, knownOf, makeFakes, partialEntry, PK, sessionInput } from "./fakes";
import { listsReady, settled, signerIn, signerReady, startSession, when } from "./sessionSetup";

describe("session machine: list updates", () => {
  async function readyWith(stored = entry(3, "5", 100)) {
    const fakes = makeFakes([stored]);
    const { actor } = startSession(fakes);
    await settled(actor);
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
    fakes.liveSend()({ type: "list.received", entries: [entry(0, "2", 5)] });
    expect(actor.getSnapshot().context.lists["0"]!.id).toBe(id("2"));
  });

  it("a refresh tells the fetch which lists it already holds", async () => {
    const stored = [entry(3, "a", 10), entry(10000, "b", 11)];
    const fakes = makeFakes(stored);
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.refresh" });
    await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.fetchLists.mock.calls[1]![0].known).toEqual(knownOf(stored));
    expect(fakes.watchLists).toHaveBeenCalledTimes(1);
    expect(fakes.watchCleanup).not.toHaveBeenCalled();
  });
});

describe("session machine: shareFilters", () => {
  it("gets the lists as they are after the fetch stored a mute list", async () => {
    const mutes = entry(10000, "4", 5);
    const profile = entry(0, "1", 5);
    const fakes = makeFakes([mutes, profile]);
    const { actor } = startSession(fakes);
    await listsReady(actor);
    expect(fakes.shared()).toEqual([
      { pubkey: PK, lists: {} },
      { pubkey: PK, lists: { "10000": mutes, "0": profile } },
    ]);
  });

  it("gets the lists after a live update brought a newer mute list, and nothing for an older one", async () => {
    const fakes = makeFakes([entry(10000, "4", 5)]);
    const { actor } = startSession(fakes);
    await settled(actor);
    fakes.shareFilters.mockClear();
    const newer = entry(10000, "2", 6);
    fakes.liveSend()({ type: "list.received", entries: [newer] });
    expect(fakes.shared()).toEqual([{ pubkey: PK, lists: { "10000": newer } }]);
    expect(fakes.shared()[0]!.lists).toBe(actor.getSnapshot().context.lists);
    fakes.liveSend()({ type: "list.received", entries: [entry(10000, "1", 4)] });
    fakes.liveSend()({ type: "list.received", entries: [newer] });
    expect(fakes.shareFilters).toHaveBeenCalledTimes(1);
  });
});

describe("session machine: lists read without the signer (partial)", () => {
  const mutesPartial = partialEntry(10000, "4", 5);
  const mutesFull: ListEntry = { ...entry(10000, "4", 5), data: { v: "4", private: ["p"] } };
  const profile = entry(0, "1", 5);

  it("are read again once after an unlock, without them in `known`, and the full read replaces them", async () => {
    const fakes = makeFakes();
    fakes.restoreSigner.mockRejectedValueOnce(failure("locked"));
    const reread = deferred<ListEntry[]>();
    fakes.fetchLists.mockResolvedValueOnce([mutesPartial, profile]).mockImplementationOnce(() => reread.promise);
    const { actor } = startSession(fakes);
    let snap = await when(actor, (s) => s.matches({ signer: "locked", lists: { live: "ready" } }));
    expect(snap.context.lists["10000"]).toEqual(mutesPartial);

    actor.send({ type: "session.unlock" });
    await signerReady(actor);
    expect(actor.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    reread.resolve([mutesFull]);
    snap = await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(fakes.fetchLists.mock.calls[1]![0].known).toEqual(knownOf([profile]));
    expect(snap.context.lists["10000"]).toEqual(mutesFull);
    expect(snap.context.lists["10000"]!.partial).toBeUndefined();
    expect(fakes.shared().at(-1)).toEqual({ pubkey: PK, lists: { "10000": mutesFull, "0": profile } });
  });

  it("a partial entry brought by the live subscription while locked is read again after the unlock", async () => {
    const fakes = makeFakes([profile]);
    fakes.restoreSigner.mockRejectedValueOnce(failure("locked"));
    const { actor } = startSession(fakes);
    await when(actor, (s) => s.matches({ signer: "locked", lists: { live: "ready" } }));
    fakes.liveSend()({ type: "list.received", entries: [mutesPartial] });
    fakes.fetchLists.mockResolvedValueOnce([mutesFull]);
    actor.send({ type: "session.unlock" });
    await signerReady(actor);
    const snap = await listsReady(actor);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    expect(snap.context.lists["10000"]).toEqual(mutesFull);
  });

  it("without partial entries, the signer becoming ready does not refetch", async () => {
    const fakes = makeFakes([profile]);
    fakes.restoreSigner.mockRejectedValueOnce(failure("locked"));
    const { actor } = startSession(fakes);
    await when(actor, (s) => s.matches({ signer: "locked", lists: { live: "ready" } }));
    actor.send({ type: "session.unlock" });
    const snap = await signerReady(actor);
    expect(snap.matches({ lists: { live: "ready" } })).toBe(true);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });

  it("a read-only session keeps its partial entries: it never signs, so never reads them again", async () => {
    const fakes = makeFakes();
    const fetched = deferred<ListEntry[]>();
    fakes.fetchLists.mockImplementationOnce(() => fetched.promise);
    const { actor } = startSession(fakes, sessionInput({ signer: { type: "read-only" } }));
    await signerIn("readOnly")(actor);
    fetched.resolve([mutesPartial]);
    const snap = await listsReady(actor);
    expect(snap.context.lists["10000"]).toEqual(mutesPartial);
    expect(fakes.fetchLists).toHaveBeenCalledTimes(1);
  });

  // The signer region raises `signer.ready` once, on entering ready; only lists.live.ready handles it.
  // A fetch still in flight when the signer comes back (it started while the key was locked) returns
  // entries read without the signer, and nothing reads them again until some later refresh.
  it("the signer becoming ready while a fetch is in flight still leads to the partial entries being read again", async () => {
    const fakes = makeFakes();
    fakes.restoreSigner.mockRejectedValueOnce(failure("locked"));
    const fetched = deferred<ListEntry[]>();
    fakes.fetchLists.mockImplementationOnce(() => fetched.promise).mockResolvedValueOnce([mutesFull]);
    const { actor } = startSession(fakes);
    await signerIn("locked")(actor);
    actor.send({ type: "session.unlock" });
    await signerReady(actor);
    expect(actor.getSnapshot().matches({ lists: { live: "fetching" } })).toBe(true);
    fetched.resolve([mutesPartial]);
    // Either the re-read starts, or the lists settle in ready with the partial entry (the bug).
    await when(actor, (s) => fakes.fetchLists.mock.calls.length === 2 || s.matches({ lists: { live: "ready" } }));
    expect(fakes.fetchLists).toHaveBeenCalledTimes(2);
    const snap = await when(actor, (s) => s.matches({ lists: { live: "ready" } }) && s.context.lists["10000"]?.partial !== true);
    expect(snap.context.lists["10000"]).toEqual(mutesFull);
  });
});

describe("session machine: the app's own edits (session.update)", () => {
  it("an edit replaces the stored list even when the clock is behind it, shares the filter lists, and a newer relay list replaces the edit", async () => {
    const fakes = makeFakes([entry(10000, "5", 100)]);
    const { actor } = startSession(fakes);
    await settled(actor);
    fakes.shareFilters.mockClear();
    // The edit says created_at 50 (a clock behind): it still wins, one second past what it replaces.
    actor.send({ type: "session.update", entries: [entry(10000, "9", 50, { edited: true })] });
    const edited = actor.getSnapshot().context.lists["10000"]!;
    expect(edited).toMatchObject({ id: id("9"), createdAt: 101, data: { edited: true } });
    expect(fakes.shared().at(-1)!.lists["10000"]).toBe(edited);
    actor.send({ type: "list.received", entries: [entry(10000, "1", 101)] }); // the same second, a lower id: NIP-01 says it wins
    expect(actor.getSnapshot().context.lists["10000"]!.id).toBe(id("1"));
    actor.send({ type: "session.update", entries: [entry(10000, "8", 50)] });
    expect(actor.getSnapshot().context.lists["10000"]!.createdAt).toBe(102);
    actor.send({ type: "list.received", entries: [entry(10000, "2", 103)] });
    expect(actor.getSnapshot().context.lists["10000"]!.id).toBe(id("2"));
  });

  it("works while the lists are stopped: an edit is the user's data, not a fetch", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes);
    await settled(actor);
    actor.send({ type: "session.stop" });
    actor.send({ type: "session.update", entries: [entry(3, "4", 10)] });
    expect(actor.getSnapshot().context.lists["3"]!.id).toBe(id("4"));
    expect(actor.getSnapshot().matches({ lists: "idle" })).toBe(true);
  });
});
