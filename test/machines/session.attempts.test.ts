/**
 * The session machine's `writes` region on fakes: what follows each attempt of a write. The
 * effect makes one attempt per invocation and says what it came to (`write.attempted`); the
 * machine rebases on a rival's version while attempts remain, and decides how the write ends.
 */
import { describe, expect, it } from "vitest";
import { MAX_ATTEMPTS, type ListWrite, type RawListEvent, type SessionEvent } from "../../machines";
import { entry, failure, id, makeFakes, PK } from "./fakes";
import { settled, startSession, when } from "./sessionSetup";

const follow = (ch: string): ListWrite => ({ kind: 3, edits: [{ op: "add", tag: ["p", id(ch)] }] });
const raw = (kind: number, idChar: string, createdAt: number): RawListEvent => ({ id: id(idChar), pubkey: PK, created_at: createdAt, kind, tags: [], content: "", sig: "" });
const RELAY = "wss://r.example/";
const lost = (newest: RawListEvent, relays: string[] = [RELAY], at = 7): SessionEvent => ({ type: "write.attempted", status: "lost", relays, newest, at });

/** A ready session whose follow has read its base (version "5") and makes its first attempt. */
async function firstAttempt() {
  const fakes = makeFakes([entry(3, "5", 100)]);
  const { actor } = startSession(fakes);
  await settled(actor);
  actor.send({ type: "list.write", write: follow("1"), requestId: "r1" });
  fakes.reads[0]!.deferred.resolve({ event: raw(3, "5", 100) });
  await when(actor, (s) => s.matches({ writes: { writing: "publishing" } }));
  return { actor, fakes };
}

describe("session machine: the attempts of a list write", () => {
  it(`a rival's version won: the write is made again on it, ${MAX_ATTEMPTS} attempts in all; the last loss fails with write-contended`, async () => {
    expect(MAX_ATTEMPTS).toBe(3);
    const { actor, fakes } = await firstAttempt();
    expect(fakes.publishes[0]!.input).toMatchObject({ base: raw(3, "5", 100), writeId: "r1", attempt: 1, taken: false });

    fakes.publishes[0]!.send(lost(raw(3, "a", 102)));
    expect(fakes.publishes[0]!.stopped).toBe(true); // one attempt per invocation
    expect(fakes.publishes).toHaveLength(2);
    expect(fakes.publishes[1]!.input).toEqual({ pubkey: PK, write: follow("1"), base: raw(3, "a", 102), writeId: "r1", attempt: 2, taken: true });
    expect(actor.getSnapshot().value).toMatchObject({ writes: { writing: "publishing" } });
    expect(actor.getSnapshot().context.writeQueue[0]).toMatchObject({ attempts: 2, relays: [RELAY] });
    expect(fakes.reported()).toEqual([]);

    // No relay took the second attempt (its copy was rolled back to theirs): the relays that took the first are kept.
    fakes.publishes[1]!.send(lost(raw(3, "b", 104), []));
    expect(fakes.publishes[2]!.input).toMatchObject({ base: raw(3, "b", 104), attempt: 3, taken: true });

    fakes.publishes[2]!.send(lost(raw(3, "c", 106), [RELAY], 4242));
    expect(fakes.publishes).toHaveLength(3);
    const contended = {
      ok: false,
      failure: failure("write-contended", 4242, "Other clients replaced the list 3 times while this write was made on their versions; it is not in the newest one"),
    };
    expect(fakes.reported()).toEqual([["r1", contended]]);
    const done = actor.getSnapshot();
    expect(done.value).toMatchObject({ writes: "idle" });
    expect(done.context.writeQueue).toEqual([]);
    expect(done.context.lastWrite).toEqual({ kind: 3, requestIds: ["r1"], outcome: contended });
    expect(fakes.readList).toHaveBeenCalledTimes(1); // a rebase is made on the rival's version, not on a new read
  });

  it("a rebase that finds the edit already in the rival's version is done: the list changed if a relay took an earlier attempt", async () => {
    for (const relays of [[RELAY], []]) {
      const { fakes } = await firstAttempt();
      fakes.publishes[0]!.send(lost(raw(3, "a", 102), relays));
      expect(fakes.publishes[1]!.input.taken).toBe(relays.length > 0);
      fakes.publishes[1]!.send({ type: "write.attempted", status: "unchanged" });
      expect(fakes.reported()).toEqual([["r1", { ok: true, changed: relays.length > 0, relays }]]);
    }
  });

  it("the second attempt published: done with the relays that took it", async () => {
    const { actor, fakes } = await firstAttempt();
    fakes.publishes[0]!.send(lost(raw(3, "a", 102), []));
    fakes.publishes[1]!.send({ type: "write.attempted", status: "published", relays: ["wss://other.example/"] });
    expect(fakes.reported()).toEqual([["r1", { ok: true, changed: true, relays: ["wss://other.example/"] }]]);
    expect(actor.getSnapshot().value).toMatchObject({ writes: "idle" });
  });

  it("an attempt that failed by itself (its signer) ends the write at once, whatever attempt it was", async () => {
    const { actor, fakes } = await firstAttempt();
    fakes.publishes[0]!.send(lost(raw(3, "a", 102)));
    const signFailed = { ok: false as const, failure: failure("write-sign-failed", 9) };
    fakes.publishes[1]!.send({ type: "write.settled", outcome: signFailed });
    expect(fakes.reported()).toEqual([["r1", signFailed]]);
    expect(actor.getSnapshot().value).toMatchObject({ writes: "idle" });
    expect(fakes.publishes).toHaveLength(2);
  });

  it("writes waiting behind one that rebases stay queued (none joins it), and go next once it ends", async () => {
    const { actor, fakes } = await firstAttempt();
    actor.send({ type: "list.write", write: follow("2"), requestId: "r2" });
    fakes.publishes[0]!.send(lost(raw(3, "a", 102)));
    expect(fakes.publishes[1]!.input.write).toEqual(follow("1"));
    expect(actor.getSnapshot().context.writeQueue.map((q) => q.requestIds)).toEqual([["r1"], ["r2"]]);
    fakes.publishes[1]!.send({ type: "write.attempted", status: "refused", refusals: "no relay is connected", at: 5 });
    expect(fakes.reported()).toEqual([["r1", expect.objectContaining({ ok: false, failure: expect.objectContaining({ code: "write-refused" }) })]]);
    expect(actor.getSnapshot().value).toMatchObject({ writes: { writing: "reading" } });
    expect(fakes.reads[1]!.input).toEqual({ pubkey: PK, kind: 3 });
    fakes.reads[1]!.deferred.resolve({ event: raw(3, "a", 102) });
    await when(actor, (s) => fakes.publishes.length === 3 && s.matches({ writes: { writing: "publishing" } }));
    expect(fakes.publishes[2]!.input).toMatchObject({ write: follow("2"), writeId: "r2", attempt: 1, taken: false });
  });
});
