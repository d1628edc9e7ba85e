import { describe, expect, it } from "vitest";
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent, type NostrEvent } from "nostr-tools/pure";
import { isAuthentic } from "../../src/lists/verify";

const sk = generateSecretKey();
const author = getPublicKey(sk);
const other = getPublicKey(generateSecretKey());
const signed = (): NostrEvent => finalizeEvent({ kind: 3, tags: [["p", other]], content: "hello", created_at: 1_700_000_000 }, sk);
/** A copy without nostr-tools' cached verdict. */
const plain = (event: NostrEvent): NostrEvent => JSON.parse(JSON.stringify(event));

describe("isAuthentic", () => {
  it("accepts a valid event from the expected author", () => {
    expect(isAuthentic(signed(), author)).toBe(true);
    expect(isAuthentic(plain(signed()), author)).toBe(true);
  });

  it("rejects a valid event from another author than expected", () => {
    expect(isAuthentic(signed(), other)).toBe(false);
  });

  it("rejects tampered content under the original id", () => {
    expect(isAuthentic({ ...plain(signed()), content: "tampered" }, author)).toBe(false);
  });

  it("rejects tampered tags and created_at", () => {
    expect(isAuthentic({ ...plain(signed()), tags: [] }, author)).toBe(false);
    expect(isAuthentic({ ...plain(signed()), created_at: 1 }, author)).toBe(false);
  });

  it("rejects a tampered id", () => {
    const event = plain(signed());
    const flipped = (event.id[0] === "0" ? "1" : "0") + event.id.slice(1);
    expect(isAuthentic({ ...event, id: flipped }, author)).toBe(false);
  });

  it("rejects a swapped pubkey, even when it is the expected author", () => {
    const event = plain(signed());
    expect(isAuthentic({ ...event, pubkey: other }, other)).toBe(false);
  });

  it("rejects a bad signature", () => {
    const event = plain(signed());
    const sig = (event.sig[0] === "0" ? "1" : "0") + event.sig.slice(1);
    expect(isAuthentic({ ...event, sig }, author)).toBe(false);
    expect(isAuthentic({ ...event, sig: "zz" }, author)).toBe(false);
  });

  it("ignores a verdict nostr-tools cached on the object before it was tampered with", () => {
    const event = plain(signed());
    expect(verifyEvent(event)).toBe(true);
    event.content = "tampered after verification";
    // nostr-tools itself trusts its cached verdict on the same object…
    expect(verifyEvent(event)).toBe(true);
    // …isAuthentic must not.
    expect(isAuthentic(event, author)).toBe(false);
  });

  it("ignores the verdict finalizeEvent caches on its result", () => {
    const event = signed();
    event.tags = [["p", author]];
    expect(isAuthentic(event, author)).toBe(false);
  });
});
