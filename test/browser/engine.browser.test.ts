import { afterAll, beforeAll, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { startBrowser, type BrowserHarness } from "../support/browser";
import { connectedNdk, disconnect, NDKPrivateKeySigner, publish, withRelay } from "../support/env";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import type { EngineFixture } from "./fixtures/engineEntry";

// The engine in real Chromium: LocalForageStorage (IndexedDB) across reloads, and two tabs of one origin in step.
const entry = fileURLToPath(new URL("./fixtures/engineEntry.ts", import.meta.url));
let browser: BrowserHarness;
let relay: LoopbackRelay;

beforeAll(async () => {
  relay = await withRelay();
  browser = await startBrowser(entry);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await relay?.close();
}, 30_000);

type Engine = { engine: EngineFixture };
const start = (page: Page, name: string, storage: "forage" | "local" = "forage", noChannel = false) =>
  page.evaluate(({ url, name, storage, noChannel }) => (globalThis as unknown as Engine).engine.start(url, storage, name, noChannel), {
    url: relay.url,
    name,
    storage,
    noChannel,
  });
const summary = (page: Page) => page.evaluate(() => (globalThis as unknown as Engine).engine.summary());
const until = (page: Page, check: string, arg: unknown) => page.waitForFunction(check, arg, { timeout: 5000 });

/** Logs `pubkey` in on tab `a`; ms until tab `b` has the session (both clocks are this machine's). */
async function loginLatency(a: Page, b: Page, pubkey: string, transport: string): Promise<number> {
  const loggedInAt = await a.evaluate(async (pk) => {
    const { engine } = globalThis as unknown as Engine;
    const at = Date.now();
    await engine.manager().login(engine.user(pk));
    return at;
  }, pubkey);
  await until(b, "(pk) => globalThis.engine.seenAt[pk] !== undefined", pubkey);
  const latency = (await b.evaluate((pk) => (globalThis as unknown as Engine).engine.seenAt[pk]!, pubkey)) - loggedInAt;
  console.log(`cross-tab login latency over ${transport}: ${latency} ms`);
  return latency;
}

async function accountWithFollows(count: number) {
  const ndk = await connectedNdk([relay.url]);
  const signer = NDKPrivateKeySigner.generate();
  await publish(ndk, signer, { kind: 3, tags: Array.from({ length: count }, () => ["p", NDKPrivateKeySigner.generate().pubkey]) });
  disconnect(ndk);
  return signer;
}

it("LocalForageStorage keeps sessions with their lists across a reload (IndexedDB)", async () => {
  const alice = await accountWithFollows(4);
  const first = await browser.open();
  await start(first, "reload");
  await first.evaluate(async (pubkey) => {
    const { engine } = globalThis as unknown as Engine;
    await engine.manager().login(engine.user(pubkey));
  }, alice.pubkey);
  await until(first, "(pk) => globalThis.engine.summary().sessions[pk]?.follows === 4", alice.pubkey);
  await first.evaluate(() => (globalThis as unknown as Engine).engine.manager().destroy());
  await first.close();

  const second = await browser.open();
  await start(second, "reload");
  const report = await second.evaluate(async () => {
    const { engine } = globalThis as unknown as Engine;
    const restored = await engine.manager().restore();
    return { restored, now: engine.summary() };
  });
  expect(report.restored).toEqual({ source: "snapshot", sessions: 1 });
  expect(report.now.active).toBe(alice.pubkey);
  expect(report.now.sessions[alice.pubkey]?.follows).toBe(4); // before any relay answered
  await second.close();
}, 60_000);

it("two tabs: logins, switches and logouts reach the other within 100 ms; concurrent logins both survive", async () => {
  const [a, b] = [await browser.open(), await browser.open()];
  await start(a, "tabs");
  await start(b, "tabs");
  const [x, y] = [NDKPrivateKeySigner.generate().pubkey, NDKPrivateKeySigner.generate().pubkey];

  expect(await loginLatency(a, b, x, "BroadcastChannel")).toBeLessThan(100);

  // Both tabs add a different account at the same moment.
  const z = NDKPrivateKeySigner.generate().pubkey;
  await Promise.all([
    a.evaluate((pk) => (globalThis as unknown as Engine).engine.manager().login((globalThis as unknown as Engine).engine.user(pk), { setActive: false }), y),
    b.evaluate((pk) => (globalThis as unknown as Engine).engine.manager().login((globalThis as unknown as Engine).engine.user(pk), { setActive: false }), z),
  ]);
  for (const page of [a, b]) await until(page, "(n) => Object.keys(globalThis.engine.summary().sessions).length === n", 3);

  await b.evaluate((pk) => (globalThis as unknown as Engine).engine.manager().switchTo(pk), y);
  await until(a, "(pk) => globalThis.engine.summary().active === pk", y);
  await a.evaluate((pk) => (globalThis as unknown as Engine).engine.manager().logout(pk), x);
  await until(b, "(pk) => !(pk in globalThis.engine.summary().sessions)", x);

  // What is stored holds both concurrent logins: a third tab restores them.
  await a.evaluate(() => (globalThis as unknown as Engine).engine.manager().persist());
  await b.evaluate(() => (globalThis as unknown as Engine).engine.manager().persist());
  const c = await browser.open();
  await start(c, "tabs");
  await c.evaluate(() => (globalThis as unknown as Engine).engine.manager().restore());
  expect(Object.keys((await summary(c)).sessions).sort()).toEqual([y, z].sort());
  for (const page of [a, b, c]) await page.close();
}, 60_000);

it("without BroadcastChannel, LocalStorage tabs stay in step through storage events", async () => {
  const [a, b] = [await browser.open(), await browser.open()];
  await start(a, "fallback", "local", true);
  await start(b, "fallback", "local", true);
  expect(await a.evaluate(() => typeof (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel)).toBe("undefined");
  const x = NDKPrivateKeySigner.generate().pubkey;
  expect(await loginLatency(a, b, x, "storage events")).toBeLessThan(100);
  await a.evaluate((pk) => (globalThis as unknown as Engine).engine.manager().logout(pk), x);
  await until(b, "(pk) => !(pk in globalThis.engine.summary().sessions)", x);
  for (const page of [a, b]) await page.close();
}, 60_000);
