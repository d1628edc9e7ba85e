import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { useBrowser } from "../support/browser";
import type { StorageFixture } from "./fixtures/storageEntry";

// LocalStorage and LocalForageStorage in real Chromium (the one npm installs, driven by playwright-core),
// bundled by esbuild from src/storage/ exactly as an app would import them.

const entry = fileURLToPath(new URL("./fixtures/storageEntry.ts", import.meta.url));
const pk = (c: string) => c.repeat(64);
const chromium = useBrowser(entry);

type Kind = "local" | "forage";

/** Runs the key-value contract on the page and returns what it saw (asserted here, in Node). */
const contract = (page: Page, kind: Kind, name: string) =>
  page.evaluate(
    async ({ kind, name }) => {
      const f = (globalThis as unknown as { fixture: StorageFixture }).fixture;
      const s = kind === "local" ? new f.LocalStorage(name) : new f.LocalForageStorage({ name });
      const backup = f.backupKey("corrupt", Date.UTC(2024, 0, 2, 3, 4, 5));
      const seen: Record<string, unknown> = { empty: await s.getItem(f.STATE_KEY), keysEmpty: await s.keys() };
      await s.setItem(f.STATE_KEY, '{"v":1}');
      await s.setItem(backup, "garbage \u0000 ünï 🔑");
      await s.setItem(f.STATE_KEY, '{"v":2}');
      Object.assign(seen, { state: await s.getItem(f.STATE_KEY), backup: await s.getItem(backup), keys: (await s.keys()).sort() });
      await s.removeItem(f.STATE_KEY);
      await s.removeItem("never-written");
      Object.assign(seen, { removed: await s.getItem(f.STATE_KEY), keysAfterRemove: await s.keys() });
      return { backup, seen };
    },
    { kind, name },
  );

const write = (page: Page, kind: Kind, name: string, key: string, value: string) =>
  page.evaluate(
    async ({ kind, name, key, value }) => {
      const f = (globalThis as unknown as { fixture: StorageFixture }).fixture;
      await (kind === "local" ? new f.LocalStorage(name) : new f.LocalForageStorage({ name })).setItem(key, value);
    },
    { kind, name, key, value },
  );

const read = (page: Page, kind: Kind, name: string, key: string) =>
  page.evaluate(
    async ({ kind, name, key }) => {
      const f = (globalThis as unknown as { fixture: StorageFixture }).fixture;
      const s = kind === "local" ? new f.LocalStorage(name) : new f.LocalForageStorage({ name });
      return { value: await s.getItem(key), keys: await s.keys() };
    },
    { kind, name, key },
  );

describe.each<Kind>(["local", "forage"])("%s storage in Chromium", (kind) => {
  it("sets, gets, removes and lists keys", async () => {
    const page = await chromium.browser.open();
    const { backup, seen } = await contract(page, kind, `contract-${kind}`);
    expect(seen).toEqual({
      empty: null,
      keysEmpty: [],
      state: '{"v":2}',
      backup: "garbage \u0000 ünï 🔑",
      keys: [backup, "state"].sort(),
      removed: null,
      keysAfterRemove: [backup],
    });
    // Another name on the same origin is another store.
    expect(await read(page, kind, `other-${kind}`, backup)).toEqual({ value: null, keys: [] });
    await page.close();
  });
});

describe.each<Kind>(["local", "forage"])("%s storage in Chromium, as the peer's SessionStorage", (kind) => {
  it("save(map, active), load() and clear() over the one state value", async () => {
    const page = await chromium.browser.open();
    const seen = await page.evaluate(
      async ({ kind, name, pubkey }) => {
        const f = (globalThis as unknown as { fixture: StorageFixture }).fixture;
        const s = kind === "local" ? new f.LocalStorage(name) : new f.LocalForageStorage({ name });
        const view = async () => {
          const { sessions, activePubkey, state } = await s.load();
          return { pubkeys: [...sessions.keys()], activePubkey, state: state === undefined ? undefined : JSON.parse(state).format };
        };
        const empty = await view();
        await s.save(new Map([[pubkey, { pubkey, lastActive: 1_700_000_000 }]]), pubkey);
        const saved = await view();
        const keys = await s.keys();
        await s.clear();
        return { empty, saved, keys, cleared: await view() };
      },
      { kind, name: `peer-${kind}`, pubkey: pk("e") },
    );
    expect(seen).toEqual({
      empty: { pubkeys: [], activePubkey: undefined, state: undefined },
      saved: { pubkeys: [pk("e")], activePubkey: pk("e"), state: "ndk-session-engine" },
      keys: ["state"],
      cleared: { pubkeys: [], activePubkey: undefined, state: undefined },
    });
    await page.close();
  });
});

describe("LocalStorage in Chromium", () => {
  it("keeps every key under its prefix in window.localStorage", async () => {
    const page = await chromium.browser.open();
    await write(page, "local", "app-one", "state", "one");
    const raw = await page.evaluate(() => ({ value: localStorage.getItem("app-one:state"), names: Object.keys(localStorage) }));
    expect(raw.value).toBe("one");
    expect(raw.names).toContain("app-one:state");
    expect(raw.names).not.toContain("state");
    await page.close();
  });

  it("legacy() finds what @nostr-dev-kit/sessions and the NDK React hooks left", async () => {
    const page = await chromium.browser.open();
    const peer = JSON.stringify(
      {
        sessions: [[pk("c"), { pubkey: pk("c"), signerPayload: '{"type":"nip07","payload":""}', lastActive: 1700000000, preferences: {} }]],
        activePubkey: pk("c"),
        version: 1,
        updatedAt: 1700000000000,
      },
      null,
      2,
    );
    const saved = JSON.stringify([{ pubkey: pk("d"), signerPayload: '{"type":"nip07","payload":""}', lastActive: 1700000000 }]);
    const found = await page.evaluate(
      async ({ peer, saved, active }) => {
        const f = (globalThis as unknown as { fixture: StorageFixture }).fixture;
        const storage = new f.LocalStorage();
        const legacy = () => storage.legacy();
        for (const name of ["ndk-sessions", "ndk-saved-sessions", "ndk-active-pubkey"]) localStorage.removeItem(name);
        const nothing = await legacy();
        localStorage.setItem("ndk-active-pubkey", active);
        const activeOnly = await legacy();
        localStorage.setItem("ndk-saved-sessions", saved);
        const reactHooks = await legacy();
        localStorage.setItem("ndk-sessions", peer);
        const all = await legacy();
        return { nothing, activeOnly, reactHooks, all, keys: await storage.keys() };
      },
      { peer, saved, active: pk("d") },
    );
    expect(found.nothing).toBeUndefined();
    expect(found.activeOnly).toBeUndefined(); // an active pubkey without sessions is no account to import
    expect(found.reactHooks).toEqual({ savedSessions: saved, activePubkey: pk("d") });
    expect(found.all).toEqual({ sessions: peer, savedSessions: saved, activePubkey: pk("d") });
    expect(found.keys).not.toContain("ndk-sessions"); // the peer's values are not our keys
    await page.close();
  });
});

describe("LocalForageStorage in Chromium", () => {
  it("keeps its data in IndexedDB, not in localStorage", async () => {
    const page = await chromium.browser.open();
    await write(page, "forage", "nse-idb", "state", '{"in":"indexeddb"}');
    const found = await page.evaluate(async () => {
      const databases = (await indexedDB.databases()).map((db) => db.name);
      const raw = await new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open("nse-idb");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const stores = Array.from(db.objectStoreNames);
          const get = db.transaction("keyvaluepairs", "readonly").objectStore("keyvaluepairs").get("state");
          get.onsuccess = () => resolve({ stores, value: get.result });
          get.onerror = () => reject(get.error);
        };
      });
      return { databases, raw, localStorageNames: Object.keys(localStorage).filter((name) => name.includes("nse-idb")) };
    });
    expect(found.databases).toContain("nse-idb");
    // localforage's own object store (it also adds a small one to detect Blob support).
    expect(found.raw).toEqual({ stores: expect.arrayContaining(["keyvaluepairs"]), value: '{"in":"indexeddb"}' });
    expect(found.localStorageNames).toEqual([]);
    await page.close();
  });
});

describe("one origin, several pages", () => {
  it.each<Kind>(["local", "forage"])("%s: data survives a reload, a new page and a browser restart", async (kind) => {
    const name = `persist-${kind}`;
    let page = await chromium.browser.open();
    await write(page, kind, name, "state", `kept by ${kind}`);
    await page.reload();
    await page.waitForFunction(() => (globalThis as { __fixtureReady?: boolean }).__fixtureReady === true);
    expect((await read(page, kind, name, "state")).value).toBe(`kept by ${kind}`);
    await page.close();
    page = await chromium.browser.open();
    expect(await read(page, kind, name, "state")).toEqual({ value: `kept by ${kind}`, keys: ["state"] });
    await chromium.browser.relaunch();
    page = await chromium.browser.open();
    expect(await read(page, kind, name, "state")).toEqual({ value: `kept by ${kind}`, keys: ["state"] });
    await page.close();
  }, 60_000);

  it.each<Kind>(["local", "forage"])("%s: two open pages see each other's writes and removals", async (kind) => {
    const name = `tabs-${kind}`;
    const [a, b] = [await chromium.browser.open(), await chromium.browser.open()];
    // IndexedDB: a committed write is visible to the other page at once. localStorage: Chromium
    // hands a write to other pages asynchronously (a read right after it is stale ~1 % of the time,
    // and a BroadcastChannel message can overtake it), so that page gets a bounded wait.
    const sees = async (page: Page, key: string, expected: unknown) => {
      if (kind === "forage") return expect(await read(page, kind, name, key)).toEqual(expected);
      await expect.poll(() => read(page, kind, name, key), { timeout: 2_000, interval: 10 }).toEqual(expected);
    };
    await write(a, kind, name, "state", "from A");
    await sees(b, "state", { value: "from A", keys: ["state"] });
    await write(b, kind, name, "state", "from B");
    await write(b, kind, name, "registry", "B's registry");
    await sees(a, "state", { value: "from B", keys: expect.arrayContaining(["state", "registry"]) });
    await b.evaluate(
      async ({ kind, name }) => {
        const f = (globalThis as unknown as { fixture: StorageFixture }).fixture;
        await (kind === "local" ? new f.LocalStorage(name) : new f.LocalForageStorage({ name })).removeItem("state");
      },
      { kind, name },
    );
    await sees(a, "state", { value: null, keys: ["registry"] });
    await Promise.all([a.close(), b.close()]);
  });

  it("a LocalStorage write in one page fires a storage event in the other", async () => {
    const [a, b] = [await chromium.browser.open(), await chromium.browser.open()];
    await b.evaluate(() => {
      const seen: { key: string | null; newValue: string | null }[] = [];
      Object.assign(globalThis, { seen });
      addEventListener("storage", (event) => seen.push({ key: event.key, newValue: event.newValue }));
    });
    await write(a, "local", "events", "state", "announced");
    await b.waitForFunction(() => (globalThis as unknown as { seen: unknown[] }).seen.length > 0, undefined, { timeout: 5_000 });
    expect(await b.evaluate(() => (globalThis as unknown as { seen: unknown[] }).seen)).toEqual([{ key: "events:state", newValue: "announced" }]);
    await Promise.all([a.close(), b.close()]);
  });
});
