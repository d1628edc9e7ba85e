import { expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { generateSecretKey, getPublicKey, verifyEvent, type NostrEvent } from "nostr-tools/pure";
import { bytesToHex } from "nostr-tools/utils";
import { useBrowser, within } from "../support/browser";
import { nip07InitScript, type Nip07Page } from "../support/nip07Script";
import type { Nip07Fixture } from "./fixtures/nip07Entry";

// The NIP-07 effects in real Chromium, with a `window.nostr` put on the page by an init script
// (before any page script, as an extension's content script) and backed by a real key.
const entry = fileURLToPath(new URL("./fixtures/nip07Entry.ts", import.meta.url));
const alice = generateSecretKey();
const bob = generateSecretKey();
const [alicePub, bobPub] = [getPublicKey(alice), getPublicKey(bob)];
const chromium = useBrowser(entry);

type Fixture = { nip07: Nip07Fixture } & Nip07Page;

/** A new tab on the fixture page; with `secretKey`, the fake extension is installed by `page.addInitScript`. */
async function open(secretKey?: Uint8Array): Promise<Page> {
  const page = await within(15_000, "opening a page", chromium.browser.context.newPage());
  page.setDefaultTimeout(10_000);
  if (secretKey) await page.addInitScript({ content: await nip07InitScript(bytesToHex(secretKey)) });
  await page.goto(`${chromium.browser.origin}/`);
  await page.waitForFunction(() => (globalThis as { __fixtureReady?: boolean }).__fixtureReady === true);
  return page;
}

const check = (page: Page, pubkey: string, timeoutMs = 1000) =>
  page.evaluate(({ pubkey, timeoutMs }) => (globalThis as unknown as Fixture).nip07.check(pubkey, timeoutMs), { pubkey, timeoutMs });
const returns = (page: Page) => page.evaluate(() => (globalThis as unknown as Fixture).nip07.returns);
const events = (page: Page) => page.evaluate(() => (globalThis as unknown as Fixture).nip07.events);

it("checkExtension in Chromium: ok, other-account after the extension switches account, missing without one", async () => {
  const page = await open(alice);
  expect(await page.evaluate(() => (globalThis as unknown as Fixture).nip07.nostrAtStart)).toBe(true);
  expect(await check(page, alicePub)).toEqual({ status: "ok" });

  await page.evaluate((sk) => (globalThis as unknown as Fixture).__nip07.switchAccount(sk), bytesToHex(bob));
  expect(await check(page, alicePub)).toEqual({ status: "other-account", pubkey: bobPub });
  expect(await page.evaluate(() => (globalThis as unknown as Fixture).__nip07.calls.getPublicKey)).toBe(2);

  const bare = await open();
  expect(await bare.evaluate(() => typeof (window as { nostr?: unknown }).nostr)).toBe("undefined");
  expect(await check(bare, alicePub, 200)).toEqual({ status: "missing" });
  await bare.close();
  await page.close();
}, 30_000);

it("watchFocus fires on a real focus return (focus leaves the page for a frame and comes back); visibilitychange by dispatch", async () => {
  const a = await open(alice);
  // Headless Chromium keeps every tab focused, and the headless shell npm installs never moves focus
  // between tabs; moving it into a frame and back makes the window itself lose and regain focus.
  const session = await chromium.browser.context.newCDPSession(a);
  await session.send("Emulation.setFocusEmulationEnabled", { enabled: false });
  await a.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<input id="outside"><iframe srcdoc="<input id=inside>"></iframe>'));
  await a.waitForFunction(() => document.querySelector("iframe")?.contentDocument?.getElementById("inside") !== null);
  const frame = a.frames().find((f) => f !== a.mainFrame())!;
  const leave = () => frame.locator("#inside").focus();
  const come = () => a.locator("#outside").focus();
  await come();
  await a.evaluate(() => (globalThis as unknown as Fixture).nip07.watch());
  const before = (await events(a)).length; // the set-up's own blur/focus are not counted

  await leave();
  await a.waitForFunction((n) => (globalThis as unknown as Fixture).nip07.events.length > n, before);
  expect(await returns(a)).toBe(0); // losing focus is not a return
  await come();
  await a.waitForFunction(() => (globalThis as unknown as Fixture).nip07.returns >= 1);
  const seen = (await events(a)).slice(before);
  expect(seen.map((e) => e.type)).toEqual(["blur", "focus"]);
  expect(seen.at(-1)).toEqual({ type: "focus", visibilityState: "visible", hasFocus: true });
  expect(await returns(a)).toBe(1);

  // Headless Chromium keeps every tab "visible" (tab switches, background tabs, minimised windows
  // change nothing), so the visibility path gets the real event type with visibilityState overridden.
  const dispatch = (state: string) =>
    a.evaluate((state) => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      document.dispatchEvent(new Event("visibilitychange"));
      delete (document as { visibilityState?: string }).visibilityState; // back to Chromium's own getter
    }, state);
  await dispatch("hidden");
  expect(await returns(a)).toBe(1);
  await dispatch("visible");
  expect(await returns(a)).toBe(2);

  // After cleanup neither a real focus return nor a visibilitychange calls back.
  await a.evaluate(() => (globalThis as unknown as Fixture).nip07.unwatch());
  await leave();
  await come();
  await a.waitForFunction((n) => (globalThis as unknown as Fixture).nip07.events.slice(n).filter((e) => e.type === "focus").length >= 2, before);
  await dispatch("visible");
  expect((await events(a)).slice(before).filter((e) => e.type === "focus")).toHaveLength(2);
  expect(await returns(a)).toBe(2);

  await session.detach();
  await a.close();
}, 30_000);

it("NDKNip07Signer in the page signs a kind-1 event through window.nostr that verifies", async () => {
  const page = await open(alice);
  const { signerPubkey, event } = await page.evaluate(() => (globalThis as unknown as Fixture).nip07.sign("hello from Chromium"));
  expect(signerPubkey).toBe(alicePub);
  expect(event).toMatchObject({ kind: 1, content: "hello from Chromium", pubkey: alicePub });
  expect(verifyEvent(event as NostrEvent)).toBe(true); // a fresh object from JSON: nothing cached
  expect(await page.evaluate(() => (globalThis as unknown as Fixture).__nip07.calls.signEvent)).toBe(1);
  await page.close();
}, 30_000);
