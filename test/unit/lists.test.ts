import { describe, expect, it } from "vitest";
import { hasPartialEntries, Kind, kindsOf, knownEntries, localEdits, mergeEntries, slotKey, supersedes } from "../../machines/lists";
import type { FetchPlan, ListEntry, ListSlots } from "../../machines/types";

const entry = (key: string, id: string, createdAt: number, kind = Number(key.split(":")[0])): ListEntry => ({
  key,
  kind,
  id,
  createdAt,
  data: { id },
});

const idA = "a".repeat(64);
const idB = "b".repeat(64);
const idC = "c".repeat(64);

describe("supersedes", () => {
  it("accepts anything when nothing is stored", () => {
    expect(supersedes({ id: idB, createdAt: 1 })).toBe(true);
    expect(supersedes({ id: idB, createdAt: 1 }, undefined)).toBe(true);
  });

  it("a newer created_at wins whatever the ids", () => {
    expect(supersedes({ id: idC, createdAt: 101 }, { id: idA, createdAt: 100 })).toBe(true);
  });

  it("an older created_at never wins, even with a lower id", () => {
    expect(supersedes({ id: idA, createdAt: 99 }, { id: idC, createdAt: 100 })).toBe(false);
  });

  it("on equal created_at the lowest id (lexicographic) wins", () => {
    expect(supersedes({ id: idA, createdAt: 100 }, { id: idB, createdAt: 100 })).toBe(true);
    expect(supersedes({ id: idB, createdAt: 100 }, { id: idA, createdAt: 100 })).toBe(false);
    // lexicographic, not numeric-looking: "10…" < "9…"
    expect(supersedes({ id: "10" + "0".repeat(62), createdAt: 5 }, { id: "9" + "0".repeat(63), createdAt: 5 })).toBe(true);
  });

  it("the same event again is not a change", () => {
    expect(supersedes({ id: idA, createdAt: 100 }, { id: idA, createdAt: 100 })).toBe(false);
  });
});

describe("supersedes: entries read without the signer (partial)", () => {
  it("the same event read in full replaces its partial read", () => {
    expect(supersedes({ id: idA, createdAt: 100 }, { id: idA, createdAt: 100, partial: true })).toBe(true);
  });

  it("the same event read partially again, or a partial read of a full one, is not a change", () => {
    expect(supersedes({ id: idA, createdAt: 100, partial: true }, { id: idA, createdAt: 100, partial: true })).toBe(false);
    expect(supersedes({ id: idA, createdAt: 100, partial: true }, { id: idA, createdAt: 100 })).toBe(false);
  });

  it("between different events the NIP-01 rule decides, partial or not", () => {
    expect(supersedes({ id: idB, createdAt: 101, partial: true }, { id: idA, createdAt: 100 })).toBe(true);
    expect(supersedes({ id: idA, createdAt: 99 }, { id: idB, createdAt: 100, partial: true })).toBe(false);
    expect(supersedes({ id: idB, createdAt: 100 }, { id: idA, createdAt: 100, partial: true })).toBe(false);
    expect(supersedes({ id: idA, createdAt: 100, partial: true }, { id: idB, createdAt: 100 })).toBe(true);
  });
});

describe("mergeEntries", () => {
  const stored: ListSlots = { "3": entry("3", idB, 100) };

  it("returns the same object when nothing supersedes", () => {
    const same = mergeEntries(stored, [entry("3", idB, 100), entry("3", idA, 99), entry("3", idC, 100)]);
    expect(same).toBe(stored);
  });

  it("returns the same object for an empty batch", () => {
    expect(mergeEntries(stored, [])).toBe(stored);
  });

  it("replaces with a newer entry without mutating the input", () => {
    const newer = entry("3", idC, 101);
    const next = mergeEntries(stored, [newer]);
    expect(next).not.toBe(stored);
    expect(next["3"]).toBe(newer);
    expect(stored["3"]!.id).toBe(idB);
  });

  it("keeps the lowest id on a tie", () => {
    const next = mergeEntries(stored, [entry("3", idA, 100)]);
    expect(next["3"]!.id).toBe(idA);
  });

  it("ignores an older entry that follows a newer one in the same batch", () => {
    const next = mergeEntries(stored, [entry("3", idC, 200), entry("3", idA, 150)]);
    expect(next["3"]!.id).toBe(idC);
    expect(next["3"]!.createdAt).toBe(200);
  });

  it("adds new slots and leaves the others alone", () => {
    const next = mergeEntries(stored, [entry("0", idA, 1), entry("30001:x", idA, 1)]);
    expect(Object.keys(next).sort()).toEqual(["0", "3", "30001:x"]);
    expect(next["3"]).toBe(stored["3"]);
  });
});

describe("mergeEntries, knownEntries and hasPartialEntries with partial entries", () => {
  const partial: ListEntry = { ...entry("10000", idA, 100), partial: true };
  const full = entry("10000", idA, 100);
  const profile = entry("0", idB, 5);

  it("a full read of a stored partial entry replaces it; a partial read of a full one does not", () => {
    const withPartial: ListSlots = { "10000": partial, "0": profile };
    const next = mergeEntries(withPartial, [full]);
    expect(next["10000"]).toBe(full);
    expect(next["0"]).toBe(profile);
    const stored: ListSlots = { "10000": full };
    expect(mergeEntries(stored, [partial])).toBe(stored);
  });

  it("knownEntries lists key, id and createdAt of every entry except the partial ones", () => {
    expect(knownEntries({ "10000": partial, "0": profile })).toEqual([{ key: "0", id: idB, createdAt: 5 }]);
    expect(knownEntries({ "10000": full })).toEqual([{ key: "10000", id: idA, createdAt: 100 }]);
    expect(knownEntries({})).toEqual([]);
  });

  it("hasPartialEntries says whether any entry was read without the signer", () => {
    expect(hasPartialEntries({ "10000": partial, "0": profile })).toBe(true);
    expect(hasPartialEntries({ "10000": full, "0": profile })).toBe(false);
    expect(hasPartialEntries({})).toBe(false);
  });
});

describe("kindsOf", () => {
  const none: FetchPlan = { profile: false, follows: false, mutes: false, blockedRelays: false, relayList: false, wallet: false, kinds: [] };

  it("maps every plan flag to its kind, sorted", () => {
    const all = { ...none, profile: true, follows: true, mutes: true, blockedRelays: true, relayList: true };
    expect(kindsOf(all, undefined)).toEqual([0, 3, 10000, 10002, 10006]);
  });

  it("is empty for an empty plan", () => {
    expect(kindsOf(none, undefined)).toEqual([]);
  });

  it("wallet adds 17375 and 10019", () => {
    expect(kindsOf({ ...none, wallet: true }, undefined)).toEqual([Kind.NutzapInfo, Kind.Wallet]);
  });

  it("the wallet preference overrides the plan both ways", () => {
    expect(kindsOf({ ...none, wallet: false }, true)).toEqual([10019, 17375]);
    expect(kindsOf({ ...none, wallet: true }, false)).toEqual([]);
  });

  it("merges extra kinds sorted and unique", () => {
    const plan = { ...none, profile: true, follows: true, kinds: [30023, 3, 1, 30023, 0, 7] };
    expect(kindsOf(plan, true)).toEqual([0, 1, 3, 7, 10019, 17375, 30023]);
  });

  it("does not mutate the plan's kinds", () => {
    const plan = { ...none, profile: true, kinds: [5, 1] };
    kindsOf(plan, true);
    expect(plan.kinds).toEqual([5, 1]);
  });
});

describe("slotKey", () => {
  it("keys addressable kinds 30000–39999 by kind and d-tag", () => {
    expect(slotKey(30000, "a")).toBe("30000:a");
    expect(slotKey(30001, "bookmarks")).toBe("30001:bookmarks");
    expect(slotKey(39999, "z")).toBe("39999:z");
  });

  it("an addressable kind without d-tag gets an empty d", () => {
    expect(slotKey(30023, undefined)).toBe("30023:");
    expect(slotKey(30023, "")).toBe("30023:");
  });

  it("keys everything else by kind alone, ignoring a d-tag", () => {
    expect(slotKey(0, undefined)).toBe("0");
    expect(slotKey(10000, "x")).toBe("10000");
    expect(slotKey(29999, "x")).toBe("29999");
    expect(slotKey(40000, "x")).toBe("40000");
  });
});

describe("localEdits", () => {
  it("makes an edit newer than what it replaces, and leaves a newer edit as it is", () => {
    const stored: ListSlots = { "3": { key: "3", kind: 3, id: "a".repeat(64), createdAt: 100, data: {} } };
    const edits = localEdits(stored, [
      { key: "3", kind: 3, id: "b".repeat(64), createdAt: 90, data: {} },
      { key: "0", kind: 0, id: "c".repeat(64), createdAt: 90, data: {} },
    ]);
    expect(edits.map((e) => e.createdAt)).toEqual([101, 90]);
    expect(localEdits(stored, [{ key: "3", kind: 3, id: "d".repeat(64), createdAt: 200, data: {} }])[0]!.createdAt).toBe(200);
  });
});
