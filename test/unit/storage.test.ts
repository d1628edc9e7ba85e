import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageError } from "../../src/errors";
import { FileStorage } from "../../src/storage/fileStorage";
import { LocalForageStorage } from "../../src/storage/localForageStorage";
import { LocalStorage } from "../../src/storage/localStorage";
import { MemoryStorage } from "../../src/storage/memoryStorage";
import { STATE_KEY, backupKey, type KeyValueStorage } from "../../src/storage/types";

const pk = (c: string) => c.repeat(64);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "nse-storage-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The contract every adapter keeps: what was set is read back, removed keys read null, keys() lists exactly what is held. */
async function contract(storage: KeyValueStorage) {
  expect(await storage.getItem(STATE_KEY)).toBeNull();
  expect(await storage.keys()).toEqual([]);
  const backup = backupKey("corrupt", Date.UTC(2024, 0, 2, 3, 4, 5));
  await storage.setItem(STATE_KEY, '{"v":1}');
  await storage.setItem(backup, "garbage \u0000 ünïcödé");
  await storage.setItem(STATE_KEY, '{"v":2}');
  expect(await storage.getItem(STATE_KEY)).toBe('{"v":2}');
  expect(await storage.getItem(backup)).toBe("garbage \u0000 ünïcödé");
  expect((await storage.keys()).sort()).toEqual([backup, STATE_KEY].sort());
  await storage.removeItem(STATE_KEY);
  await storage.removeItem("never-written");
  expect(await storage.getItem(STATE_KEY)).toBeNull();
  expect(await storage.keys()).toEqual([backup]);
}

describe("MemoryStorage", () => {
  it("gets, sets, removes and lists keys", () => contract(new MemoryStorage()));

  it("keeps instances apart and sees no legacy data", async () => {
    const a = new MemoryStorage();
    await a.setItem(STATE_KEY, "a");
    expect(await new MemoryStorage().getItem(STATE_KEY)).toBeNull();
    expect((a as KeyValueStorage).legacy).toBeUndefined();
  });
});

describe("FileStorage", () => {
  it("gets, sets, removes and lists keys", () => contract(new FileStorage(join(tempDir(), "state.json"))));

  it("creates parent folders and writes the state file with mode 0600", async () => {
    const file = join(tempDir(), "nested", "deeper", "state.json");
    const storage = new FileStorage(file);
    await storage.setItem(STATE_KEY, "first");
    expect(readFileSync(file, "utf8")).toBe("first");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await storage.setItem("other", "x");
    expect(statSync(`${file}.other`).mode & 0o777).toBe(0o600);
    // Replacing a file that had looser permissions leaves it at 0600 too.
    writeFileSync(file, "loose", { mode: 0o644 });
    await storage.setItem(STATE_KEY, "second");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await new FileStorage(file).getItem(STATE_KEY)).toBe("second");
  });

  it("round-trips a large value exactly and leaves no temporary file behind", async () => {
    const dir = tempDir();
    const storage = new FileStorage(join(dir, "state.json"));
    const value = JSON.stringify({ follows: Array.from({ length: 20_000 }, (_, i) => i.toString(16).padStart(64, "0")) });
    await storage.setItem(STATE_KEY, value);
    expect(await storage.getItem(STATE_KEY)).toBe(value);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("lists the state and other keys, never *.tmp leftovers or unrelated files", async () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    const storage = new FileStorage(file);
    const backup = backupKey("newer-version");
    await storage.setItem(STATE_KEY, "s");
    await storage.setItem(backup, "b");
    await storage.setItem("registry", "r");
    // What a crash mid-write leaves: temporary files of the state and of another key.
    writeFileSync(`${file}.4242.abc123.tmp`, '{"half');
    writeFileSync(`${file}.registry.4242.def456.tmp`, "half");
    writeFileSync(join(dir, "unrelated.json"), "{}");
    writeFileSync(join(dir, "state.jsonx"), "{}");
    writeFileSync(`${file}.%zz`, "stray"); // does not decode: not one of ours
    expect((await storage.keys()).sort()).toEqual([STATE_KEY, backup, "registry"].sort());
    expect(await storage.getItem(backup)).toBe("b");
  });

  it("removeItem deletes the file and only that file", async () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    const storage = new FileStorage(file);
    await storage.setItem(STATE_KEY, "s");
    await storage.setItem("registry", "r");
    await storage.removeItem(STATE_KEY);
    expect(existsSync(file)).toBe(false);
    expect(await storage.getItem("registry")).toBe("r");
    expect(await storage.keys()).toEqual(["registry"]);
  });

  it("has no keys and no legacy data when its folder does not exist yet", async () => {
    const storage = new FileStorage(join(tempDir(), "missing", "state.json"));
    expect(await storage.keys()).toEqual([]);
    expect(await storage.getItem(STATE_KEY)).toBeNull();
    expect(await storage.legacy()).toBeUndefined();
  });

  it("rejects with a StorageError when the state path is unreadable or unwritable", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "state.json")); // a folder where the file should be
    const storage = new FileStorage(join(dir, "state.json"));
    await expect(storage.getItem(STATE_KEY)).rejects.toBeInstanceOf(StorageError);
    await expect(storage.setItem(STATE_KEY, "x")).rejects.toBeInstanceOf(StorageError);
    await expect(storage.removeItem(STATE_KEY)).rejects.toBeInstanceOf(StorageError);
    expect(readdirSync(dir)).toEqual(["state.json"]); // the failed write's temporary file is gone
  });

  it("finds the peer's .ndk-sessions.json beside the file, byte for byte", async () => {
    const dir = tempDir();
    const peer = {
      sessions: [[pk("c"), { pubkey: pk("c"), signerPayload: '{"type":"nip07","payload":""}', lastActive: 1700000000, preferences: {} }]],
      activePubkey: pk("c"),
      version: 1,
      updatedAt: 1700000000000,
    };
    const text = JSON.stringify(peer, null, 2);
    expect(text).toContain('"signerPayload": "{\\"type\\":\\"nip07\\",\\"payload\\":\\"\\"}"');
    writeFileSync(join(dir, ".ndk-sessions.json"), text);
    const storage = new FileStorage(join(dir, "state.json"));
    const legacy = await storage.legacy();
    expect(legacy).toEqual({ sessions: text });
    expect(JSON.parse(legacy!.sessions!)).toEqual(peer);
    // The peer's file is not one of our keys.
    expect(await storage.keys()).toEqual([]);
    // Without it, there is nothing to import.
    expect(await new FileStorage(join(tempDir(), "state.json")).legacy()).toBeUndefined();
  });
});

const expectRefusal = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe("storage");
  expect((error as Error).message).toMatch(/FileStorage/);
};

describe("LocalStorage on Node", () => {
  it("rejects every call with a StorageError that names FileStorage (but the peer's load(), which gives nothing)", async () => {
    expect((globalThis as { localStorage?: unknown }).localStorage).toBeUndefined();
    const storage = new LocalStorage();
    expect(await storage.load()).toEqual({ sessions: new Map() });
    await expectRefusal(storage.save(new Map()));
    await expectRefusal(storage.clear());
    await expectRefusal(storage.getItem(STATE_KEY));
    await expectRefusal(storage.setItem(STATE_KEY, "x"));
    await expectRefusal(storage.removeItem(STATE_KEY));
    await expectRefusal(storage.keys());
    await expectRefusal(storage.legacy());
  });
});

describe("LocalForageStorage on Node", () => {
  it("rejects every call promptly with a StorageError that names FileStorage", async () => {
    const storage = new LocalForageStorage({ name: "nse-node-test" });
    const started = Date.now();
    const bounded = (call: Promise<unknown>) =>
      Promise.race([call, new Promise((_, reject) => setTimeout(() => reject(new Error("LocalForageStorage hung")), 3_000))]);
    await expectRefusal(bounded(storage.getItem(STATE_KEY)));
    await expectRefusal(bounded(storage.setItem(STATE_KEY, "x")));
    await expectRefusal(bounded(storage.removeItem(STATE_KEY)));
    await expectRefusal(bounded(storage.keys()));
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
