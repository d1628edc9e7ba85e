/** The session machine's `writes` region on fakes: queue, merge, refusal, rollback, stored versions (its attempts: session.attempts.test.ts). */
import { describe, expect, it } from "vitest";
import type { ListWrite, RawListEvent, WriteOutcome } from "../../machines";
import { entry, failure, id, makeFakes, PK, sessionInput } from "./fakes";
import { settled, signerIn, startSession, when } from "./sessionSetup";

const follow = (ch: string): ListWrite => ({ kind: 3, edits: [{ op: "add", tag: ["p", id(ch)] }] });
const muteWord = (word: string): ListWrite => ({ kind: 10000, edits: [{ op: "add", tag: ["word", word] }] });
const raw = (kind: number, idChar: string, createdAt: number): RawListEvent => ({ id: id(idChar), pubkey: PK, created_at: createdAt, kind, tags: [], content: "", sig: "" });
const published = (relays = ["wss://r.example/"]): WriteOutcome => ({ ok: true, changed: true, relays });
/** What the fake attempt says when a relay took its version and it is the newest. */
const tookIt = (relays = ["wss://r.example/"]) => ({ type: "write.attempted" as const, status: "published" as const, relays });

async function readySession(stored = [entry(3, "5", 100)], input = sessionInput()) {
  const fakes = makeFakes(stored);
  const { actor } = startSession(fakes, input);
  await settled(actor);
  return { actor, fakes };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("session machine: list writes", () => {
  it("reads the newest version, publishes on it, stores the signed list at once, and settles the caller", async () => {
    const { actor, fakes } = await readySession();
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    expect(actor.getSnapshot().value).toMatchObject({ writes: { writing: "reading" } });
    expect(fakes.reads[0]!.input).toEqual({ pubkey: PK, kind: 3 });

    const base = raw(3, "5", 100);
    fakes.reads[0]!.deferred.resolve({ event: base });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
    expect(fakes.publishes[0]!.input).toEqual({ pubkey: PK, write: follow("1"), base, writeId: "r1", attempt: 1, taken: false });

    const mine = entry(3, "9", 101);
    fakes.shareFilters.mockClear();
    fakes.publishes[0]!.send({ type: "write.stored", entries: [mine] });
    expect(actor.getSnapshot().context.lists["3"]).toEqual(mine);
    expect(fakes.shareFilters).toHaveBeenCalledTimes(1);

    fakes.publishes[0]!.send(tookIt());
    const done = actor.getSnapshot();
    expect(done.value).toMatchObject({ writes: "idle" });
    expect(done.context.writeQueue).toEqual([]);
    expect(done.context.lastWrite).toEqual({ kind: 3, requestIds: ["r1"], outcome: published() });
    expect(fakes.reported()).toEqual([["r1", published()]]);
    expect(fakes.publishes[0]!.stopped).toBe(true);
  });

  it("the signed list is pending until a relay takes it: confirmed by a write that succeeds, still pending after one that fails", async () => {
    for (const ok of [true, false]) {
      const { actor, fakes } = await readySession();
      actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
      fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
      await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
      // The failing write: other clients win every attempt (each made on the last one's rival), the last stored version stays.
      for (let attempt = 0; !ok && attempt < 2; attempt++) {
        fakes.publishes[attempt]!.send({ type: "write.stored", entries: [{ ...entry(3, "7", 90 + attempt), pending: true }] });
        fakes.publishes[attempt]!.send({ type: "write.attempted", status: "lost", relays: [], newest: raw(3, "6", 101 + attempt), at: 1 });
      }
      const last = fakes.publishes.at(-1)!;
      last.send({ type: "write.stored", entries: [{ ...entry(3, "9", 105), pending: true }] });
      expect(actor.getSnapshot().context.lists["3"]!.pending).toBe(true);
      last.send(ok ? tookIt() : { type: "write.attempted", status: "lost", relays: ["wss://r.example/"], newest: raw(3, "6", 106), at: 1 });
      expect(fakes.reported()[0]![1]).toMatchObject(ok ? published() : { ok: false, failure: { code: "write-contended" } });
      const stored = actor.getSnapshot().context.lists["3"]!;
      expect(stored.id).toBe(id("9"));
      expect(stored.pending).toBe(ok ? undefined : true);
    }
  });

  it("two edits of one list made in one tick are read once and published as one write", async () => {
    const { actor, fakes } = await readySession();
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    actor.send({ type: "list.write", write: follow("2"), requestId: "r2" });
    expect(actor.getSnapshot().context.writeQueue).toHaveLength(1);
    fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
    expect(fakes.publishes[0]!.input.write.edits.map((e) => e.tag[1])).toEqual([id("1"), id("2")]);
    fakes.publishes[0]!.send(tookIt());
    expect(fakes.reported()).toEqual([
      ["r1", published()],
      ["r2", published()],
    ]);
    expect(fakes.readList).toHaveBeenCalledTimes(1);
  });

  it("edits made while one is publishing wait, merged by list, and go next in order", async () => {
    const { actor, fakes } = await readySession();
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
    actor.send({ type: "list.write", write: muteWord("a"), requestId: "r2" });
    actor.send({ type: "list.write", write: follow("2"), requestId: "r3" });
    actor.send({ type: "list.write", write: follow("3"), requestId: "r4" });
    const queue = actor.getSnapshot().context.writeQueue;
    expect(queue.map((q) => [q.write.kind, q.requestIds])).toEqual([
      [3, ["r1"]],
      [10000, ["r2"]],
      [3, ["r3", "r4"]],
    ]);
    expect(actor.getSnapshot().context.writeQueue[0]!.write).toEqual(follow("1")); // the write under way takes nothing more

    fakes.publishes[0]!.send(tookIt());
    expect(actor.getSnapshot().value).toMatchObject({ writes: { writing: "reading" } });
    expect(fakes.reads[1]!.input).toEqual({ pubkey: PK, kind: 10000 });
    fakes.reads[1]!.deferred.resolve({ event: null });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
    fakes.publishes[1]!.send({ type: "write.attempted", status: "unchanged" });
    fakes.reads[2]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => fakes.publishes.length === 3 && s.matches({ writes: { writing: "publishing" } }));
    expect(fakes.publishes[2]!.input.write.edits.map((e) => e.tag[1])).toEqual([id("2"), id("3")]);
    fakes.publishes[2]!.send(tookIt());
    expect(actor.getSnapshot().value).toMatchObject({ writes: "idle" });
    expect(fakes.reported().map(([requestId]) => requestId)).toEqual(["r1", "r2", "r3", "r4"]);
    expect(fakes.reported()[1]![1]).toEqual({ ok: true, changed: false, relays: [] });
  });

  it("a session that cannot sign refuses at once: nothing is read or published", async () => {
    const fakes = makeFakes();
    const { actor } = startSession(fakes, sessionInput({ signer: { type: "read-only" } }));
    await signerIn("readOnly")(actor);
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    expect(actor.getSnapshot().value).toMatchObject({ writes: "idle" });
    expect(fakes.readList).not.toHaveBeenCalled();
    expect(fakes.reported()).toEqual([["r1", expect.objectContaining({ ok: false, failure: expect.objectContaining({ code: "write-cannot-sign" }) })]]);
    expect(actor.getSnapshot().context.lastWrite).toMatchObject({ kind: 3, requestIds: ["r1"], outcome: { ok: false } });
  });

  it("when the signer leaves, waiting writes fail and new ones are refused; the one under way ends by itself", async () => {
    const { actor, fakes } = await readySession();
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
    actor.send({ type: "list.write", write: muteWord("a"), requestId: "r2" });
    actor.send({ type: "session.lock" });
    expect(actor.getSnapshot().context.writeQueue.map((q) => q.requestIds)).toEqual([["r1"]]);
    expect(fakes.reported()).toEqual([["r2", expect.objectContaining({ ok: false, failure: expect.objectContaining({ code: "write-cannot-sign" }) })]]);
    actor.send({ type: "list.write", write: follow("3"), requestId: "r3" });
    expect(fakes.reported().map(([requestId]) => requestId)).toEqual(["r2", "r3"]);
    expect(fakes.publishes[0]!.stopped).toBe(false);

    const failed: WriteOutcome = { ok: false, failure: failure("write-cannot-sign") };
    fakes.publishes[0]!.send({ type: "write.settled", outcome: failed });
    expect(actor.getSnapshot().value).toMatchObject({ signer: "locked", writes: "idle" });
    expect(fakes.reported().at(-1)).toEqual(["r1", failed]);
  });

  it("a write whose signer left while its list was read is not published: it fails as the waiting ones do", async () => {
    const { actor, fakes } = await readySession();
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    actor.send({ type: "session.lock" });
    expect(fakes.reported()).toEqual([]); // nothing waited behind it
    fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => s.matches({ writes: "idle" }));
    expect(fakes.publishList).not.toHaveBeenCalled();
    expect(fakes.reported()).toEqual([["r1", expect.objectContaining({ ok: false, failure: expect.objectContaining({ code: "write-cannot-sign" }) })]]);
  });

  it("a publish no relay took rolls the slot back to its base, or removes it, unless a newer list came meanwhile", async () => {
    const { actor, fakes } = await readySession([entry(3, "5", 100)]);
    const base = entry(3, "5", 100);
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
    const mine = entry(3, "9", 101);
    fakes.publishes[0]!.send({ type: "write.stored", entries: [mine] });
    fakes.publishes[0]!.send({ type: "write.rolledBack", key: "3", id: mine.id, previous: base });
    expect(actor.getSnapshot().context.lists["3"]).toEqual(base);
    fakes.publishes[0]!.send({ type: "write.attempted", status: "refused", refusals: "wss://r.example/: blocked", at: 123 });
    expect(fakes.reported()).toEqual([
      ["r1", { ok: false, failure: failure("write-refused", 123, "No relay accepted the new list (wss://r.example/: blocked); the session's copy was rolled back") }],
    ]);

    // A list that did not exist: its slot goes again. A newer list that arrived meanwhile stays.
    actor.send({ type: "list.write", write: muteWord("a"), requestId: "r2" });
    fakes.reads[1]!.deferred.resolve({ event: null });
    await when(actor, (s) => fakes.publishes.length === 2 && s.matches({ writes: { writing: "publishing" } }));
    const muted = entry(10000, "8", 50);
    fakes.publishes[1]!.send({ type: "write.stored", entries: [muted] });
    fakes.publishes[1]!.send({ type: "write.rolledBack", key: "10000", id: muted.id, previous: null });
    expect(actor.getSnapshot().context.lists["10000"]).toBeUndefined();
    fakes.publishes[1]!.send({ type: "write.stored", entries: [muted] });
    const newer = entry(10000, "7", 60);
    actor.send({ type: "list.received", entries: [newer] });
    fakes.publishes[1]!.send({ type: "write.rolledBack", key: "10000", id: muted.id, previous: null });
    expect(actor.getSnapshot().context.lists["10000"]).toEqual(newer);
  });

  it("a rebase (another client's newer version won) stores each version the write publishes; the last one stays", async () => {
    const { actor, fakes } = await readySession();
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
    const first = entry(3, "9", 101);
    const theirs = entry(3, "a", 102);
    const rebased = entry(3, "b", 103);
    fakes.publishes[0]!.send({ type: "write.stored", entries: [first] });
    actor.send({ type: "list.received", entries: [theirs] }); // the live subscription hears the other client
    fakes.publishes[0]!.send({ type: "write.attempted", status: "lost", relays: ["wss://r.example/"], newest: raw(3, "a", 102), at: 1 });
    fakes.publishes[1]!.send({ type: "write.stored", entries: [rebased] });
    actor.send({ type: "list.received", entries: [rebased] }); // our own publish, back from the relay: no change
    const lists = actor.getSnapshot().context.lists;
    actor.send({ type: "list.received", entries: [rebased] });
    expect(actor.getSnapshot().context.lists).toBe(lists);
    fakes.publishes[1]!.send(tookIt());
    expect(actor.getSnapshot().context.lists["3"]).toEqual(rebased);
    expect(fakes.reported()).toEqual([["r1", published()]]);
  });

  it("relays older than the session's copy are not built on: the write fails as stale, nothing is published", async () => {
    const { actor, fakes } = await readySession([entry(3, "5", 100)]);
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    fakes.reads[0]!.deferred.resolve({ event: raw(3, "4", 99) });
    await when(actor, (s) => s.matches({ writes: "idle" }));
    expect(fakes.publishList).not.toHaveBeenCalled();
    expect(fakes.reported()).toEqual([["r1", expect.objectContaining({ ok: false, failure: expect.objectContaining({ code: "write-stale-relay" }) })]]);

    // Relays that hold none of a list the session has are behind too; the same id is not.
    actor.send({ type: "list.write", write: follow("1"), requestId: "r2" });
    fakes.reads[1]!.deferred.resolve({ event: null });
    await when(actor, (s) => s.matches({ writes: "idle" }) && fakes.reported().length === 2);
    expect(fakes.reported()[1]![1]).toMatchObject({ ok: false, failure: { code: "write-stale-relay" } });
    actor.send({ type: "list.write", write: follow("1"), requestId: "r3" });
    fakes.reads[2]!.deferred.resolve({ event: raw(3, "5", 100) });
    await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
  });

  it("a read that no relay answered fails the write with its reason and moves on to the next", async () => {
    const { actor, fakes } = await readySession();
    actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
    fakes.readList.mockClear();
    actor.send({ type: "list.write", write: muteWord("a"), requestId: "r2" });
    fakes.reads[0]!.deferred.reject(failure("write-no-relay", 123, "No relay answered"));
    await when(actor, (s) => fakes.reads.length === 2 && s.matches({ writes: { writing: "reading" } }));
    expect(fakes.reported()).toEqual([["r1", { ok: false, failure: failure("write-no-relay", 123, "No relay answered") }]]);
    expect(actor.getSnapshot().context.writeQueue.map((q) => q.requestIds)).toEqual([["r2"]]);
    await flush();
  });
});
