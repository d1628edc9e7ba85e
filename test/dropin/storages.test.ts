// Issue 10.1: the storages are the peer's storages too (save / load / clear over the engine's one value),
// and the engine's own reads and writes go through them.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSecretKey } from "nostr-tools/pure";
import { NDKNip07Signer, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import {
  FileStorage,
  LocalStorage,
  MemoryStorage,
  StorageError,
  type KeyValueStorage,
  type SerializedSession,
  type SessionData,
  type SessionStorage,
} from "../../src";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { CURRENT_VERSION } from "../../src/persistence/envelope";
import { managerFor } from "../support/engine";
import { createFakeNip07, type FakeNip07 } from "../support/nip07";

const fixture = useRelay();
let extension: FakeNip07 | undefined;
afterEach(() => {
  extension?.remove();
  extension = undefined;
  vi.restoreAllMocks();
});

const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), "nse-dropin-"));
  fixture.defer(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "sessions.json");
};
const storages: Array<[string, () => MemoryStorage | FileStorage]> = [
  ["MemoryStorage", () => new MemoryStorage()],
  ["FileStorage", () => new FileStorage(tempFile())],
];
const record = (pubkey: string): SerializedSession => ({ pubkey, lastActive: Date.now() });
const randomPubkey = () => NDKPrivateKeySigner.generate().pubkey;

describe.each(storages)("%s: the peer's own storage cases", (_, make) => {
  it("save(map, 'pubkey1') then load(): one session, and the active pubkey", async () => {
    const storage = make();
    await storage.save(new Map([["pubkey1", record("pubkey1")]]), "pubkey1");
    const loaded = await storage.load();
    expect(loaded.sessions.size).toBe(1);
    expect(loaded.sessions.get("pubkey1")).toBeDefined();
    expect(loaded.activePubkey).toBe("pubkey1");
  });

  it("clear() then load() is empty", async () => {
    const storage = make();
    await storage.save(new Map([["pubkey1", record("pubkey1")]]), "pubkey1");
    await storage.clear();
    const loaded = await storage.load();
    expect(loaded.sessions.size).toBe(0);
    expect(loaded.activePubkey).toBeUndefined();
  });

  it("load() of an empty storage: an empty map, no active pubkey", async () => {
    expect(await make().load()).toEqual({ sessions: new Map() });
  });
});

describe("LocalStorage where there is no localStorage (Node)", () => {
  it("load() gives an empty map without throwing; save and clear reject with a StorageError", async () => {
    expect((globalThis as { localStorage?: unknown }).localStorage).toBeUndefined();
    const storage = new LocalStorage();
    const loaded = await storage.load();
    expect(loaded.sessions.size).toBe(0);
    expect(loaded.activePubkey).toBeUndefined();
    await expect(storage.save(new Map([["pubkey1", record("pubkey1")]]), "pubkey1")).rejects.toBeInstanceOf(StorageError);
    await expect(storage.clear()).rejects.toBeInstanceOf(StorageError);
  });

  it("a manager on it restores nothing, and does not throw", async () => {
    const { manager } = managerFor(fixture.ndk, { storage: new LocalStorage(), autoSave: false, syncTabs: false });
    fixture.defer(() => manager.destroy());
    expect(await manager.restore()).toEqual({ source: "empty", sessions: 0 });
  });
});

describe.each(storages)("%s holds one value, read in either shape", (_, make) => {
  it("load() of an engine-written store gives its accounts as the peer's records, and the envelope as state", async () => {
    const storage = make();
    const { manager } = managerFor(fixture.ndk, { storage, autoSave: false });
    const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
    const watcher = randomPubkey();
    extension = createFakeNip07(generateSecretKey());
    const extensionPubkey = extension.pubkey;
    await manager.login(alice);
    await manager.login(fixture.ndk.getUser({ pubkey: watcher }), { setActive: false });
    await manager.login(new NDKNip07Signer(1000, fixture.ndk), { setActive: false });
    manager.enableWallet(alice.pubkey);
    await manager.persist();
    await manager.destroy();

    const loaded = await storage.load();
    expect(loaded.activePubkey).toBe(alice.pubkey);
    expect([...loaded.sessions.keys()].sort()).toEqual([alice.pubkey, watcher, extensionPubkey].sort());
    const mine = loaded.sessions.get(alice.pubkey)!;
    expect(mine).toMatchObject({ pubkey: alice.pubkey, signerType: "private-key", preferences: { walletEnabled: true } });
    expect(mine.lastActive).toBeGreaterThan(0);
    expect(mine.signerPayload).toBeUndefined(); // no key is stored without the unsafe option
    expect(loaded.sessions.get(watcher)).toMatchObject({ signerType: "read-only" });
    expect(JSON.parse(loaded.sessions.get(extensionPubkey)!.signerPayload!)).toMatchObject({ type: "nip07" });
    expect(JSON.parse(loaded.state!)).toMatchObject({ format: "ndk-session-engine", version: CURRENT_VERSION, snapshot: expect.any(Object) });
    expect(loaded.state).not.toContain(alice.privateKey);

    // With the unsafe option the key's payload is stored, and load() gives it.
    const other = make();
    const unsafe = managerFor(fixture.ndk, { storage: other, autoSave: false, unsafePersistPrivateKeys: true });
    await unsafe.manager.login(bob);
    await unsafe.manager.persist();
    await unsafe.manager.destroy();
    const payload = (await other.load()).sessions.get(bob.pubkey)!.signerPayload!;
    expect(JSON.parse(payload)).toMatchObject({ type: "private-key" });
  });

  it("load() of text that cannot be read gives no accounts and the text as state", async () => {
    const storage = make();
    await storage.setItem("state", "{ not an envelope");
    expect(await storage.load()).toEqual({ sessions: new Map(), state: "{ not an envelope" });
  });
});

describe("an app's own save(map)", () => {
  it("keeps just those accounts: the next restore has them (lists fetched again) and nothing else", async () => {
    const storage = new MemoryStorage();
    const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
    const carol = randomPubkey();
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", carol]] });
    const first = managerFor(fixture.ndk, { storage, autoSave: false });
    await first.manager.login(alice);
    await first.manager.login(bob, { setActive: false });
    await first.ready(alice.pubkey);
    await first.manager.persist();
    await first.manager.destroy();

    // The app drops bob, adds carol (read-only), makes carol active, and saves as the peer's apps do.
    const { sessions } = await storage.load();
    sessions.delete(bob.pubkey);
    sessions.set(carol, { pubkey: carol, lastActive: 1_700_000_000 });
    await storage.save(sessions, carol);
    expect(JSON.parse((await storage.load()).state!).snapshot).toBeNull();

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    expect(await second.manager.restore()).toEqual({ source: "registry", sessions: 2 }); // no backup: nothing was lost
    expect([...second.manager.getSessions().keys()].sort()).toEqual([alice.pubkey, carol].sort());
    expect(second.manager.activePubkey).toBe(carol);
    await second.ready(alice.pubkey);
    expect([...second.manager.getSession(alice.pubkey)!.followSet!]).toEqual([carol]); // refetched from the relay
    await second.signer(alice.pubkey, "needsLogin"); // still a private-key account, its key not kept
  });
});

describe("the engine reads and writes through load and save", () => {
  it("a spy on save sees every write with the envelope as third argument; a spy on load sees restore()", async () => {
    const storage = new MemoryStorage();
    const save = vi.spyOn(storage, "save");
    const { manager, ready } = managerFor(fixture.ndk, { storage, saveDebounceMs: 10 });
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await ready(alice.pubkey);
    await eventually(() => save.mock.calls.length > 0, 2000, "an auto-save");
    const [records, active, state] = save.mock.calls.at(-1)!;
    expect([...records.keys()]).toEqual([alice.pubkey]);
    expect(records.get(alice.pubkey)).toMatchObject({ pubkey: alice.pubkey, signerType: "private-key" });
    expect(active).toBe(alice.pubkey);
    expect(JSON.parse(state!)).toMatchObject({ format: "ndk-session-engine", registry: { activePubkey: alice.pubkey } });
    await manager.persist(); // anything pending is written
    const count = save.mock.calls.length;
    await manager.switchTo(null);
    await manager.persist();
    expect(save.mock.calls.length).toBe(count + 1);
    await manager.destroy();

    const load = vi.spyOn(storage, "load");
    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    expect(await second.manager.restore()).toEqual({ source: "snapshot", sessions: 1 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("a storage with only save/load/clear (a plain object) keeps every account across persist → new manager → restore", async () => {
    let kept: SessionData = { sessions: new Map() };
    const storage: SessionStorage = {
      // What the peer's signature carries, nothing more (the envelope passed as third argument is ignored).
      save: async (sessions, activePubkey) => void (kept = { sessions: new Map(sessions), activePubkey }),
      load: async () => kept,
      clear: async () => void (kept = { sessions: new Map() }),
    };
    const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
    const watcher = randomPubkey();
    const first = managerFor(fixture.ndk, { storage, autoSave: false, unsafePersistPrivateKeys: true });
    await first.manager.login(alice, { setActive: false });
    await first.manager.login(bob);
    await first.manager.login(fixture.ndk.getUser({ pubkey: watcher }), { setActive: false });
    first.manager.enableWallet(alice.pubkey);
    await first.manager.persist();
    await first.manager.destroy();

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    expect(await second.manager.restore()).toEqual({ source: "accounts", sessions: 3 });
    expect([...second.manager.getSessions().keys()].sort()).toEqual([alice.pubkey, bob.pubkey, watcher].sort());
    expect(second.manager.activePubkey).toBe(bob.pubkey);
    expect(second.manager.isWalletEnabled(alice.pubkey)).toBe(true);
    await second.signer(bob.pubkey); // its payload was in the record (unsafe option)
    await second.ready(watcher);
  });

  it("an app's own key-value store (getItem/setItem/removeItem/keys only) keeps the full snapshot", async () => {
    const values = new Map<string, string>();
    const storage: KeyValueStorage = {
      getItem: async (key) => values.get(key) ?? null,
      setItem: async (key, value) => void values.set(key, value),
      removeItem: async (key) => void values.delete(key),
      keys: async () => [...values.keys()],
    };
    const alice = NDKPrivateKeySigner.generate();
    const first = managerFor(fixture.ndk, { storage, autoSave: false });
    await first.manager.login(alice);
    await first.manager.persist();
    await first.manager.destroy();
    expect(JSON.parse(values.get("state")!).registry.activePubkey).toBe(alice.pubkey);

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    expect(await second.manager.restore()).toEqual({ source: "snapshot", sessions: 1 });
    await second.manager.clear();
    expect(values.has("state")).toBe(false);
  });
});

describe("storage failures", () => {
  const secretish = "nsec1-quoted-by-a-careless-storage";

  it("persist() and restore() reject with a StorageError that keeps the original as cause, not its message", async () => {
    const storage = new MemoryStorage();
    const broken = new Error(`write failed for ${secretish}`);
    vi.spyOn(storage, "save").mockRejectedValue(broken);
    vi.spyOn(storage, "load").mockRejectedValue(broken);
    const { manager } = managerFor(fixture.ndk, { storage, autoSave: false });
    fixture.defer(() => manager.destroy());
    for (const call of [() => manager.persist(), () => manager.restore()]) {
      const error = (await call().then(() => undefined, (e: unknown) => e)) as StorageError;
      expect(error).toBeInstanceOf(StorageError);
      expect(error.cause).toBe(broken);
      expect(error.message).not.toContain(secretish);
    }
    expect(manager.storageError).toBeInstanceOf(StorageError);
  });

  it("a failed auto-save logs as the peer does, sets storageError, and the manager keeps working and saves again", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const storage = new MemoryStorage();
    const save = storage.save.bind(storage);
    let working = false;
    vi.spyOn(storage, "save").mockImplementation(async (...args) => {
      if (!working) throw new Error("quota exceeded");
      return save(...args);
    });
    const { manager, ready } = managerFor(fixture.ndk, { storage, saveDebounceMs: 10 });
    fixture.defer(() => manager.destroy());
    const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
    await manager.login(alice);
    await eventually(() => logged.mock.calls.some(([first]) => first === "Failed to auto-save sessions:"), 2000, "the log line");
    const failure = manager.storageError!;
    expect(failure).toBeInstanceOf(StorageError);
    expect(logged).toHaveBeenCalledWith("Failed to auto-save sessions:", failure);
    expect((failure.cause as Error).message).toBe("quota exceeded");
    await ready(alice.pubkey);

    working = true;
    await manager.login(bob);
    await eventually(() => manager.storageError === undefined, 2000, "a save that works");
    const loaded = await storage.load();
    expect([...loaded.sessions.keys()].sort()).toEqual([alice.pubkey, bob.pubkey].sort());
    expect(loaded.activePubkey).toBe(bob.pubkey);
  });
});
