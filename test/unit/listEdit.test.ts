import { describe, expect, it } from "vitest";
import {
  blockRelay,
  editList,
  follow,
  mergeWrites,
  mute,
  pin,
  removeRelay,
  setRelays,
  unblockRelay,
  unfollow,
  unmute,
  unpin,
  validateWrite,
  type ListWrite,
} from "../../src/lists/listEdit";
import { editItems, sameItems } from "../../src/lists/editItems";
import { ListEditError } from "../../src/lists/listWriteErrors";
import { itemKey } from "../../src/lists/tagIdentity";
import { SessionError } from "../../src/errors";

const PK = "a".repeat(64);
const ID = "b".repeat(64);

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ListEditError);
    expect(error).toBeInstanceOf(SessionError);
    return (error as ListEditError).code;
  }
  return undefined;
};

describe("itemKey", () => {
  it("is tag name + value; extra fields do not count", () => {
    expect(itemKey(["p", PK])).toBe(itemKey(["p", PK, "wss://r.example", "bob"]));
    expect(itemKey(["p", PK])).not.toBe(itemKey(["e", PK]));
  });

  it("compares hex pubkeys and ids case-insensitively", () => {
    expect(itemKey(["p", PK.toUpperCase()])).toBe(itemKey(["p", PK]));
    expect(itemKey(["e", ID.toUpperCase()])).toBe(itemKey(["e", ID]));
    // Not hex: compared as written
    expect(itemKey(["p", "Alice"])).not.toBe(itemKey(["p", "alice"]));
  });

  it("normalises relay URLs in r and relay tags; leaves web URLs as written", () => {
    expect(itemKey(["r", "WSS://Relay.Example/"])).toBe(itemKey(["r", "wss://relay.example"]));
    expect(itemKey(["relay", "wss://relay.example:443"])).toBe(itemKey(["relay", "wss://relay.example"]));
    expect(itemKey(["r", "https://Example.com/A"])).not.toBe(itemKey(["r", "https://example.com/a"]));
  });

  it("compares words and hashtags as mute matching does (lower case, no '#')", () => {
    expect(itemKey(["word", " Bitcoin "])).toBe(itemKey(["word", "bitcoin"]));
    expect(itemKey(["t", "#Nostr"])).toBe(itemKey(["t", "nostr"]));
  });

  it("lower-cases the pubkey part of an address only", () => {
    expect(itemKey(["a", `30023:${PK.toUpperCase()}:Post`])).toBe(itemKey(["a", `30023:${PK}:Post`]));
    expect(itemKey(["a", `30023:${PK}:Post`])).not.toBe(itemKey(["a", `30023:${PK}:post`]));
  });

  it("has no identity for things that are not tags with a value", () => {
    for (const bad of [["p"], ["p", ""], ["", "x"], "p", null, { 0: "p", 1: PK }, [1, 2]]) expect(itemKey(bad)).toBeUndefined();
  });
});

describe("builders", () => {
  it("follow: p tag with optional relay hint and petname, lower-case hex", () => {
    expect(follow(PK.toUpperCase())).toEqual({ kind: 3, edits: [{ op: "add", tag: ["p", PK] }] });
    expect(follow(PK, { relay: "WSS://R.example/" }).edits[0]!.tag).toEqual(["p", PK, "wss://r.example"]);
    expect(follow(PK, { petname: "bob" }).edits[0]!.tag).toEqual(["p", PK, "", "bob"]);
    expect(unfollow(PK)).toEqual({ kind: 3, edits: [{ op: "remove", tag: ["p", PK] }] });
  });

  it("mute/unmute: p, e, word, t; private only when asked", () => {
    expect(mute({ pubkey: PK })).toEqual({ kind: 10000, edits: [{ op: "add", tag: ["p", PK] }] });
    expect(mute({ event: ID }, { private: true }).edits[0]).toEqual({ op: "add", tag: ["e", ID], private: true });
    expect(mute({ word: "  GM " }).edits[0]!.tag).toEqual(["word", "gm"]);
    expect(mute({ hashtag: "#Nostr" }).edits[0]!.tag).toEqual(["t", "nostr"]);
    // Scope-less unmute removes from both sections
    expect(unmute({ pubkey: PK }).edits[0]).toEqual({ op: "remove", tag: ["p", PK] });
    expect(unmute({ pubkey: PK }, { private: false }).edits[0]).toEqual({ op: "remove", tag: ["p", PK], private: false });
  });

  it("pin/unpin (10001), blockRelay/unblockRelay (10006)", () => {
    expect(pin(ID, { relay: "wss://r.example" })).toEqual({ kind: 10001, edits: [{ op: "add", tag: ["e", ID, "wss://r.example"] }] });
    expect(unpin(ID).edits[0]).toEqual({ op: "remove", tag: ["e", ID] });
    expect(blockRelay("wss://Bad.example/")).toEqual({ kind: 10006, edits: [{ op: "add", tag: ["relay", "wss://bad.example"] }] });
    expect(unblockRelay("wss://bad.example").edits[0]!.op).toBe("remove");
  });

  it("setRelays: one set per relay with its marker; neither marker removes it", () => {
    const write = setRelays([
      { url: "wss://both.example", read: true, write: true },
      { url: "wss://in.example", read: true, write: false },
      { url: "wss://out.example", read: false, write: true },
      { url: "wss://gone.example", read: false, write: false },
    ]);
    expect(write).toEqual({
      kind: 10002,
      edits: [
        { op: "set", tag: ["r", "wss://both.example"] },
        { op: "set", tag: ["r", "wss://in.example", "read"] },
        { op: "set", tag: ["r", "wss://out.example", "write"] },
        { op: "remove", tag: ["r", "wss://gone.example"] },
      ],
    });
    expect(removeRelay("wss://x.example").edits[0]).toEqual({ op: "remove", tag: ["r", "wss://x.example"] });
  });

  it("refuse bad input at the click", () => {
    expect(codeOf(() => follow("npub1xyz"))).toBe("list-edit-invalid");
    expect(codeOf(() => mute({ event: "zz" }))).toBe("list-edit-invalid");
    expect(codeOf(() => mute({ word: "   " }))).toBe("list-edit-invalid");
    expect(codeOf(() => blockRelay("https://not-a-relay.example"))).toBe("list-edit-invalid");
    expect(codeOf(() => setRelays([{ url: "nope", read: true, write: true }]))).toBe("list-edit-invalid");
  });

  it("editList: addressable kinds carry their d tag (\"\" when absent)", () => {
    expect(editList({ kind: 30000, d: "friends" }, [{ op: "add", tag: ["p", PK] }])).toEqual({ kind: 30000, d: "friends", edits: [{ op: "add", tag: ["p", PK] }] });
    expect(editList({ kind: 30003 }, []).d).toBe("");
    expect(editList({ kind: 10015 }, []).d).toBeUndefined();
  });

  it("writes are plain JSON", () => {
    const write = mute({ pubkey: PK }, { private: true });
    expect(JSON.parse(JSON.stringify(write))).toEqual(write);
  });
});

describe("validateWrite", () => {
  const ok: ListWrite = { kind: 10000, edits: [{ op: "add", tag: ["p", PK] }] };

  it("accepts a well-formed write", () => {
    expect(validateWrite(ok)).toBe(ok);
  });

  it("refuses kinds a newer event would not replace", () => {
    for (const kind of [1, 7, 20000, 40000, 1.5, -3]) expect(codeOf(() => validateWrite({ ...ok, kind }))).toBe("list-kind-unsupported");
  });

  it("refuses malformed edits (a snapshot could hold anything)", () => {
    const bad: unknown[] = [
      { op: "toggle", tag: ["p", PK] },
      { op: "add", tag: ["p"] },
      { op: "add", tag: ["p", ""] },
      { op: "add", tag: ["", PK] },
      { op: "add", tag: ["p", PK, 3] },
      { op: "add", tag: "p" },
      { op: "add", tag: ["p", PK], private: "yes" },
      null,
    ];
    for (const edit of bad) expect(codeOf(() => validateWrite({ kind: 10000, edits: [edit as never] }))).toBe("list-edit-invalid");
    expect(codeOf(() => validateWrite({ kind: 10000, edits: "x" as never }))).toBe("list-edit-invalid");
    expect(codeOf(() => validateWrite(null as never))).toBe("list-edit-invalid");
  });

  it("refuses an edit of the d tag, and a d tag on a replaceable kind", () => {
    expect(codeOf(() => validateWrite({ kind: 30000, d: "a", edits: [{ op: "set", tag: ["d", "b"] }] }))).toBe("list-edit-invalid");
    expect(codeOf(() => validateWrite({ kind: 10000, d: "a", edits: [] }))).toBe("list-edit-invalid");
    expect(codeOf(() => editList({ kind: 10000, d: "a" }, []))).toBe("list-edit-invalid");
  });
});

describe("mergeWrites", () => {
  it("concatenates edits of the same list, in order", () => {
    const merged = mergeWrites(mute({ pubkey: PK }), unmute({ word: "gm" }));
    expect(merged.edits).toEqual([{ op: "add", tag: ["p", PK] }, { op: "remove", tag: ["word", "gm"] }]);
  });

  it("refuses writes to different lists", () => {
    expect(codeOf(() => mergeWrites(mute({ pubkey: PK }), follow(PK)))).toBe("list-edit-invalid");
    expect(codeOf(() => mergeWrites(editList({ kind: 30000, d: "a" }, []), editList({ kind: 30000, d: "b" }, [])))).toBe("list-edit-invalid");
  });
});

describe("editItems", () => {
  const base = [["p", PK, "wss://hint.example", "alice"], ["unknown", "x", "y"], "not a tag", ["p", ID]];

  it("add appends at the end; an existing item keeps its tag and extra fields", () => {
    const c = "c".repeat(64);
    expect(editItems(base, [{ op: "add", tag: ["p", c] }])).toEqual([...base, ["p", c]]);
    expect(editItems(base, [{ op: "add", tag: ["p", PK.toUpperCase()] }])).toEqual(base);
  });

  it("remove drops every duplicate; a missing item is a no-op", () => {
    expect(editItems([...base, ["p", PK]], [{ op: "remove", tag: ["p", PK] }])).toEqual([["unknown", "x", "y"], "not a tag", ["p", ID]]);
    expect(editItems(base, [{ op: "remove", tag: ["p", "c".repeat(64)] }])).toEqual(base);
  });

  it("set replaces the first tag in place and drops later duplicates", () => {
    const relays = [["r", "wss://a.example"], ["r", "wss://b.example/", "read"], ["x", "1"], ["r", "wss://b.example", "write"]];
    expect(editItems(relays, [{ op: "set", tag: ["r", "wss://b.example", "write"] }])).toEqual([
      ["r", "wss://a.example"],
      ["r", "wss://b.example", "write"],
      ["x", "1"],
    ]);
    expect(editItems(relays, [{ op: "set", tag: ["r", "wss://c.example"] }])).toEqual([...relays, ["r", "wss://c.example"]]);
  });

  it("applies edits in order and never mutates its input", () => {
    const frozen = JSON.parse(JSON.stringify(base));
    const out = editItems(base, [
      { op: "add", tag: ["t", "a"] },
      { op: "remove", tag: ["t", "A"] },
    ]);
    expect(sameItems(out, base)).toBe(true);
    expect(base).toEqual(frozen);
  });
});
