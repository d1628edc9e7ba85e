import { afterEach, describe, expect, it, vi } from "vitest";
import { withSum } from "../../machines/checksum";
import type { ListEntry, ListSlots } from "../../machines/types";
import { IntegrityCheck } from "../../src/effects/integrity";

const PK = "f".repeat(64);
const entry = (kind: number, createdAt = 100): ListEntry => withSum({ key: String(kind), kind, id: String(kind % 10).repeat(64), createdAt, data: { name: `k${kind}` } });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("IntegrityCheck", () => {
  it("names the damaged entries by slot, and warns once per damaged entry", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const good = entry(0);
    const bad = { ...entry(3), createdAt: 9_999_999_999 };
    const misplaced = entry(10000);
    const lists: ListSlots = { "0": good, "3": bad, "10002": misplaced };
    const check = new IntegrityCheck();
    expect(check.damaged(PK, lists)).toEqual([
      { key: "3", id: bad.id, createdAt: bad.createdAt },
      { key: "10002", id: misplaced.id, createdAt: misplaced.createdAt },
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(`kind 3, 10000 of ${PK}`);
    // A retry checks the damaged ones again, without a second warning.
    expect(check.damaged(PK, lists)).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("hashes an entry once: found intact, it is not hashed again", () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const good = entry(3);
    const lists: ListSlots = { "0": entry(0), "3": good };
    const check = new IntegrityCheck();
    expect(check.damaged(PK, lists)).toEqual([]);
    // Damaged in place after the check: entries are never changed in place, so it stays known intact.
    (good as { createdAt: number }).createdAt = 1;
    expect(check.damaged(PK, lists)).toEqual([]);
    expect(check.damaged(PK, { "3": { ...good } })).toHaveLength(1);
    expect(check.damaged(PK, undefined)).toEqual([]);
  });
});
