// Issue 14 (fault row 8): a stored list damaged in a way the schema accepts is found before its
// refresh and replaced by the relay's copy, even though that copy has the same id.
import { afterEach, describe, expect, it, vi } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage } from "../../src";
import { sessionId } from "../../machines";

const fixture = useRelay();

afterEach(() => {
  vi.restoreAllMocks();
});

type StoredEntry = { id: string; createdAt: number; data: { packed: string; count: number }; sum?: string };
type Stored = { snapshot: { children: Record<string, { snapshot: { context: { lists: Record<string, StoredEntry> } } }> } };
const followsOf = (state: Stored, pubkey: string) => state.snapshot.children[sessionId(pubkey)]!.snapshot.context.lists["3"]!;

/** One bit flipped in the first character of the packed list (a letter's case): still a valid packed list of the same length. */
const flipBit = (packed: string) => String.fromCharCode(packed.charCodeAt(0) ^ 0x20) + packed.slice(1);

describe("damaged stored lists", () => {
  it("a bit flip in a packed follow list and a huge createdAt are found at the refresh, reported, and replaced by the relay's copies", async () => {
    const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
    const follows = new Map([alice, bob].map((user) => [user.pubkey, [0, 1, 2].map(() => NDKPrivateKeySigner.generate().pubkey)]));
    for (const user of [alice, bob]) await publish(fixture.ndk, user, { kind: 3, tags: follows.get(user.pubkey)!.map((p) => ["p", p]) });
    const source = new MemoryStorage();
    const first = managerFor(fixture.ndk, { storage: source, autoSave: false });
    await first.manager.login(alice);
    await first.manager.login(bob, { setActive: false });
    await first.ready(alice.pubkey);
    await first.ready(bob.pubkey);
    await first.manager.persist();
    await first.manager.destroy();

    const state = JSON.parse((await source.getItem("state"))!) as Stored;
    const genuine = structuredClone({ alice: followsOf(state, alice.pubkey), bob: followsOf(state, bob.pubkey) });
    expect(genuine.alice.data.packed[0]).toMatch(/[A-Za-z]/); // flipping its case is one bit, and stays in the alphabet
    followsOf(state, alice.pubkey).data.packed = flipBit(genuine.alice.data.packed);
    followsOf(state, bob.pubkey).createdAt = 9_999_999_999; // the year 2286: asked `since` it, the relay would send nothing
    const storage = new MemoryStorage();
    await storage.setItem("state", JSON.stringify(state));

    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
    const { manager } = managerFor(fixture.ndk, { storage, autoSave: false });
    fixture.defer(() => manager.destroy());
    // The flip may also leave the keys out of order, which the unpacking finds first (and keeps the bytes).
    expect(await manager.restore()).toMatchObject({ source: "snapshot", sessions: 2 });
    // Restored as stored (the check waits for the refresh, off the restore path): alice's follows are wrong until then.
    const has = (pubkey: string) => {
      const set = manager.getSession(pubkey)?.followSet;
      return set?.size === 3 && follows.get(pubkey)!.every((p) => set.has(p));
    };
    await eventually(() => has(alice.pubkey) && has(bob.pubkey), 5000, "both sessions with their genuine follows");
    await eventually(() => manager.getSession(alice.pubkey)?.status === "ready" && manager.getSession(bob.pubkey)?.status === "ready", 3000, "both ready");

    expect(warnings).toHaveLength(2);
    for (const pubkey of [alice.pubkey, bob.pubkey]) expect(warnings.some((w) => w.includes(pubkey) && w.includes("kind 3"))).toBe(true);
    // No secret in them: only public keys and kinds.
    for (const secret of [alice.privateKey!, bob.privateKey!]) expect(warnings.join("\n")).not.toContain(secret);

    // The stored entries are the genuine ones again, checksum included.
    await manager.persist();
    const restored = JSON.parse((await storage.getItem("state"))!) as Stored;
    expect(followsOf(restored, alice.pubkey)).toEqual(genuine.alice);
    expect(followsOf(restored, bob.pubkey)).toEqual(genuine.bob);
  });

  it("intact stored lists are not reported, and their refresh skips them by id", async () => {
    const alice = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", NDKPrivateKeySigner.generate().pubkey]] });
    const storage = new MemoryStorage();
    const first = managerFor(fixture.ndk, { storage, autoSave: false });
    await first.manager.login(alice);
    await first.ready(alice.pubkey);
    await first.manager.persist();
    await first.manager.destroy();
    const warn = vi.spyOn(console, "warn");
    const { manager, ready } = managerFor(fixture.ndk, { storage, autoSave: false });
    fixture.defer(() => manager.destroy());
    await manager.restore();
    await manager.refresh(alice.pubkey);
    await ready(alice.pubkey);
    expect(manager.getSession(alice.pubkey)?.followSet?.size).toBe(1);
    expect(warn).not.toHaveBeenCalled();
  });
});
