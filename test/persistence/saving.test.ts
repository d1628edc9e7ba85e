import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage, type SessionData, type SessionStorage } from "../../src";

const fixture = useRelay();

/** A real MemoryStorage that also records its writes and can be made slow. */
class RecordingStorage extends MemoryStorage {
  writes: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  override async setItem(key: string, value: string): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, this.delayMs));
    await super.setItem(key, value);
    this.writes.push(key);
    this.inFlight--;
  }
}

describe("saving", () => {
  it("auto-saves after the debounce, one write at a time, and only when something changed", async () => {
    const storage = new RecordingStorage();
    storage.delayMs = 20;
    const { manager, ready } = managerFor(fixture.ndk, { storage, saveDebounceMs: 30 });
    fixture.defer(() => manager.destroy());
    const signers = [0, 1, 2].map(() => NDKPrivateKeySigner.generate());
    for (const signer of signers) await manager.login(signer);
    for (const signer of signers) await ready(signer.pubkey);
    await eventually(() => storage.writes.length > 0, 2000, "an auto-save");
    await Promise.all([manager.persist(), manager.persist(), manager.persist()]);
    expect(storage.maxInFlight).toBe(1);
    const count = storage.writes.length;
    await manager.persist(); // nothing changed since
    expect(storage.writes.length).toBe(count);
    await manager.switchTo(signers[1]!.pubkey);
    await manager.persist();
    expect(storage.writes.length).toBe(count + 1);
    expect(JSON.parse((await storage.getItem("state"))!).registry.activePubkey).toBe(signers[1]!.pubkey);
  });

  it("destroy() writes a pending save, then nothing more", async () => {
    const storage = new RecordingStorage();
    const { manager } = managerFor(fixture.ndk, { storage, saveDebounceMs: 60_000 });
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await Promise.resolve();
    expect(storage.writes).toEqual([]);
    await manager.destroy();
    expect(storage.writes).toEqual(["state"]);
    expect(await storage.getItem("state")).toContain(alice.pubkey);
    await new Promise((r) => setTimeout(r, 50));
    expect(storage.writes).toEqual(["state"]);
  });

  it("clear() empties storage and memory, and auto-save does not write the sessions back", async () => {
    const storage = new RecordingStorage();
    const { manager } = managerFor(fixture.ndk, { storage, saveDebounceMs: 10 });
    fixture.defer(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await manager.persist();
    await manager.clear();
    expect(manager.getSessions().size).toBe(0);
    expect(await storage.getItem("state")).toBeNull();
    await new Promise((r) => setTimeout(r, 60));
    expect(await storage.getItem("state")).toBeNull();
    expect(fixture.ndk.signer).toBeUndefined();
  });

  it("a storage written for @nostr-dev-kit/sessions keeps accounts (no secrets) and restores them", async () => {
    let stored: SessionData = { sessions: new Map() };
    const peerStorage: SessionStorage = {
      save: async (sessions, activePubkey) => void (stored = { sessions: new Map(sessions), activePubkey }),
      load: async () => stored,
      clear: async () => void (stored = { sessions: new Map() }),
    };
    const first = managerFor(fixture.ndk, { storage: peerStorage, autoSave: false });
    const alice = NDKPrivateKeySigner.generate();
    const watcher = NDKPrivateKeySigner.generate().pubkey;
    await first.manager.login(alice);
    await first.manager.login(fixture.ndk.getUser({ pubkey: watcher }), { setActive: false });
    await first.manager.persist();
    await first.manager.destroy();
    expect(stored.activePubkey).toBe(alice.pubkey);
    expect(stored.sessions.get(alice.pubkey)).toMatchObject({ signerType: "private-key", signerPayload: undefined });
    expect(JSON.stringify([...stored.sessions])).not.toContain(alice.privateKey);

    const second = managerFor(fixture.ndk, { storage: peerStorage });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    expect([...second.manager.getSessions().keys()].sort()).toEqual([alice.pubkey, watcher].sort());
    expect(second.manager.activePubkey).toBe(alice.pubkey);
    await second.ready(watcher);
  });
});
