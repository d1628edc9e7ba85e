import { expect, it } from "vitest";
import { SessionMap } from "../../src/facade/sessionMap";

const keys = Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(64, "0"));
const base = () => SessionMap.from(keys.map((k, i) => [k, i] as const));

it("a version with a changed entry answers like a copied Map, and leaves its ancestors as they were", () => {
  const first = base();
  let map = first;
  const versions: SessionMap<number>[] = [];
  for (let i = 0; i < 150; i++) {
    map = map.with(keys[i % 100]!, 1000 + i);
    versions.push(map);
  }
  // Every version reads as the Map built by copying: same size, same entries in the same order.
  versions.forEach((version, v) => {
    const expected = new Map(keys.map((k, i) => [k, i]));
    for (let i = 0; i <= v; i++) expected.set(keys[i % 100]!, 1000 + i);
    expect(version.size).toBe(200);
    expect(version.get(keys[v % 100]!)).toBe(1000 + v);
    expect(version.has(keys[199]!)).toBe(true);
    expect(version.has("f".repeat(64))).toBe(false);
    expect([...version]).toEqual([...expected]);
  });
  expect(first.get(keys[0]!)).toBe(0);
  expect(first instanceof Map).toBe(true);
});

it("iteration and forEach see the changes; no version can be written to, since versions share entries", () => {
  const a = base();
  const b = a.with(keys[5]!, -5);
  const c = b.with(keys[6]!, -6);
  const seen: number[] = [];
  c.forEach((value) => seen.push(value));
  expect(seen.slice(5, 7)).toEqual([-5, -6]);
  expect([...c.values()].slice(4, 8)).toEqual([4, -5, -6, 7]);
  expect([...b.keys()]).toEqual(keys);
  for (const map of [a, b, c]) {
    expect(() => map.set(keys[7]!, -7)).toThrow(expect.objectContaining({ code: "read-only-state" }));
    expect(() => map.delete(keys[0]!)).toThrow(expect.objectContaining({ code: "read-only-state" }));
    expect(() => map.clear()).toThrow(expect.objectContaining({ code: "read-only-state" }));
  }
  expect(a.get(keys[5]!)).toBe(5);
  expect(c.size).toBe(200);
});
