import { describe, expect, it } from "vitest";
import type { NDKEvent } from "@nostr-dev-kit/ndk";
import { buildMuteFilter, buildRelayConnectionFilter } from "../../src/lists/filters";
import { parseMutes } from "../../src/lists/parse";
import type { MutesData } from "../../src/lists/kinds";

const mutedPk = "1".repeat(64);
const friendPk = "2".repeat(64);
const mutedId = "3".repeat(64);
const otherId = "4".repeat(64);

const ev = (fields: { pubkey?: string; id?: string; content?: string; tags?: string[][] }) =>
  ({ pubkey: friendPk, id: otherId, content: "hello world", tags: [], ...fields }) as unknown as NDKEvent;

const mutes: MutesData = parseMutes([
  ["p", mutedPk],
  ["e", mutedId],
  ["word", "Spam"],
  ["t", "#NSFW"],
]);

describe("buildMuteFilter", () => {
  const isMuted = buildMuteFilter(mutes);

  it("lets an unmuted event through", () => {
    expect(isMuted(ev({}))).toBe(false);
    expect(isMuted(ev({ tags: [["t", "nostr"], ["p", mutedPk]] }))).toBe(false);
  });

  it("mutes a muted author", () => {
    expect(isMuted(ev({ pubkey: mutedPk }))).toBe(true);
  });

  it("mutes a muted event id", () => {
    expect(isMuted(ev({ id: mutedId }))).toBe(true);
  });

  it("mutes a muted word, case-insensitively and as a substring", () => {
    expect(isMuted(ev({ content: "this is spam" }))).toBe(true);
    expect(isMuted(ev({ content: "BUY SPAM NOW" }))).toBe(true);
    expect(isMuted(ev({ content: "antispamming" }))).toBe(true);
    expect(isMuted(ev({ content: "sp am" }))).toBe(false);
    expect(isMuted(ev({ content: "" }))).toBe(false);
  });

  it("mutes a muted hashtag in any case", () => {
    expect(isMuted(ev({ tags: [["t", "nsfw"]] }))).toBe(true);
    expect(isMuted(ev({ tags: [["t", "NsFw"]] }))).toBe(true);
    expect(isMuted(ev({ tags: [["t", "nsfw2"]] }))).toBe(false);
    expect(isMuted(ev({ tags: [["x", "nsfw"]] }))).toBe(false);
  });

  it("an empty mute list mutes nothing", () => {
    const none = buildMuteFilter(parseMutes([]));
    expect(none(ev({ pubkey: mutedPk, id: mutedId, content: "spam", tags: [["t", "nsfw"]] }))).toBe(false);
  });
});

describe("buildRelayConnectionFilter", () => {
  const allow = buildRelayConnectionFilter({ urls: ["wss://blocked.com", "ws://evil.org:7777"] });

  it("refuses a blocked relay in any spelling", () => {
    for (const url of ["wss://blocked.com", "wss://blocked.com/", "wss://BLOCKED.com", "WSS://Blocked.COM/", "wss://blocked.com:443", "ws://EVIL.org:7777/"]) {
      expect(allow(url), url).toBe(false);
    }
  });

  it("allows other relays", () => {
    for (const url of ["wss://fine.com", "wss://blocked.com.fine.net", "ws://blocked.com", "wss://evil.org", "wss://blocked.com/sub"]) {
      expect(allow(url), url).toBe(true);
    }
  });

  it("an empty block list allows everything", () => {
    expect(buildRelayConnectionFilter({ urls: [] })("wss://blocked.com")).toBe(true);
  });
});
