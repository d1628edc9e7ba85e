import { expect, it } from "vitest";
import { mergeFilters, refreshFilters } from "../../src/effects/refreshFilters";

const pk = "a".repeat(64);

it("a first fetch asks for the follow list first, in a filter of its own, and every other kind in one more", () => {
  expect(refreshFilters(pk, [0, 3, 10000], [])).toEqual([
    { authors: [pk], kinds: [3] },
    { authors: [pk], kinds: [0, 10000] },
  ]);
  expect(refreshFilters(pk, [0, 10000], [])).toEqual([{ authors: [pk], kinds: [0, 10000] }]);
  expect(refreshFilters(pk, [3], [])).toEqual([{ authors: [pk], kinds: [3] }]);
});

it("a refresh asks for every stored list from its own second on (a same-second rival included, however old), and in full for the rest", () => {
  const now = 1_000_000;
  const known = [
    { key: "3", id: "b".repeat(64), createdAt: now - 100 },
    { key: "10000", id: "c".repeat(64), createdAt: 5 },
    { key: "30078:app", id: "d".repeat(64), createdAt: 70 },
  ];
  expect(refreshFilters(pk, [0, 3, 10000, 30078], known, undefined, now)).toEqual([
    { authors: [pk], kinds: [0, 30078] },
    { authors: [pk], kinds: [3], since: now - 100 },
    { authors: [pk], kinds: [10000], since: 5 },
  ]);
});

it("with the opt-in tie window, lists stored longer ago than it are asked from the next second", () => {
  const now = 1_000_000;
  const day = 24 * 60 * 60;
  const known = [
    { key: "3", id: "b".repeat(64), createdAt: now - day },
    { key: "10000", id: "c".repeat(64), createdAt: now - day - 1 },
  ];
  expect(refreshFilters(pk, [3, 10000], known, day, now)).toEqual([
    { authors: [pk], kinds: [3], since: now - day },
    { authors: [pk], kinds: [10000], since: now - day },
  ]);
});

it("stored lists of kinds no longer followed ask for nothing", () => {
  expect(refreshFilters(pk, [0], [{ key: "3", id: "b".repeat(64), createdAt: 1 }])).toEqual([{ authors: [pk], kinds: [0] }]);
});

it("merges the filters of many sessions by kinds and since, each filter no more events than a relay answers in full", () => {
  const authors = Array.from({ length: 1001 }, (_, i) => i.toString(16).padStart(64, "0"));
  const filters = authors.flatMap((author, i) => [
    { authors: [author], kinds: [3, 10000] },
    { authors: [author], kinds: [0], since: i < 2 ? 7 : 8 },
    { authors: [author], kinds: [30078] },
  ]);
  const merged = mergeFilters([...filters, { authors: [authors[0]!], kinds: [3, 10000] }]);
  expect(merged.map((f) => ({ kinds: f.kinds, since: f.since, count: f.authors!.length, limit: f.limit }))).toEqual([
    { kinds: [3, 10000], since: undefined, count: 250, limit: 500 },
    { kinds: [3, 10000], since: undefined, count: 250, limit: 500 },
    { kinds: [3, 10000], since: undefined, count: 250, limit: 500 },
    { kinds: [3, 10000], since: undefined, count: 250, limit: 500 },
    { kinds: [3, 10000], since: undefined, count: 1, limit: 2 },
    { kinds: [0], since: 7, count: 2, limit: 2 },
    // Addressable kinds hold many events per author: no count to cap, so no limit either.
    { kinds: [30078], since: undefined, count: 1000, limit: undefined },
    { kinds: [30078], since: undefined, count: 1, limit: undefined },
    { kinds: [0], since: 8, count: 500, limit: 500 },
    { kinds: [0], since: 8, count: 499, limit: 499 },
  ]);
  expect(new Set(merged.flatMap((f) => (f.kinds!.includes(3) ? f.authors! : []))).size).toBe(1001);
});
