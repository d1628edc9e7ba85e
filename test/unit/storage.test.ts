import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStorage, LocalStorage, MemoryStorage, type SerializedSession } from "../../src";

const pk = (c: string) => c.repeat(64);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "nse-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const sessions = new Map<string, SerializedSession>([
  [pk("a"), { pubkey: pk("a"), lastActive: 10, preferences: { walletEnabled: true }, signerType: "nip07" }],
  [pk("b"), { pubkey: pk("b"), lastActive: 0 }],
]);

describe("FileStorage", () => {
  it("round-trips in the peer's format, creating folders, with mode 0600", async () => {
    const file = join(tempDir(), "nested", "deeper", "sessions.json");
    const storage = new FileStorage(file);
    await storage.save(sessions, pk("a"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = JSON.parse(readFileSync(file, "utf8"));
    expect(raw.version).toBe(1);
    expect(raw.sessions[0][0]).toBe(pk("a"));
    const loaded = await storage.load();
    expect(loaded.activePubkey).toBe(pk("a"));
    expect(loaded.sessions.get(pk("a"))).toMatchObject({ lastActive: 10, preferences: { walletEnabled: true }, signerType: "nip07" });
    await storage.clear();
    expect(existsSync(file)).toBe(false);
    expect((await storage.load()).sessions.size).toBe(0);
  });

  it("reads a file written by @nostr-dev-kit/sessions", async () => {
    const file = join(tempDir(), ".ndk-sessions.json");
    const peer = {
      sessions: [[pk("c"), { pubkey: pk("c"), signerPayload: '{"type":"nip07","payload":""}', lastActive: 1700000000, preferences: {} }]],
      activePubkey: pk("c"),
      version: 1,
      updatedAt: 1700000000000,
    };
    writeFileSync(file, JSON.stringify(peer, null, 2));
    const loaded = await new FileStorage(file).load();
    expect(loaded.activePubkey).toBe(pk("c"));
    expect(loaded.sessions.get(pk("c"))?.signerPayload).toBe('{"type":"nip07","payload":""}');
  });

  it("keeps unreadable bytes in a .corrupt copy and throws a StorageError", async () => {
    const file = join(tempDir(), "s.json");
    const garbage = '{"sessions": [["not-a-pubkey"';
    writeFileSync(file, garbage);
    await expect(new FileStorage(file).load()).rejects.toMatchObject({ name: "StorageError" });
    expect(readFileSync(`${file}.corrupt`, "utf8")).toBe(garbage);
    expect(readFileSync(file, "utf8")).toBe(garbage);
  });
});

describe("LocalStorage outside a browser", () => {
  it("loads nothing, and refuses to save with a StorageError", async () => {
    const storage = new LocalStorage();
    expect((await storage.load()).sessions.size).toBe(0);
    await expect(storage.save(sessions)).rejects.toMatchObject({ name: "StorageError" });
  });
});

describe("MemoryStorage", () => {
  it("hands out copies, so callers cannot change what is stored", async () => {
    const storage = new MemoryStorage();
    await storage.save(sessions, pk("b"));
    const loaded = await storage.load();
    loaded.sessions.get(pk("a"))!.lastActive = 99;
    expect((await storage.load()).sessions.get(pk("a"))!.lastActive).toBe(10);
    await storage.clear();
    expect((await storage.load()).sessions.size).toBe(0);
  });
});
