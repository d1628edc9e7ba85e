/**
 * Issue 13's motivating bug, side by side: NDK Svelte's `MutesProxy.mute()` publishes kind 10000
 * rebuilt from its set of muted pubkeys (content "", one `p` tag per pubkey), so one mute wipes
 * muted words, hashtags, threads and every private item. Ours edits the list it was given.
 */
import { describe, expect, it } from "vitest";
import { generateSecretKey, getPublicKey, type EventTemplate, type NostrEvent } from "nostr-tools/pure";
import { applyEdit } from "../../src/lists/listWrite";
import { mute } from "../../src/lists/listEdit";
import { parseMutes } from "../../src/lists/parse";
import { testAccount } from "../support/listCrypto";

const NOW = 1_800_000_000;
const pk = () => getPublicKey(generateSecretKey());

/** NDK Svelte's behaviour, reduced to what it publishes: the pubkey set, and nothing else. */
function ndkSvelteMute(muted: Set<string>, pubkey: string): EventTemplate | undefined {
  if (muted.has(pubkey)) return undefined;
  muted.add(pubkey);
  return { kind: 10000, content: "", tags: [...muted].map((p) => ["p", p]), created_at: NOW };
}

describe("muting one pubkey on a rich mute list", () => {
  const me = testAccount();
  const [alice, bob, secretPerson, newcomer] = [pk(), pk(), pk(), pk()];
  const thread = "f".repeat(64);
  const secretThread = "d".repeat(64);
  const privateItems = [["p", secretPerson], ["word", "spoiler"], ["t", "politics"], ["e", secretThread]];
  const base: NostrEvent = me.sign(
    10000,
    [["p", alice, "wss://hint.example"], ["e", thread], ["word", "gm"], ["t", "crypto"], ["p", bob], ["client", "some-app"]],
    me.seal(privateItems),
    NOW - 60,
  );
  /** What a session reads from a mute list: public tags plus its decrypted private items. */
  const read = (event: Pick<NostrEvent, "tags" | "content">) => parseMutes([...event.tags, ...(event.content ? (me.open(event.content) as string[][]) : [])]);

  it("NDK Svelte: the new list holds pubkeys only — words, hashtags, threads and private items are gone", () => {
    const muted = new Set(base.tags.filter((t) => t[0] === "p").map((t) => t[1]!));
    const theirs = ndkSvelteMute(muted, newcomer)!;
    expect(theirs.content).toBe("");
    expect(read(theirs)).toEqual({ pubkeys: [alice, bob, newcomer], eventIds: [], words: [], hashtags: [] });
    expect(theirs.tags).not.toContainEqual(["p", alice, "wss://hint.example"]);
  });

  it("ours: every item survives, private ones still private (decrypted with the real key)", async () => {
    const result = await applyEdit(base, mute({ pubkey: newcomer }), { now: NOW, crypto: me.crypto });
    if (!result.changed) throw new Error("expected a change");
    const ours = result.template;
    expect(ours.tags).toEqual([...base.tags, ["p", newcomer]]);
    // Public edit: the encrypted items are the very same bytes, nothing was decrypted to write them.
    expect(ours.content).toBe(base.content);
    expect(me.open(ours.content)).toEqual(privateItems);
    expect(me.calls.decrypt).toBe(0);

    const before = read(base);
    const after = read(ours);
    expect(after.pubkeys.sort()).toEqual([...before.pubkeys, newcomer].sort());
    expect(after.eventIds.sort()).toEqual([secretThread, thread].sort());
    expect(after.words.sort()).toEqual(["gm", "spoiler"]);
    expect(after.hashtags.sort()).toEqual(["crypto", "politics"]);
  });

  it("ours, muting privately: the new item joins the encrypted ones, public tags untouched", async () => {
    const result = await applyEdit(base, mute({ pubkey: newcomer }, { private: true }), { now: NOW, crypto: me.crypto });
    if (!result.changed) throw new Error("expected a change");
    expect(result.template.tags).toEqual(base.tags);
    expect(me.open(result.template.content)).toEqual([...privateItems, ["p", newcomer]]);
    expect(JSON.stringify(result.template.tags)).not.toContain(newcomer);
  });
});
