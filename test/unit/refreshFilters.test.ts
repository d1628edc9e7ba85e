import { expect, it } from "vitest";
import { refreshFilters } from "../../src/effects/refreshFilters";

const pk = "a".repeat(64);

it("a first fetch asks for every kind in one filter", () => {
  expect(refreshFilters(pk, [0, 3, 10000], [])).toEqual([{ authors: [pk], kinds: [0, 3, 10000] }]);
});

it("a refresh asks only for lists newer than the stored ones, and in full for the rest", () => {
  const known = [
    { key: "3", id: "b".repeat(64), createdAt: 100 },
    { key: "10000", id: "c".repeat(64), createdAt: 50 },
    { key: "30078:app", id: "d".repeat(64), createdAt: 70 },
  ];
  expect(refreshFilters(pk, [0, 3, 10000, 30078], known)).toEqual([
    { authors: [pk], kinds: [0, 30078] },
    { authors: [pk], kinds: [3], since: 101 },
    { authors: [pk], kinds: [10000], since: 51 },
  ]);
});

it("stored lists of kinds no longer followed ask for nothing", () => {
  expect(refreshFilters(pk, [0], [{ key: "3", id: "b".repeat(64), createdAt: 1 }])).toEqual([{ authors: [pk], kinds: [0] }]);
});
