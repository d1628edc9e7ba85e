import { expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually } from "../support/env";
import { useRelay } from "../support/fixture";
import { activeSigner } from "../support/engine";
import { AuthManager, createSessionStore, PersistenceManager, type SessionData, type SessionStorage } from "../../src";

const fixture = useRelay();

it("createSessionStore, AuthManager and PersistenceManager work as the peer's did", async () => {
  const store = createSessionStore();
  expect(() => store.getState().switchToUser(null)).toThrow(expect.objectContaining({ name: "NDKNotInitializedError" }));
  store.getState().init(fixture.ndk);
  const seen: string[] = [];
  store.subscribe((state) => seen.push(state.activePubkey ?? "none"));

  const auth = new AuthManager(store.getState(), store.getState);
  const [alice, bob] = [0, 1].map(() => NDKPrivateKeySigner.generate());
  await auth.login(alice!);
  await auth.login(bob!, { setActive: false, follows: true });
  await eventually(() => store.getState().sessions.size === 2, 2000, "two sessions in the store");
  expect(store.getState().activePubkey).toBe(alice!.pubkey);
  await auth.switchTo(bob!.pubkey);
  await eventually(() => store.getState().activePubkey === bob!.pubkey, 2000, "switch seen by the store");
  expect(activeSigner(fixture.ndk)).toBe(bob);
  expect(seen).toContain(bob!.pubkey);

  // A custom storage written for @nostr-dev-kit/sessions: records in, records out.
  let stored: SessionData = { sessions: new Map() };
  const storage: SessionStorage = {
    save: async (sessions, activePubkey) => void (stored = { sessions: new Map(sessions), activePubkey }),
    load: async () => stored,
    clear: async () => void (stored = { sessions: new Map() }),
  };
  await expect(new PersistenceManager(undefined, store.getState).persist()).rejects.toMatchObject({ name: "StorageError" });
  const persistence = new PersistenceManager(storage, store.getState);
  await persistence.persist();
  expect((await storage.load()).activePubkey).toBe(bob!.pubkey);

  auth.logout(bob!.pubkey);
  auth.logout(alice!.pubkey);
  await eventually(() => store.getState().sessions.size === 0, 2000, "all logged out");
  expect(() => auth.logout()).toThrow(expect.objectContaining({ name: "NoActiveSessionError" }));
  await persistence.restore();
  await eventually(() => store.getState().sessions.size === 2, 2000, "restored");
  expect(store.getState().activePubkey).toBe(bob!.pubkey);
  await persistence.clear();
  expect((await storage.load()).sessions.size).toBe(0);
});
