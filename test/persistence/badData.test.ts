import { beforeAll, describe, expect, it, vi } from "vitest";
import NDK, { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CorruptStorageError, FileStorage, MemoryStorage, NDKSessionManager, StorageError } from "../../src";
import { mutations, seeded } from "../support/mutate";
import { CURRENT_VERSION } from "../../src/persistence/envelope";

const fixture = useRelay();
let valid: string;

beforeAll(async () => {
  const storage = new MemoryStorage();
  // Keys stored (plain, by explicit opt-in) so restored sessions can sign and reach ready.
  const { manager, ready } = managerFor(fixture.ndk, { storage, autoSave: false, unsafePersistPrivateKeys: true });
  const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
  await publish(fixture.ndk, alice!, { kind: 3, tags: [["p", bob!.pubkey]] });
  await publish(fixture.ndk, alice!, { kind: 10002, tags: [["r", "wss://r.example.com"]] });
  await publish(fixture.ndk, bob!, { kind: 0, content: JSON.stringify({ name: "bob" }) });
  await manager.login(alice!);
  await manager.login(bob!);
  await ready(alice!.pubkey);
  await ready(bob!.pubkey);
  await manager.persist();
  await manager.destroy();
  valid = (await storage.getItem("state"))!;
});

async function storageWith(text: string) {
  const storage = new MemoryStorage();
  await storage.setItem("state", text);
  return storage;
}

/** A manager restoring `envelope` as stored text: its report, and the check that the exact bytes were kept. */
async function restoreStored(envelope: unknown) {
  const text = JSON.stringify(envelope);
  const storage = await storageWith(text);
  const engine = managerFor(fixture.ndk, { storage });
  fixture.defer(() => engine.manager.destroy());
  const report = await engine.manager.restore();
  expect(await storage.getItem(report.backupKey!)).toBe(text);
  return { ...engine, report };
}

const backups = async (storage: MemoryStorage) =>
  Promise.all((await storage.keys()).filter((k) => k.startsWith("backup:")).map((k) => storage.getItem(k)));

describe("bad stored data keeps its bytes", () => {
  it("unreadable data: a typed error, a backup of the exact bytes, and a usable manager", async () => {
    const garbage = valid.slice(0, valid.length / 2);
    const storage = await storageWith(garbage);
    const { manager, ready } = managerFor(fixture.ndk, { storage, saveDebounceMs: 5 });
    fixture.defer(() => manager.destroy());
    await expect(manager.restore()).rejects.toMatchObject({ name: "CorruptStorageError", code: "storage-corrupt" });
    expect(await backups(storage)).toEqual([garbage]);
    expect(manager.storageError).toMatchObject({ code: "storage-corrupt", backupKey: expect.stringMatching(/^backup:/) });
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await ready(alice.pubkey);
    await manager.persist();
    expect(await storage.getItem("state")).toContain(alice.pubkey);
    expect(await backups(storage)).toEqual([garbage]);
  });

  it("data of a newer format is never overwritten", async () => {
    const newer = valid.replace(`"version":${CURRENT_VERSION}`, '"version":99');
    const storage = await storageWith(newer);
    const { manager } = managerFor(fixture.ndk, { storage, saveDebounceMs: 5 });
    fixture.defer(() => manager.destroy());
    await expect(manager.restore()).rejects.toMatchObject({ name: "NewerStorageError", version: 99 });
    await manager.login(NDKPrivateKeySigner.generate());
    await new Promise((r) => setTimeout(r, 40));
    await expect(manager.persist()).rejects.toMatchObject({ code: "storage-newer" });
    expect(await storage.getItem("state")).toBe(newer);
  });

  it("a snapshot that cannot be rehydrated falls back to the account registry (lists refetched), bytes kept", async () => {
    const envelope = JSON.parse(valid);
    const first = Object.keys(envelope.snapshot.children).find((id) => id.startsWith("session:"))!;
    envelope.snapshot.children[first].snapshot.value = "aStateThatNeverExisted";
    const { manager, ready, report } = await restoreStored(envelope);
    expect(report).toMatchObject({ source: "registry", sessions: 2 });
    for (const account of envelope.registry.accounts) await ready(account.pubkey);
    const alice = envelope.registry.accounts[0].pubkey;
    expect(manager.getSession(alice)!.followSet!.size).toBe(1); // refetched from the relay
  });

  it("a damaged key of one session costs that session its signer only: every account comes back, the others sign, bytes kept", async () => {
    const envelope = JSON.parse(valid);
    const [alice, bob] = envelope.registry.accounts.map((a: { pubkey: string }) => a.pubkey);
    envelope.unsafeSecrets[bob] = 42; // not a payload
    envelope.savedAt = "yesterday";
    const { manager, signer, report } = await restoreStored(envelope);
    expect(report).toMatchObject({ source: "snapshot", sessions: 2 });
    await signer(alice);
    await signer(bob, "needsLogin");
    expect(manager.getSession(bob)!.profile).toMatchObject({ name: "bob" }); // its lists restored as stored
    expect(manager.getSession(alice)!.followSet!.size).toBe(1);
  });

  it("a damaged follow list costs only that list: left out at restore, fetched again, bytes kept", async () => {
    const envelope = JSON.parse(valid);
    const [alice, bob] = envelope.registry.accounts.map((a: { pubkey: string }) => a.pubkey);
    const follows = envelope.snapshot.children[`session:${alice}`].snapshot.context.lists["3"];
    follows.data.count = 2; // the text holds one key
    const { manager, ready, report } = await restoreStored(envelope);
    expect(report).toMatchObject({ source: "snapshot", sessions: 2 });
    expect(manager.getSession(alice)!.followSet).toBeUndefined(); // restored without it: no relay has answered yet
    expect(manager.getSession(alice)!.relayList?.size).toBe(1);
    expect(manager.getSession(bob)!.profile).toMatchObject({ name: "bob" });
    await ready(alice);
    expect(manager.getSession(alice)!.followSet!.has(bob)).toBe(true);
  });

  it("a snapshot whose accounts are not the registry's falls back to the registry: no account is lost, bytes kept", async () => {
    const envelope = JSON.parse(valid);
    envelope.snapshot.context.pubkeys = []; // schema-valid, and would restore no session at all
    const { ready, report } = await restoreStored(envelope);
    expect(report).toMatchObject({ source: "registry", sessions: 2 });
    for (const account of envelope.registry.accounts) await ready(account.pubkey);
  });

  it("an envelope without its snapshot falls back to the registry, bytes kept", async () => {
    const { snapshot: _dropped, ...envelope } = JSON.parse(valid);
    const { ready, report } = await restoreStored(envelope);
    expect(report).toMatchObject({ source: "registry", sessions: 2 });
    for (const account of envelope.registry.accounts) await ready(account.pubkey);
  });
});

describe("FileStorage backups", () => {
  it("keep the exact bytes of a file that is not even valid UTF-8", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nse-bytes-"));
    fixture.defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "state.json");
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    writeFileSync(file, bytes);
    const storage = new FileStorage(file);
    const { manager } = managerFor(fixture.ndk, { storage, saveDebounceMs: 5 });
    fixture.defer(() => manager.destroy());
    const error = (await manager.restore().catch((e: unknown) => e)) as CorruptStorageError;
    expect(error).toBeInstanceOf(CorruptStorageError);
    await manager.login(NDKPrivateKeySigner.generate());
    await manager.persist();
    const backup = readdirSync(dir).find((name) => name.includes("backup"))!;
    expect(readFileSync(join(dir, backup)).equals(bytes)).toBe(true);
  });
});

describe("1,000 generated bad inputs", () => {
  it("restore() rejects only with typed errors, never loses the bytes, and the manager logs in afterwards", async () => {
    const ndk = new NDK({ explicitRelayUrls: [], enableOutboxModel: false, autoConnectUserRelays: false });
    const random = seeded(20261127);
    const secrets = Object.values(JSON.parse(valid).unsafeSecrets as Record<string, string>).map((p) => JSON.parse(p).payload as string);
    const logged: string[] = [];
    const spies = (["log", "warn", "error", "info", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" "))),
    );
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const [kind, text] = mutations(valid, random);
      const storage = await storageWith(text);
      const manager = new NDKSessionManager(ndk, { storage, saveDebounceMs: 1, timeouts: { fetchMs: 20, signerMs: 20 } });
      let source = "rejected";
      try {
        source = (await manager.restore()).source;
      } catch (error) {
        expect(error, `case ${i} (${kind})`).toBeInstanceOf(StorageError);
      }
      for (const session of manager.getSessions().values()) void session.followSet?.size;
      const pubkey = await manager.login(NDKPrivateKeySigner.generate(), { setActive: false });
      expect(manager.getSession(pubkey), `case ${i} (${kind})`).toBeDefined();
      await manager.persist().catch((error) => expect(error).toBeInstanceOf(StorageError));
      if (source !== "snapshot") {
        const kept = (await storage.getItem("state")) === text || (await backups(storage)).includes(text);
        expect(kept, `case ${i} (${kind}) lost its bytes`).toBe(true);
      }
      await manager.destroy();
      outcomes.set(`${kind}:${source}`, (outcomes.get(`${kind}:${source}`) ?? 0) + 1);
    }
    spies.forEach((spy) => spy.mockRestore());
    for (const secret of secrets) expect(logged.join("\n")).not.toContain(secret);
    console.log("fuzz outcomes", Object.fromEntries([...outcomes].sort()), `${logged.length} log lines, no secret in them`);
    expect([...outcomes.keys()].some((k) => k.endsWith(":rejected"))).toBe(true);
    expect([...outcomes.keys()].some((k) => k.endsWith(":registry"))).toBe(true);
  }, 120_000);
});
