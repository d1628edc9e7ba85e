import { describe, expect, it } from "vitest";
import { getPublicKey, generateSecretKey } from "nostr-tools/pure";
import { applyEdit, rebase, type ListTemplate, type ListWriteResult } from "../../src/lists/listWrite";
import { editList, follow, mergeWrites, mute, setRelays, unfollow, unmute, type ListWrite } from "../../src/lists/listEdit";
import { ListEditError, PrivateItemsError } from "../../src/lists/listWriteErrors";
import type { ListCrypto } from "../../src/lists/privateItems";
import { testAccount } from "../support/listCrypto";

const NOW = 1_800_000_000;
const pk = () => getPublicKey(generateSecretKey());
const ID = "e".repeat(64);

function built(result: ListWriteResult): ListTemplate {
  if (!result.changed) throw new Error("expected a change");
  return result.template;
}

async function failure(work: Promise<unknown>): Promise<{ name: string; code: string; cause?: unknown }> {
  try {
    await work;
  } catch (error) {
    return error as { name: string; code: string; cause?: unknown };
  }
  throw new Error("expected a failure");
}

describe("applyEdit: public tags", () => {
  it("a brand-new list when relays have none", async () => {
    const a = pk();
    expect(built(await applyEdit(undefined, follow(a), { now: NOW }))).toEqual({ kind: 3, tags: [["p", a]], content: "", created_at: NOW });
  });

  it("keeps unknown tags, order, extra fields and kind 3 content; new items go at the end", async () => {
    const me = testAccount();
    const [a, b, c, d] = [pk(), pk(), pk(), pk()];
    const content = '{"wss://old.example":{"read":true,"write":true}}';
    const base = me.sign(3, [["p", a, "wss://hint.example", "alice"], ["client", "x", "31990:y:z"], ["p", b], ["t", "weird"], ["p", c, "", "carol"]], content);
    const write = mergeWrites(unfollow(b), follow(d, { petname: "dave" }));
    const template = built(await applyEdit(base, write, { now: NOW }));
    expect(template.tags).toEqual([["p", a, "wss://hint.example", "alice"], ["client", "x", "31990:y:z"], ["t", "weird"], ["p", c, "", "carol"], ["p", d, "", "dave"]]);
    expect(template.content).toBe(content);
    expect(template.kind).toBe(3);
  });

  it("adding a present item (any spelling) or removing a missing one changes nothing", async () => {
    const me = testAccount();
    const a = pk();
    const base = me.sign(3, [["p", a.toUpperCase(), "wss://hint.example", "alice"]]);
    expect(await applyEdit(base, follow(a), { now: NOW })).toEqual({ changed: false });
    expect(await applyEdit(base, unfollow(pk()), { now: NOW })).toEqual({ changed: false });
    expect(await applyEdit(undefined, unfollow(a), { now: NOW })).toEqual({ changed: false });
    // ...and an unfollow spelled in lower case removes the upper-case tag
    expect(built(await applyEdit(base, unfollow(a), { now: NOW })).tags).toEqual([]);
  });

  it("created_at is max(now, base + 1)", async () => {
    const me = testAccount();
    const old = me.sign(10000, [], "", NOW - 100);
    const future = me.sign(10000, [], "", NOW + 50);
    expect(built(await applyEdit(old, mute({ word: "x" }), { now: NOW })).created_at).toBe(NOW);
    expect(built(await applyEdit(future, mute({ word: "x" }), { now: NOW })).created_at).toBe(NOW + 51);
    expect(built(await applyEdit(old, mute({ word: "x" }), { now: NOW + 0.9 })).created_at).toBe(NOW);
  });

  it("never mutates the base and shares no arrays with it", async () => {
    const me = testAccount();
    const base = me.sign(10000, [["p", pk()], ["word", "gm"]]);
    const copy = JSON.parse(JSON.stringify(base));
    const template = built(await applyEdit(base, mute({ word: "gn" }), { now: NOW }));
    template.tags[0]!.push("mutated");
    expect(JSON.parse(JSON.stringify(base))).toEqual(copy);
  });

  it("kind 10002: setting markers replaces the relay's r tag in place", async () => {
    const me = testAccount();
    const base = me.sign(10002, [["r", "wss://a.example/"], ["r", "wss://b.example", "read"], ["alt", "relays"], ["r", "wss://c.example", "write"]]);
    const write = setRelays([
      { url: "wss://A.example", read: false, write: true },
      { url: "wss://c.example", read: false, write: false },
      { url: "wss://d.example", read: true, write: true },
    ]);
    expect(built(await applyEdit(base, write, { now: NOW })).tags).toEqual([
      ["r", "wss://a.example", "write"],
      ["r", "wss://b.example", "read"],
      ["alt", "relays"],
      ["r", "wss://d.example"],
    ]);
    // Same markers again: nothing to publish
    expect(await applyEdit(base, setRelays([{ url: "wss://b.example", read: true, write: false }]), { now: NOW })).toEqual({ changed: false });
  });

  it("custom addressable kinds: the d tag and the rest are kept; a new one starts with its d tag", async () => {
    const me = testAccount();
    const a = pk();
    const base = me.sign(30000, [["d", "friends"], ["title", "Friends"], ["p", a]]);
    const write = editList({ kind: 30000, d: "friends" }, [{ op: "add", tag: ["p", ID.slice(0, 63) + "f"] }, { op: "remove", tag: ["p", a] }]);
    expect(built(await applyEdit(base, write, { now: NOW })).tags).toEqual([["d", "friends"], ["title", "Friends"], ["p", ID.slice(0, 63) + "f"]]);
    const fresh = built(await applyEdit(undefined, editList({ kind: 30003, d: "b" }, [{ op: "add", tag: ["t", "nostr"] }]), { now: NOW }));
    expect(fresh.tags).toEqual([["d", "b"], ["t", "nostr"]]);
    // A new list with nothing in it publishes nothing
    expect(await applyEdit(undefined, editList({ kind: 30003, d: "b" }, []), { now: NOW })).toEqual({ changed: false });
  });

  it("refuses a base of another kind or another d tag", async () => {
    const me = testAccount();
    expect((await failure(applyEdit(me.sign(10000, []), follow(pk()), { now: NOW }))).code).toBe("list-base-mismatch");
    const set = me.sign(30000, [["d", "a"]]);
    const error = await failure(applyEdit(set, editList({ kind: 30000, d: "b" }, [{ op: "add", tag: ["p", pk()] }]), { now: NOW }));
    expect(error).toBeInstanceOf(ListEditError);
    expect(error.code).toBe("list-base-mismatch");
  });

  it("refuses a malformed write read back from a snapshot", async () => {
    const write = { kind: 10000, edits: [{ op: "add", tag: ["d", "x"] }] } as ListWrite;
    expect((await failure(applyEdit(undefined, write, { now: NOW }))).code).toBe("list-edit-invalid");
  });
});

describe("applyEdit: private items (NIP-51, real NIP-44)", () => {
  it("public edits never decrypt: content is copied byte for byte, even unreadable, even without crypto", async () => {
    const me = testAccount();
    const sealed = me.seal([["p", pk()]]);
    for (const content of [sealed, "garbage that is not ciphertext"]) {
      const base = me.sign(10000, [["p", pk()]], content);
      const template = built(await applyEdit(base, mute({ word: "gm" }), { now: NOW, crypto: me.crypto }));
      expect(template.content).toBe(content);
      expect(built(await applyEdit(base, mute({ word: "gm" }), { now: NOW })).content).toBe(content);
    }
    expect(me.calls).toEqual({ decrypt: 0, encrypt: 0 });
  });

  it("a private edit decrypts, edits and re-encrypts in place; public tags untouched", async () => {
    const me = testAccount();
    const [a, b] = [pk(), pk()];
    // An entry that is not a tag is somebody's data too: it must survive.
    const base = me.sign(10000, [["p", a], ["word", "public"]], me.seal([["word", "secret"], { note: "kept" }, ["p", b, "x"]]));
    const template = built(await applyEdit(base, mute({ event: ID }, { private: true }), { now: NOW, crypto: me.crypto }));
    expect(template.tags).toEqual([["p", a], ["word", "public"]]);
    expect(template.content).not.toBe(base.content);
    expect(template.content).not.toContain("?iv=");
    expect(me.open(template.content)).toEqual([["word", "secret"], { note: "kept" }, ["p", b, "x"], ["e", ID]]);
  });

  it("reads NIP-04 private items and writes them back as NIP-44", async () => {
    const me = testAccount();
    const b = pk();
    const base = me.sign(10000, [], me.sealNip04([["p", b]]));
    expect(base.content).toContain("?iv=");
    const template = built(await applyEdit(base, mute({ word: "gm" }, { private: true }), { now: NOW, crypto: me.crypto }));
    expect(template.content).not.toContain("?iv=");
    expect(me.open(template.content)).toEqual([["p", b], ["word", "gm"]]);
  });

  it("a private no-op re-encrypts nothing and publishes nothing", async () => {
    const me = testAccount();
    const base = me.sign(10000, [], me.seal([["word", "gm"]]));
    expect(await applyEdit(base, mute({ word: "GM" }, { private: true }), { now: NOW, crypto: me.crypto })).toEqual({ changed: false });
    expect(me.calls).toEqual({ decrypt: 1, encrypt: 0 });
  });

  it("a scope-less unmute removes the item from both sections", async () => {
    const me = testAccount();
    const a = pk();
    const base = me.sign(10000, [["p", a], ["word", "x"]], me.seal([["p", a], ["word", "y"]]));
    const template = built(await applyEdit(base, unmute({ pubkey: a }), { now: NOW, crypto: me.crypto }));
    expect(template.tags).toEqual([["word", "x"]]);
    expect(me.open(template.content)).toEqual([["word", "y"]]);
  });

  it("removing the last private item leaves empty content", async () => {
    const me = testAccount();
    const base = me.sign(10000, [["word", "x"]], me.seal([["word", "y"]]));
    const template = built(await applyEdit(base, unmute({ word: "y" }, { private: true }), { now: NOW, crypto: me.crypto }));
    expect(template).toMatchObject({ tags: [["word", "x"]], content: "" });
  });

  it("unreadable content stops a private edit with a typed error; public-only still works", async () => {
    const me = testAccount();
    const other = testAccount();
    const a = pk();
    // Encrypted by another key: this session cannot read it, and must not overwrite it.
    const base = me.sign(10000, [["p", a]], other.seal([["p", pk()]]));
    for (const write of [mute({ pubkey: pk() }, { private: true }), unmute({ pubkey: a })]) {
      const error = await failure(applyEdit(base, write, { now: NOW, crypto: me.crypto }));
      expect(error).toBeInstanceOf(PrivateItemsError);
      expect(error.code).toBe("private-items-unreadable");
      expect(error.cause).toBeDefined();
    }
    const template = built(await applyEdit(base, unmute({ pubkey: a }, { private: false }), { now: NOW, crypto: me.crypto }));
    expect(template).toMatchObject({ tags: [], content: base.content });
  });

  it("content that decrypts to something other than a JSON array is unreadable too", async () => {
    const me = testAccount();
    for (const plain of ["not json", '{"p":1}', "42"]) {
      const base = me.sign(10000, [], await me.crypto.encrypt(plain));
      expect((await failure(applyEdit(base, mute({ word: "a" }, { private: true }), { now: NOW, crypto: me.crypto }))).code).toBe("private-items-unreadable");
    }
  });

  it("without crypto: private items can be neither read nor written", async () => {
    const me = testAccount();
    const withItems = me.sign(10000, [], me.seal([["word", "y"]]));
    expect((await failure(applyEdit(withItems, mute({ word: "a" }, { private: true }), { now: NOW }))).code).toBe("private-items-no-crypto");
    expect((await failure(applyEdit(undefined, mute({ word: "a" }, { private: true }), { now: NOW }))).code).toBe("private-items-no-crypto");
    // An unmute on a list with no private items needs no crypto
    expect(built(await applyEdit(me.sign(10000, [["word", "a"]]), unmute({ word: "a" }), { now: NOW })).tags).toEqual([]);
  });

  it("a failing encryption stops the write", async () => {
    const me = testAccount();
    const refusing: ListCrypto = { decrypt: me.crypto.decrypt, encrypt: () => Promise.reject(new Error("user rejected")) };
    const base = me.sign(10000, [], me.seal([["word", "y"]]));
    const error = await failure(applyEdit(base, mute({ word: "a" }, { private: true }), { now: NOW, crypto: refusing }));
    expect(error).toMatchObject({ name: "PrivateItemsError", code: "private-items-unwritable" });
  });

  it("kinds whose content is not private items refuse private edits and keep their content", async () => {
    const me = testAccount();
    const base = me.sign(3, [["p", ID]], '{"wss://r.example":{}}');
    const write: ListWrite = { kind: 3, edits: [{ op: "add", tag: ["p", pk()], private: true }] };
    expect((await failure(applyEdit(base, write, { now: NOW, crypto: me.crypto }))).code).toBe("list-private-unsupported");
    // A scope-less remove on kind 3 is a public one: no decryption of relay JSON
    expect(built(await applyEdit(base, unfollow(ID), { now: NOW, crypto: me.crypto })).content).toBe(base.content);
    expect(me.calls.decrypt).toBe(0);
  });
});

describe("rebase: edits are intent, so two clients' changes both survive", () => {
  it("another client added X and removed Z meanwhile; our pending 'add Y' keeps both changes", async () => {
    const me = testAccount();
    const [x, y, z, w] = [pk(), pk(), pk(), pk()];
    const ours = me.sign(10000, [["p", w], ["p", z]], "", NOW - 10);
    const pending = mute({ pubkey: y });
    expect(built(await applyEdit(ours, pending, { now: NOW })).tags).toEqual([["p", w], ["p", z], ["p", y]]);
    // Before we published, another client's list arrived: it added X and removed Z.
    const theirs = me.sign(10000, [["p", w], ["p", x]], "", NOW + 5);
    const template = built(await rebase(pending, theirs, { now: NOW }));
    expect(template.tags).toEqual([["p", w], ["p", x], ["p", y]]);
    expect(template.created_at).toBe(NOW + 6);
  });

  it("private changes from both clients survive a rebase too", async () => {
    const me = testAccount();
    const pending = mergeWrites(mute({ word: "ours" }, { private: true }), unmute({ word: "dropped" }));
    const theirs = me.sign(10000, [["word", "dropped"]], me.seal([["word", "theirs"], ["word", "dropped"]]), NOW);
    const template = built(await rebase(pending, theirs, { now: NOW, crypto: me.crypto }));
    expect(template.tags).toEqual([]);
    expect(me.open(template.content)).toEqual([["word", "theirs"], ["word", "ours"]]);
  });

  it("a pending edit that the newer base already contains publishes nothing", async () => {
    const me = testAccount();
    const y = pk();
    const theirs = me.sign(10000, [["p", y, "wss://their-hint.example"]], "", NOW);
    expect(await rebase(mute({ pubkey: y }), theirs, { now: NOW })).toEqual({ changed: false });
  });
});
