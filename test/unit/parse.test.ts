import { describe, expect, it } from "vitest";
import { finalizeEvent, generateSecretKey, getPublicKey, type EventTemplate, type NostrEvent } from "nostr-tools/pure";
import { parseMutes, toListEntry } from "../../src/lists/parse";
import { PackedPubkeys, PubkeySet } from "../../src/lists/packedPubkeys";
import type { BlockedRelaysData, MutesData, RelayListData } from "../../src/lists/kinds";

const sk = generateSecretKey();
const sign = (kind: number, tags: string[][] = [], content = "", created_at = 1_700_000_000): NostrEvent =>
  finalizeEvent({ kind, tags, content, created_at } satisfies EventTemplate, sk);
const pk = () => getPublicKey(generateSecretKey());

describe("toListEntry", () => {
  it("copies key, kind, id and created_at from the event", () => {
    const event = sign(3, [], "", 1_234);
    const entry = toListEntry(event);
    expect(entry).toMatchObject({ key: "3", kind: 3, id: event.id, createdAt: 1_234 });
  });

  it("kind 0: parses profile JSON, keeping scalar fields only", () => {
    const content = JSON.stringify({ name: "alice", nip05: "a@b.c", age: 3, bot: false, nested: { x: 1 }, list: [1], nil: null });
    const entry = toListEntry(sign(0, [], content));
    expect(entry.key).toBe("0");
    expect(entry.data).toEqual({ name: "alice", nip05: "a@b.c", age: 3, bot: false });
  });

  it("kind 0: non-JSON content gives {}", () => {
    expect(toListEntry(sign(0, [], "not json {")).data).toEqual({});
    expect(toListEntry(sign(0, [], "")).data).toEqual({});
  });

  it("kind 0: JSON that is not an object gives {}", () => {
    expect(toListEntry(sign(0, [], "[1,2]")).data).toEqual({});
    expect(toListEntry(sign(0, [], '"str"')).data).toEqual({});
    expect(toListEntry(sign(0, [], "null")).data).toEqual({});
  });

  it("kind 0: caps very long string fields", () => {
    const entry = toListEntry(sign(0, [], JSON.stringify({ about: "x".repeat(10_000) })));
    const about = (entry.data as { about: string }).about;
    expect(about.length).toBeLessThan(10_000);
    expect(about.length).toBeGreaterThan(0);
  });

  it("kind 3: packs p tags only and drops invalid ones", () => {
    const a = pk();
    const b = pk();
    const other = pk();
    const event = sign(3, [["p", a], ["p", b, "wss://r.com", "bob"], ["p", a], ["e", other], ["t", other], ["p", "npub1abc"], ["p", a.toUpperCase()], ["p"]]);
    const data = toListEntry(event).data as PackedPubkeys;
    expect(data.count).toBe(2);
    const set = new PubkeySet(data);
    expect(new Set(set)).toEqual(new Set([a, b]));
    expect(set.has(other)).toBe(false);
  });

  it("kind 10000: collects p, e, word (lower-cased) and t (without '#', lower-cased)", () => {
    const p = pk();
    const e = "e".repeat(64);
    const event = sign(10000, [
      ["p", p],
      ["p", "bad"],
      ["e", e],
      ["e", "short"],
      ["word", "SpAm"],
      ["word", ""],
      ["t", "#Bitcoin"],
      ["t", "NSFW"],
      ["x", "ignored"],
    ]);
    const data = toListEntry(event).data as MutesData;
    expect(toListEntry(event).key).toBe("10000");
    expect(data.pubkeys).toEqual([p]);
    expect(data.eventIds).toEqual([e]);
    expect(data.words).toEqual(["spam"]);
    expect(data.hashtags.sort()).toEqual(["bitcoin", "nsfw"]);
  });

  it("kind 10000: merges the private tags and deduplicates", () => {
    const pub = pk();
    const secret = pk();
    const event = sign(10000, [["p", pub], ["word", "gm"]]);
    const data = toListEntry(event, [["p", secret], ["p", pub], ["word", "GM"], ["t", "Private"]]).data as MutesData;
    expect(data.pubkeys.sort()).toEqual([pub, secret].sort());
    expect(data.words).toEqual(["gm"]);
    expect(data.hashtags).toEqual(["private"]);
  });

  it("parseMutes without tags is empty", () => {
    expect(parseMutes([])).toEqual({ pubkeys: [], eventIds: [], words: [], hashtags: [] });
  });

  it("kind 10006: normalises relay tags, drops invalid ones and duplicates", () => {
    const event = sign(10006, [["relay", "wss://Bad.com/"], ["relay", "wss://bad.com"], ["relay", "https://x.com"], ["relay", "junk"], ["r", "wss://other.com"], ["relay", "ws://Evil.org:80/"]]);
    const data = toListEntry(event).data as BlockedRelaysData;
    expect(toListEntry(event).key).toBe("10006");
    expect(data.urls.sort()).toEqual(["ws://evil.org", "wss://bad.com"]);
  });

  it("kind 10002: read/write markers merge per normalised URL", () => {
    const event = sign(10002, [
      ["r", "wss://a.com", "read"],
      ["r", "wss://a.com/", "write"],
      ["r", "wss://B.com/", "read"],
      ["r", "wss://c.com"],
      ["r", "wss://d.com", "write"],
      ["r", "https://nope.com"],
      ["p", "wss://e.com"],
    ]);
    const data = toListEntry(event).data as RelayListData;
    const byUrl = Object.fromEntries(data.relays.map((r) => [r.url, r]));
    expect(data.relays).toHaveLength(4);
    expect(byUrl["wss://a.com"]).toEqual({ url: "wss://a.com", read: true, write: true });
    expect(byUrl["wss://b.com"]).toEqual({ url: "wss://b.com", read: true, write: false });
    expect(byUrl["wss://c.com"]).toEqual({ url: "wss://c.com", read: true, write: true });
    expect(byUrl["wss://d.com"]).toEqual({ url: "wss://d.com", read: false, write: true });
  });

  it("kind 30001: addressable key with the d-tag, raw event as data", () => {
    const event = sign(30001, [["d", "bookmarks"], ["e", "f".repeat(64)]], "hello");
    const entry = toListEntry(event);
    expect(entry.key).toBe("30001:bookmarks");
    expect(entry.kind).toBe(30001);
    expect(entry.data).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it("other kinds keep the raw event as data, keyed by kind", () => {
    const event = sign(17375, [["d", "ignored"]], "encrypted");
    const entry = toListEntry(event);
    expect(entry.key).toBe("17375");
    expect(entry.data).toEqual(JSON.parse(JSON.stringify(event)));
    expect((entry.data as NostrEvent).sig).toBe(event.sig);
  });

  it("entries of events received as JSON are plain JSON; a follow list stores as text that unpacks to its bytes", () => {
    for (const kind of [0, 3, 10000, 10006, 10002, 30001]) {
      const received: NostrEvent = JSON.parse(JSON.stringify(sign(kind, [["d", "x"], ["p", pk()], ["r", "wss://a.com"]], "{}")));
      const entry = toListEntry(received);
      const stored = JSON.parse(JSON.stringify(entry));
      if (kind !== 3) expect(stored).toEqual(entry);
      else {
        expect(stored.data).toEqual({ packed: expect.any(String), count: 1 });
        expect(PackedPubkeys.fromStored(stored.data)!.bytes).toEqual((entry.data as PackedPubkeys).bytes);
      }
    }
  });
});
