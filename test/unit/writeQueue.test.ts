/** The session's write queue as data (machines/writes.ts), and the effects' registry of callers waiting for writes. */
import { describe, expect, it } from "vitest";
import { attemptsLeft, contendedOutcome, doneOutcome, enqueue, MAX_ATTEMPTS, rebased, relaysBehind, rolledBack, withBase } from "../../machines/writes";
import type { ListEntry, ListWrite, RawListEvent } from "../../machines";
import { WriteRegistry } from "../../src/effects/writeRegistry";
import { ListEditError, ListWriteError, PrivateItemsError } from "../../src/lists/listWriteErrors";

const follow = (pk: string): ListWrite => ({ kind: 3, edits: [{ op: "add", tag: ["p", pk.repeat(64)] }] });
const set = (d: string, pk: string): ListWrite => ({ kind: 30000, d, edits: [{ op: "add", tag: ["p", pk.repeat(64)] }] });
const entry = (id: string, createdAt: number): ListEntry => ({ key: "3", kind: 3, id: id.repeat(64), createdAt, data: {} });
const raw = (id: string, createdAt: number): RawListEvent => ({ id: id.repeat(64), pubkey: "", created_at: createdAt, kind: 3, tags: [], content: "", sig: "" });

describe("enqueue", () => {
  it("joins the write under way until its base is read, then the first waiting write of that list", () => {
    const reading = enqueue([], follow("a"), "r1");
    expect(enqueue(reading, follow("b"), "r2")).toEqual([{ write: { kind: 3, edits: [...follow("a").edits, ...follow("b").edits] }, requestIds: ["r1", "r2"] }]);
    const read = withBase(reading, null);
    const queued = enqueue(enqueue(enqueue(read, set("x", "c"), "r3"), follow("d"), "r4"), follow("e"), "r5");
    expect(queued.map((q) => [q.write.kind, q.write.d, q.requestIds])).toEqual([
      [3, undefined, ["r1"]],
      [30000, "x", ["r3"]],
      [3, undefined, ["r4", "r5"]],
    ]);
    expect(enqueue(queued, set("y", "f"), "r6").map((q) => q.requestIds)).toEqual([["r1"], ["r3"], ["r4", "r5"], ["r6"]]); // another d tag: another list
    expect(enqueue(queued, { ...set("x", "g"), d: "x" }, "r7")[1]!.requestIds).toEqual(["r3", "r7"]);
  });
});

describe("relaysBehind", () => {
  const lists = { "3": entry("5", 100) };
  it("holds when the relays' newest is older than the session's copy, or missing; not for the same id or a newer one", () => {
    expect(relaysBehind(lists, { kind: 3 }, raw("4", 99))).toBe(true);
    expect(relaysBehind(lists, { kind: 3 }, raw("6", 100))).toBe(true); // same second, higher id: ours wins
    expect(relaysBehind(lists, { kind: 3 }, null)).toBe(true);
    expect(relaysBehind(lists, { kind: 3 }, raw("5", 100))).toBe(false);
    expect(relaysBehind(lists, { kind: 3 }, raw("1", 100))).toBe(false);
    expect(relaysBehind(lists, { kind: 3 }, raw("9", 101))).toBe(false);
    expect(relaysBehind(lists, { kind: 10000 }, null)).toBe(false); // a list the session does not hold
  });
});

describe("rolledBack", () => {
  it("restores the base, or removes the slot, only while the slot still holds the write", () => {
    const mine = entry("9", 101);
    const lists = { "3": mine };
    expect(rolledBack(lists, "3", mine.id, entry("5", 100))).toEqual({ "3": entry("5", 100) });
    expect(rolledBack(lists, "3", mine.id, null)).toEqual({});
    expect(rolledBack(lists, "3", "other", null)).toBe(lists);
  });
});

describe("attempts", () => {
  it("a rebase makes the next attempt on the rival's version, keeps the relays that last took ours, and stops at MAX_ATTEMPTS", () => {
    let queue = withBase(enqueue([], follow("a"), "r1"), raw("5", 100));
    expect(queue[0]).toMatchObject({ attempts: 1 });
    queue = rebased(queue, { status: "lost", relays: ["wss://r/"], newest: raw("6", 101), at: 1 });
    expect(queue[0]).toMatchObject({ base: raw("6", 101), attempts: 2, relays: ["wss://r/"] });
    queue = rebased(queue, { status: "lost", relays: [], newest: raw("7", 102), at: 1 });
    expect(queue[0]).toMatchObject({ base: raw("7", 102), attempts: MAX_ATTEMPTS, relays: ["wss://r/"] });
    expect(attemptsLeft(queue[0]!)).toBe(false);
    expect(doneOutcome(queue[0], { status: "unchanged" })).toEqual({ ok: true, changed: true, relays: ["wss://r/"] });
    expect(doneOutcome(withBase(enqueue([], follow("a"), "r1"), null)[0], { status: "unchanged" })).toEqual({ ok: true, changed: false, relays: [] });
    expect(contendedOutcome({ status: "lost", relays: [], newest: raw("8", 103), at: 5 })).toMatchObject({ ok: false, failure: { code: "write-contended", at: 5 } });
  });
});

describe("WriteRegistry", () => {
  it("keeps what a write encrypted across its attempts, afresh for a first attempt, until it settles or its session logs out", () => {
    const registry = new WriteRegistry();
    const first = registry.encrypted("me", "w1", true);
    first.set("ciphertext", "plaintext");
    expect(registry.encrypted("me", "w1", false).get("ciphertext")).toBe("plaintext");
    expect(registry.encrypted("other", "w1", false).size).toBe(0); // another session's write of the same id
    registry.encrypted("me", "w2", true).set("c", "p");
    registry.encrypted("other", "w3", true);
    expect(registry.remembered).toBe(3); // w1 now the other session's
    registry.settle(["w2"], { ok: true, changed: true, relays: [] });
    registry.release("other");
    expect(registry.remembered).toBe(0);
    registry.encrypted("me", "w4", true);
    registry.clear();
    expect(registry.remembered).toBe(0);
  });

  it("settles each caller by request id with a result or a typed error, and forgets it", async () => {
    const registry = new WriteRegistry();
    const [a, b, c, d] = [0, 1, 2, 3].map(() => registry.nextId());
    expect(new Set([a, b, c, d]).size).toBe(4);
    const waits = [a, b, c, d].map((id) => registry.wait(id!, "pk"));
    registry.settle([a!, b!], { ok: true, changed: true, relays: ["wss://r/"] });
    registry.settle([c!], { ok: false, failure: { code: "private-items-unreadable", message: "m", at: 1 } });
    registry.settle([d!], { ok: false, failure: { code: "list-edit-invalid", message: "m", at: 1 } });
    await expect(waits[0]).resolves.toEqual({ changed: true, relays: ["wss://r/"] });
    await expect(waits[1]).resolves.toEqual({ changed: true, relays: ["wss://r/"] });
    await expect(waits[2]).rejects.toBeInstanceOf(PrivateItemsError);
    await expect(waits[3]).rejects.toBeInstanceOf(ListEditError);
    expect(registry.size).toBe(0);
  });

  it("a logout rejects that session's waits, destroy() every wait, an abort only the one", async () => {
    const registry = new WriteRegistry();
    const controller = new AbortController();
    const mine = registry.wait("1", "me", controller.signal);
    const other = registry.wait("2", "other");
    const last = registry.wait("3", "other");
    controller.abort();
    await expect(mine).rejects.toMatchObject({ name: "ListWriteError", code: "write-aborted" });
    registry.settle(["1"], { ok: true, changed: true, relays: [] }); // too late: nobody waits
    registry.release("other");
    await expect(other).rejects.toMatchObject({ code: "write-cancelled" });
    await expect(last).rejects.toBeInstanceOf(ListWriteError);
    const after = registry.wait("4", "me");
    registry.clear();
    await expect(after).rejects.toMatchObject({ code: "write-cancelled" });
    expect(registry.size).toBe(0);
  });
});
