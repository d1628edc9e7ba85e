import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import NDK from "@nostr-dev-kit/ndk";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { FileStorage, MemoryStorage, type LegacyData } from "../../src";
import { CURRENT_VERSION } from "../../src/persistence/envelope";
import { readEnvelope } from "../../src/persistence/load";
import { MIGRATIONS, migrate } from "../../src/persistence/migrations";
import { PubkeySet, type PackedPubkeys } from "../../src/lists/packedPubkeys";

const fixture = useRelay();
const golden = (version: number) => readFileSync(new URL(`../fixtures/state-v${version}.json`, import.meta.url), "utf8");

describe("format versions", () => {
  it("every released version has a golden fixture that still reads and restores", async () => {
    for (let version = 1; version <= CURRENT_VERSION; version++) {
      const outcome = readEnvelope(golden(version));
      expect(outcome.kind, `state-v${version}.json`).toBe("ok");
      expect(outcome.kind === "ok" && outcome.snapshot, `state-v${version}.json snapshot`).toBeTruthy();
    }
    const stored = JSON.parse(golden(CURRENT_VERSION));
    const storage = new MemoryStorage();
    await storage.setItem("state", golden(CURRENT_VERSION));
    const offline = new NDK({ explicitRelayUrls: [], enableOutboxModel: false, autoConnectUserRelays: false });
    const { manager } = managerFor(offline, { storage, autoSave: false, timeouts: { fetchMs: 50, signerMs: 50 } });
    fixture.defer(() => manager.destroy());
    const report = await manager.restore();
    expect(report).toEqual({ source: "snapshot", sessions: 2 });
    const [alice, watcher] = stored.registry.accounts.map((a: { pubkey: string }) => a.pubkey);
    expect(manager.getSession(alice)!.followSet!.size).toBe(3);
    expect(manager.getSession(alice)!.mutedHashtags).toEqual(new Set(["nsfw"]));
    expect(manager.getSession(alice)!.profile?.name).toBe("alice");
    expect(manager.activePubkey).toBe(alice);
    expect(manager.getSession(watcher)).toBeDefined();
  });

  it("version 2's follow lists (a 43-character text per key, in text order) migrate to the same keys", () => {
    const v2 = JSON.parse(golden(2));
    const outcome = readEnvelope(golden(2));
    expect(outcome.kind === "ok" && outcome.snapshot).toBeTruthy();
    if (outcome.kind !== "ok" || !outcome.snapshot) return;
    let lists = 0;
    for (const [id, child] of Object.entries(v2.snapshot.children as Record<string, { snapshot: { context: { pubkey: string; lists: Record<string, { data: { packed: string } }> } } }>)) {
      const stored = child.snapshot.context?.lists["3"];
      if (!stored) continue;
      lists++;
      const keys = stored.data.packed.match(/.{43}/g)!.map((text) => Buffer.from(text, "base64url").toString("hex"));
      const unpacked = outcome.snapshot.sessions[child.snapshot.context.pubkey]!.context.lists["3"]!.data as PackedPubkeys;
      expect(new Set(new PubkeySet(unpacked)), id).toEqual(new Set(keys));
    }
    expect(lists).toBeGreaterThan(0);
  });

  it("migrations run in order from any older version, and a missing step makes the data unreadable", () => {
    const v1 = JSON.parse(golden(1));
    const applied: number[] = [];
    const real = { ...MIGRATIONS };
    MIGRATIONS[1] = (e) => (applied.push(1), { ...e, stepOne: true });
    MIGRATIONS[2] = (e) => (applied.push(2), { ...e, stepTwo: (e as { stepOne?: boolean }).stepOne === true });
    try {
      const migrated = migrate(v1, 3);
      expect(applied).toEqual([1, 2]);
      expect(migrated).toMatchObject({ version: 3, stepOne: true, stepTwo: true });
      delete MIGRATIONS[2];
      expect(() => migrate(v1, 3)).toThrow("no migration from version 2");
    } finally {
      for (const step of Object.keys(MIGRATIONS)) delete MIGRATIONS[Number(step)];
      Object.assign(MIGRATIONS, real);
    }
  });
});

describe("import from @nostr-dev-kit/sessions", () => {
  it("reads its .ndk-sessions.json, keeps its accounts and key, and leaves its file alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nse-peer-"));
    fixture.defer(() => rmSync(dir, { recursive: true, force: true }));
    const alice = NDKPrivateKeySigner.generate();
    const bob = NDKPrivateKeySigner.generate().pubkey;
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", bob]] });
    const peerFile = join(dir, ".ndk-sessions.json");
    const peerText = readFileSync(new URL("../fixtures/peer-ndk-sessions.json", import.meta.url), "utf8")
      .replaceAll("PUBKEY_A", alice.pubkey)
      .replaceAll("PUBKEY_B", bob)
      .replaceAll("SECRET_A", alice.privateKey);
    writeFileSync(peerFile, peerText);
    const ours = join(dir, ".ndk-session-engine.json");
    const { manager, ready } = managerFor(fixture.ndk, { storage: new FileStorage(ours), saveDebounceMs: 10 });
    fixture.defer(() => manager.destroy());
    const report = await manager.restore();
    expect(report).toEqual({ source: "legacy", sessions: 2 });
    expect(manager.activePubkey).toBe(alice.pubkey);
    await ready(alice.pubkey);
    expect(manager.isReadOnly(alice.pubkey)).toBe(false);
    expect(manager.getSession(alice.pubkey)!.followSet!.has(bob)).toBe(true);
    expect(manager.getSession(alice.pubkey)!.lastActive).toBe(1764200000);
    await eventually(() => readFileSync(ours, { encoding: "utf8", flag: "a+" }).includes(alice.pubkey), 2000, "our own file");
    expect(readFileSync(ours, "utf8")).not.toContain(alice.privateKey);
    expect(readFileSync(peerFile, "utf8")).toBe(peerText);
  });

  it("reads the older NDK React keys (ndk-saved-sessions, ndk-active-pubkey)", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const watcher = NDKPrivateKeySigner.generate().pubkey;
    class WithLegacy extends MemoryStorage {
      async legacy(): Promise<LegacyData> {
        return {
          savedSessions: JSON.stringify([{ pubkey: watcher }, { pubkey: alice.pubkey, signerPayload: JSON.stringify({ type: "private-key", payload: alice.privateKey }) }]),
          activePubkey: alice.pubkey,
        };
      }
    }
    const { manager, ready } = managerFor(fixture.ndk, { storage: new WithLegacy(), autoSave: false });
    fixture.defer(() => manager.destroy());
    expect(await manager.restore()).toEqual({ source: "legacy", sessions: 2 });
    expect(manager.activePubkey).toBe(alice.pubkey);
    expect(fixture.ndk.signer?.pubkey).toBe(alice.pubkey);
    await ready(watcher);
    expect(manager.isReadOnly(watcher)).toBe(true);
  });
});

