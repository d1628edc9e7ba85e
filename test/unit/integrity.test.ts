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
  it("checks after the current task, names the damaged entries by slot, and warns once per damaged entry", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const good = entry(0);
    const bad = { ...entry(3), createdAt: 9_999_999_999 };
    const misplaced = entry(10000);
    const lists: ListSlots = { "0": good, "3": bad, "10002": misplaced };
    const check = new IntegrityCheck();
    const found = check.damaged(PK, () => lists);
    expect(found).toBeInstanceOf(Promise); // never on the caller's (restore's) turn
    expect(await found).toEqual([
      { key: "3", id: bad.id, createdAt: bad.createdAt },
      { key: "10002", id: misplaced.id, createdAt: misplaced.createdAt },
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(`kind 3, 10000 of ${PK}`);
    // A retry checks the damaged ones again, without a second warning.
    expect(await check.damaged(PK, () => lists)).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("answers at once once every entry was found intact", async () => {
    const lists: ListSlots = { "0": entry(0), "3": entry(3) };
    const check = new IntegrityCheck();
    expect(await check.damaged(PK, () => lists)).toEqual([]);
    expect(check.damaged(PK, () => lists)).toEqual([]);
    expect(check.damaged(PK, () => undefined)).toEqual([]);
  });
});
