import { describe, expect, it } from "vitest";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { isHexPubkey, PackedPubkeys, packPubkeys, PubkeySet } from "../../src/lists/packedPubkeys";

const randomPubkeys = (n: number) => Array.from({ length: n }, () => getPublicKey(generateSecretKey()));

describe("packPubkeys + PubkeySet", () => {
  it.each([0, 1, 1000])("round-trips %i random keys", (n) => {
    const keys = randomPubkeys(n);
    const packed = packPubkeys(keys);
    expect(packed.count).toBe(n);
    expect(packed.bytes.length).toBe(32 * n);
    expect(packed.toJSON().packed.length).toBe(Math.ceil((32 * n * 4) / 3));

    const set = new PubkeySet(packed);
    expect(set.size).toBe(n);
    for (const key of keys) expect(set.has(key)).toBe(true);

    const iterated = [...set];
    expect(iterated).toHaveLength(n);
    expect(new Set(iterated)).toEqual(new Set(keys));
    expect([...set.values()].sort()).toEqual([...keys].sort());
    expect([...set.keys()].sort()).toEqual([...keys].sort());
    for (const [a, b] of set.entries()) expect(a).toBe(b);
    const seen: string[] = [];
    set.forEach((value, key, s) => {
      expect(value).toBe(key);
      expect(s).toBe(set);
      seen.push(value);
    });
    expect(seen.sort()).toEqual([...keys].sort());
  });

  it("survives JSON: stored as base64url text, unpacked to the same bytes", () => {
    const keys = randomPubkeys(20);
    const packed = packPubkeys(keys);
    const stored = JSON.parse(JSON.stringify(packed));
    expect(stored).toEqual({ packed: expect.stringMatching(/^[A-Za-z0-9_-]+$/), count: 20 });
    const unpacked = PackedPubkeys.fromStored(stored)!;
    expect(unpacked.bytes).toEqual(packed.bytes);
    const set = new PubkeySet(unpacked);
    for (const key of keys) expect(set.has(key)).toBe(true);
    expect(set.size).toBe(20);
  });

  it("fromStored refuses damage: wrong count or length, bad text, keys out of order or repeated", () => {
    const keys = randomPubkeys(5);
    const { packed, count } = packPubkeys(keys).toJSON();
    expect(PackedPubkeys.fromStored({ packed, count })?.count).toBe(5);
    expect(PackedPubkeys.fromStored({ packed, count: 4 })).toBeUndefined();
    expect(PackedPubkeys.fromStored({ packed: packed.slice(1), count })).toBeUndefined();
    expect(PackedPubkeys.fromStored({ packed: "!" + packed.slice(1), count })).toBeUndefined();
    expect(PackedPubkeys.fromStored({ packed: 42, count })).toBeUndefined();
    expect(PackedPubkeys.fromStored(null)).toBeUndefined();
    const sorted = [...keys].sort();
    const hexToText = (hexes: string[]) => Buffer.from(hexes.join(""), "hex").toString("base64url");
    expect(PackedPubkeys.fromStored({ packed: hexToText(sorted), count: 5 })?.count).toBe(5);
    expect(PackedPubkeys.fromStored({ packed: hexToText([...sorted].reverse()), count: 5 })).toBeUndefined();
    expect(PackedPubkeys.fromStored({ packed: hexToText([sorted[0]!, sorted[0]!]), count: 2 })).toBeUndefined();
    expect(PackedPubkeys.fromStored({ packed: "", count: 0 })?.count).toBe(0);
  });

  it("orders keys that share their first bytes by all of them, and drops their repeats", () => {
    const shared = "deadbeef";
    const tails = Array.from({ length: 40 }, (_, i) => (i * 7919).toString(16).padStart(56, "0"));
    const keys = tails.map((tail) => shared + tail);
    const packed = packPubkeys([...keys].reverse().concat(keys.slice(0, 10), randomPubkeys(30)));
    expect(packed.count).toBe(70);
    const order = [...new PubkeySet(packed)];
    expect(order).toEqual([...order].sort());
    expect(new Set(order)).toEqual(new Set([...keys, ...order.filter((k) => !k.startsWith(shared))]));
  });

  it("removes duplicates", () => {
    const [a, b] = randomPubkeys(2) as [string, string];
    const packed = packPubkeys([a, b, a, a, b]);
    expect(packed.count).toBe(2);
    expect(new Set(new PubkeySet(packed))).toEqual(new Set([a, b]));
  });

  it("drops invalid entries: npub, uppercase, short, long, non-hex", () => {
    const [good] = randomPubkeys(1) as [string];
    const packed = packPubkeys([
      "npub1sg6plzptd64u62a878hep2kev88swjh3tw00gjsfl8f237lmu63q0uf63m",
      good.toUpperCase(),
      good.slice(0, 63),
      good + "0",
      "z".repeat(64),
      "",
      good,
    ]);
    expect(packed.count).toBe(1);
    expect([...new PubkeySet(packed)]).toEqual([good]);
  });

  it("has() is false for absent and invalid input", () => {
    const keys = randomPubkeys(50);
    const set = new PubkeySet(packPubkeys(keys));
    const [absent] = randomPubkeys(1) as [string];
    expect(set.has(absent)).toBe(false);
    expect(set.has(keys[0]!.toUpperCase())).toBe(false);
    expect(set.has(keys[0]!.slice(1))).toBe(false);
    expect(set.has("")).toBe(false);
    expect(set.has("npub1xyz")).toBe(false);
    expect(set.has(undefined as unknown as string)).toBe(false);
    expect(new PubkeySet(packPubkeys([])).has(keys[0]!)).toBe(false);
  });

  it("finds the first and last entries of the sorted packing", () => {
    const keys = randomPubkeys(257);
    const set = new PubkeySet(packPubkeys(keys));
    const order = [...set];
    expect(set.has(order[0]!)).toBe(true);
    expect(set.has(order[order.length - 1]!)).toBe(true);
  });

  it("isHexPubkey accepts only 64 lower-case hex characters", () => {
    expect(isHexPubkey("a".repeat(64))).toBe(true);
    expect(isHexPubkey("A".repeat(64))).toBe(false);
    expect(isHexPubkey("a".repeat(63))).toBe(false);
    expect(isHexPubkey(42)).toBe(false);
  });
});
