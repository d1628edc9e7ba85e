import { afterAll, beforeAll, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { bytesToHex } from "@noble/hashes/utils";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { startBrowser, type BrowserHarness } from "../support/browser";
import { NDKPrivateKeySigner, withRelay } from "../support/env";
import { nip07InitScript } from "../support/nip07Script";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import type { EngineFixture } from "./fixtures/engineEntry";

// Signers in real Chromium: a NIP-07 session on a window.nostr backed by a real key, and private
// keys sealed with the browser's own non-extractable AES-GCM key kept in IndexedDB.
const entry = fileURLToPath(new URL("./fixtures/engineEntry.ts", import.meta.url));
const extensionKey = generateSecretKey();
const otherKey = bytesToHex(generateSecretKey());
let browser: BrowserHarness;
let relay: LoopbackRelay;

beforeAll(async () => {
  relay = await withRelay();
  browser = await startBrowser(entry);
  await browser.context.addInitScript({ content: await nip07InitScript(bytesToHex(extensionKey)) });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await relay?.close();
}, 30_000);

type Engine = { engine: EngineFixture; __nip07: { switchAccount(key: string): string } };
const start = (page: Page, name: string, sealing?: "auto") =>
  page.evaluate(({ url, name, sealing }) => (globalThis as unknown as Engine).engine.start(url, "forage", name, false, sealing), { url: relay.url, name, sealing });
const status = (page: Page, pubkey: string) => page.evaluate((pk) => (globalThis as unknown as Engine).engine.summary().sessions[pk]?.status, pubkey);
const until = (page: Page, check: string, arg: unknown) => page.waitForFunction(check, arg, { timeout: 5000 });
const focus = (page: Page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));

it("a NIP-07 session: ready through the extension, named state on another account, back on focus", async () => {
  const page = await browser.open();
  await start(page, "nip07");
  const pubkey = await page.evaluate(() => (globalThis as unknown as Engine).engine.loginWithExtension());
  expect(pubkey).toBe(getPublicKey(extensionKey));
  await until(page, "(pk) => globalThis.engine.summary().sessions[pk]?.status === 'ready'", pubkey);

  await page.evaluate((key) => (globalThis as unknown as Engine).__nip07.switchAccount(key), otherKey);
  await focus(page);
  await until(page, "(pk) => globalThis.engine.summary().sessions[pk]?.status === 'error'", pubkey);
  const failure = await page.evaluate((pk) => (globalThis as unknown as Engine).engine.manager().getSession(pk)?.failure?.code, pubkey);
  expect(failure).toBe("extension-other-account");

  await page.evaluate((key) => (globalThis as unknown as Engine).__nip07.switchAccount(key), bytesToHex(extensionKey));
  await focus(page);
  await until(page, "(pk) => globalThis.engine.summary().sessions[pk]?.status === 'ready'", pubkey);
  await page.close();
}, 60_000);

it("secrets: { key: 'auto' } seals keys with a non-extractable IndexedDB key; a reload signs again", async () => {
  const alice = NDKPrivateKeySigner.generate();
  const first = await browser.open();
  await start(first, "sealed", "auto");
  await first.evaluate(async (nsec) => {
    const { engine } = globalThis as unknown as Engine;
    await engine.manager().login(nsec);
    await engine.manager().persist();
  }, alice.nsec);
  const stored = (await first.evaluate(() => (globalThis as unknown as Engine).engine.storedState()))!;
  expect(stored).toContain('"aes-gcm"');
  expect(stored).not.toContain(alice.privateKey);
  expect(stored).not.toContain(alice.nsec);
  await first.close();

  const second = await browser.open();
  await start(second, "sealed", "auto");
  await second.evaluate(() => (globalThis as unknown as Engine).engine.manager().restore());
  await until(second, "(pk) => globalThis.engine.summary().sessions[pk]?.status === 'ready'", alice.pubkey);
  expect(await second.evaluate((pk) => (globalThis as unknown as Engine).engine.manager().isReadOnly(pk), alice.pubkey)).toBe(false);
  expect(await status(second, alice.pubkey)).toBe("ready");
  await second.close();
}, 60_000);
