import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { entrySum, sumHolds, withSum } from "../../machines/checksum";
import { localEdits, refreshedLists } from "../../machines/lists";
import type { ListEntry } from "../../machines/types";
import { PackedPubkeys, packPubkeys, PubkeySet } from "../../src/lists/packedPubkeys";
import { readEnvelope } from "../../src/persistence/load";

const follows = (n: number) => packPubkeys(Array.from({ length: n }, () => NDKPrivateKeySigner.generate().pubkey));
const contacts = (createdAt = 1_700_000_000): ListEntry => withSum({ key: "3", kind: 3, id: "a".repeat(64), createdAt, data: follows(20) });

describe("list entry checksum", () => {
  it("an intact entry passes, and the sum does not depend on the stored key order", () => {
    const entry = contacts();
    expect(entry.sum).toMatch(/^[0-9a-f]{8}$/);
    expect(sumHolds(entry)).toBe(true);
    const { sum, data, createdAt, id, kind, key } = entry;
    expect(sumHolds({ sum, data, createdAt, id, kind, key })).toBe(true);
    const stored = JSON.parse(JSON.stringify(entry));
    expect(sumHolds({ ...stored, data: PackedPubkeys.fromStored(stored.data) })).toBe(true); // stored, then unpacked
  });

  it("every single bit flip in the packed follow list is detected", () => {
    const entry = contacts();
    const held = entry.data as PackedPubkeys;
    const stored = held.toJSON();
    expect(sumHolds({ ...entry, data: PackedPubkeys.fromStored(stored)! })).toBe(true); // the sum is over the unpacked bytes
    const { packed } = stored;
    let unchanged = 0;
    for (let i = 0; i < packed.length; i++)
      for (let bit = 0; bit < 7; bit++) {
        const flipped = packed.slice(0, i) + String.fromCharCode(packed.charCodeAt(i) ^ (1 << bit)) + packed.slice(i + 1);
        const unpacked = PackedPubkeys.fromStored({ ...stored, packed: flipped });
        // Refused when unpacked (outside the alphabet, keys out of order), else caught by the sum,
        // unless the flip hit the last character's unused bits: then the keys are the same.
        if (unpacked && sumHolds({ ...entry, data: unpacked })) {
          expect(unpacked.bytes).toEqual(held.bytes);
          unchanged++;
        }
      }
    expect(unchanged).toBeLessThanOrEqual(2 * 7);
  });

  it("a changed createdAt, id, kind, partial mark, a field gone, or the sum itself damaged or missing is detected", () => {
    const entry = contacts();
    expect(sumHolds({ ...entry, createdAt: 9_999_999_999 })).toBe(false);
    expect(sumHolds({ ...entry, id: "b".repeat(64) })).toBe(false);
    expect(sumHolds({ ...entry, kind: 10000 })).toBe(false);
    expect(sumHolds({ ...entry, partial: true })).toBe(false);
    expect(sumHolds({ ...entry, data: packPubkeys([...new PubkeySet(entry.data as PackedPubkeys)].slice(1)) })).toBe(false); // a key gone
    expect(sumHolds({ ...entry, sum: entry.sum!.replace(/^./, (c) => (c === "0" ? "1" : "0")) })).toBe(false);
    const { sum: _sum, ...unsummed } = entry;
    expect(sumHolds(unsummed)).toBe(false);
  });

  it("a local edit re-dated past the stored entry gets a sum that holds", () => {
    const stored = contacts(200);
    const [edit] = localEdits({ "3": stored }, [contacts(100)]);
    expect(edit!.createdAt).toBe(201);
    expect(sumHolds(edit!)).toBe(true);
  });

  it("is cheap: a 1,000-follow list is hashed in a fraction of a millisecond (bounded loosely here)", () => {
    const entry = { ...contacts(), data: follows(1000) };
    for (let i = 0; i < 20; i++) entrySum(entry);
    const runs = 50;
    const started = performance.now();
    for (let i = 0; i < runs; i++) entrySum(entry);
    const perEntry = (performance.now() - started) / runs;
    expect(perEntry).toBeLessThan(5); // ~0.2 ms measured on the 2-core test machine; generous for loaded CI
  });
});

describe("a fetch in place of damaged entries", () => {
  it("drops the damaged entry it names and takes the relay's copy of the same id; a newer entry that came meanwhile stays", () => {
    const damaged = { ...contacts(9_999_999_999), sum: "00000000" };
    const genuine = contacts();
    const newer = { ...contacts(1_800_000_000), key: "10000", kind: 10000 };
    const slots = { "3": damaged, "10000": newer };
    const next = refreshedLists(slots, {
      entries: [genuine],
      damaged: [
        { key: "3", id: damaged.id, createdAt: damaged.createdAt },
        { key: "10000", id: newer.id, createdAt: 1 }, // found damaged, then replaced by a newer list before the fetch ended
      ],
    });
    expect(next).toEqual({ "3": genuine, "10000": newer });
    // Without the damaged names, NIP-01 keeps the stored entry (its created_at is "newer").
    expect(refreshedLists(slots, { entries: [genuine] })).toBe(slots);
  });

  it("a damaged entry the relays do not hold is dropped", () => {
    const damaged = contacts();
    expect(refreshedLists({ "3": damaged }, { entries: [], damaged: [{ key: "3", id: damaged.id, createdAt: damaged.createdAt }] })).toEqual({});
  });
});

describe("format 4 migration", () => {
  it.each([2, 3])("gives every version %i list entry a sum that holds", (version) => {
    const outcome = readEnvelope(readFileSync(new URL(`../fixtures/state-v${version}.json`, import.meta.url), "utf8"));
    if (outcome.kind !== "ok" || !outcome.snapshot) throw new Error(`state-v${version}.json did not load`);
    const entries = Object.values(outcome.snapshot.sessions).flatMap((session) => Object.values(session.context.lists));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(sumHolds(entry as ListEntry)).toBe(true);
  });
});
