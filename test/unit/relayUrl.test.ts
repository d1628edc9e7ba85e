import { describe, expect, it } from "vitest";
import { normalizeRelayUrl } from "../../src/lists/relayUrl";

describe("normalizeRelayUrl", () => {
  it("drops the trailing slash of a bare host", () => {
    expect(normalizeRelayUrl("wss://relay.example.com/")).toBe("wss://relay.example.com");
    expect(normalizeRelayUrl("wss://relay.example.com")).toBe("wss://relay.example.com");
  });

  it("drops trailing slashes of a path but keeps the path", () => {
    expect(normalizeRelayUrl("wss://relay.example.com/nostr/")).toBe("wss://relay.example.com/nostr");
  });

  it("lower-cases scheme and host", () => {
    expect(normalizeRelayUrl("WSS://Relay.Example.COM/")).toBe("wss://relay.example.com");
    expect(normalizeRelayUrl("Ws://LOCALHOST:7777")).toBe("ws://localhost:7777");
  });

  it("drops the default port of the scheme and keeps any other", () => {
    expect(normalizeRelayUrl("wss://a.com:443/")).toBe("wss://a.com");
    expect(normalizeRelayUrl("ws://a.com:80")).toBe("ws://a.com");
    expect(normalizeRelayUrl("wss://a.com:80")).toBe("wss://a.com:80");
    expect(normalizeRelayUrl("ws://a.com:443")).toBe("ws://a.com:443");
    expect(normalizeRelayUrl("wss://a.com:4848/")).toBe("wss://a.com:4848");
  });

  it("drops the fragment and trims whitespace", () => {
    expect(normalizeRelayUrl("wss://a.com/#x")).toBe("wss://a.com");
    expect(normalizeRelayUrl("  wss://a.com/  ")).toBe("wss://a.com");
  });

  it("returns undefined for non-ws schemes", () => {
    expect(normalizeRelayUrl("https://a.com")).toBeUndefined();
    expect(normalizeRelayUrl("http://a.com")).toBeUndefined();
    expect(normalizeRelayUrl("ftp://a.com")).toBeUndefined();
  });

  it("returns undefined for garbage", () => {
    expect(normalizeRelayUrl("")).toBeUndefined();
    expect(normalizeRelayUrl("not a url")).toBeUndefined();
    expect(normalizeRelayUrl("a.com")).toBeUndefined();
    expect(normalizeRelayUrl("wss://")).toBeUndefined();
  });

  it("gives one spelling for equivalent inputs", () => {
    const spellings = ["wss://A.com", "wss://a.com/", "WSS://a.COM:443", " wss://a.com/#top"];
    expect(new Set(spellings.map(normalizeRelayUrl))).toEqual(new Set(["wss://a.com"]));
  });
});
