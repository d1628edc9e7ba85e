import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { startBrowserAt, within, type BrowserHarness } from "../support/browser";
import { nip07InitScript } from "../support/nip07Script";
import { startBrowserDemo, type BrowserDemo } from "../../src/demo/browser/server";

// `npm run demo` end to end in real Chromium: the demo's own server (loopback relay, NIP-46 bunker,
// bundled React page), driven as a person would, across a reload and a second tab.
const ARTIFACTS = join(process.cwd(), "test-artifacts", "demo");
const WAIT_MS = 10_000;
let demo: BrowserDemo;
let browser: BrowserHarness;
const pageErrors: string[] = [];
const offLoopback: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  demo = await within(30_000, "starting the demo server", startBrowserDemo());
  browser = await startBrowserAt(demo.url.replace(/\/$/, ""));
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
}, 30_000);

interface Row {
  pubkey: string;
  active: boolean;
  name: string;
  follows: string;
  mutes: string;
  relays: string;
  status: string;
  signer: string;
}

/** The account list as the page shows it. */
const rows = (page: Page): Promise<Row[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("[data-testid=account]")].map((li) => {
      const text = (field: string) => li.querySelector(`[data-field=${field}]`)?.textContent ?? "";
      const [name, follows, mutes, relays, status, signer] = ["name", "follows", "mutes", "relays", "status", "signer"].map(text);
      return { pubkey: li.dataset.pubkey!, active: li.dataset.active === "true", name: name!, follows: follows!, mutes: mutes!, relays: relays!, status: status!, signer: signer! };
    }),
  );

/** Polls the list until `check` holds (bounded); the failure names the step and shows the last list. */
async function until(page: Page, what: string, check: (rows: Row[]) => boolean, timeoutMs = WAIT_MS): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  let last: Row[] = [];
  while (Date.now() < deadline) {
    last = await rows(page);
    if (check(last)) return last;
    await page.waitForTimeout(50);
  }
  const error = await page.locator("[data-testid=error]").textContent();
  throw new Error(`${what}: not within ${timeoutMs} ms; list ${JSON.stringify(last)}; error line "${error}"`);
}

const row = (page: Page, pubkey: string) => page.locator(`[data-testid=account][data-pubkey="${pubkey}"]`);
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const activeOf = (list: Row[]) => list.find((r) => r.active)?.name;

/** Stands in for https://stately.ai/inspect: announces itself as the real one does and keeps what it is sent. */
const INSPECTOR_STUB = `<!doctype html><title>inspector stand-in</title><script>
  window.received = [];
  addEventListener("message", (e) => window.received.push(e.data));
  window.opener.postMessage({ type: "@statelyai.connected" }, "*");
</script>`;

/** Opens the demo page, recording page errors and any traffic that is not to 127.0.0.1. */
async function openDemo(): Promise<Page> {
  const page = await browser.open("/");
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("request", (request) => void (request.url().startsWith("http://127.0.0.1:") || offLoopback.push(request.url())));
  page.on("websocket", (socket) => void (socket.url().startsWith("ws://127.0.0.1:") || offLoopback.push(socket.url())));
  await page.locator("[data-testid=relay-status][data-up=true]").waitFor({ timeout: WAIT_MS });
  return page;
}

it("logs in by key, bunker and npub, switches, restores after a reload, keeps a second tab in step, locks, logs in by NIP-07, logs out", async () => {
  const { accounts, ncryptsec } = demo.config;
  const alice = accounts.find((a) => a.offeredAs === "bunker")!;
  const bob = accounts.find((a) => a.offeredAs === "npub")!;
  const carol = accounts.find((a) => a.offeredAs === "ncryptsec")!;
  const page = await openDemo();
  await page.locator("[data-testid=no-accounts]").waitFor();
  await shot(page, "01-start");

  // A generated key: createAccount publishes its profile, relay list and follows (the three demo accounts).
  await page.locator("[data-testid=login-generate] button").click();
  const [guest] = await until(page, "the generated account", (l) => l.length === 1 && l[0]!.status === "ready" && l[0]!.signer === "ready");
  expect(guest).toMatchObject({ active: true, follows: "3", mutes: "0", relays: "1" });
  expect(guest!.name).toMatch(/^guest-[0-9a-f]+$/);

  // The demo's bunker (URI pre-filled): alice signs remotely; then bob by npub, read-only. Each login becomes active.
  await page.locator("[data-testid=login-bunker] button[type=submit]").click();
  await until(page, "alice through the bunker", (l) => l.some((r) => r.pubkey === alice.pubkey && r.status === "ready" && r.signer === "ready"));
  await page.locator("[data-testid=login-npub] button", { hasText: bob.name }).click();
  await page.locator("[data-testid=login-npub] button[type=submit]").click();
  const three = await until(page, "bob read-only", (l) => l.length === 3 && l.some((r) => r.pubkey === bob.pubkey && r.status === "ready"));
  const expected = {
    [guest!.pubkey]: { name: guest!.name, follows: "3", mutes: "0", relays: "1", signer: "ready" },
    [alice.pubkey]: { name: "alice", follows: "42", mutes: "4", relays: "2", signer: "ready" },
    [bob.pubkey]: { name: "bob", follows: "12", mutes: "4", relays: "2", signer: "readOnly" },
  };
  for (const r of three) expect(r).toMatchObject(expected[r.pubkey]!);
  expect(activeOf(three)).toBe("bob");
  await shot(page, "02-three-accounts");

  // Switch to the generated account; alice's statechart shows her current states lit.
  await row(page, guest!.pubkey).getByRole("button", { name: "Switch" }).click();
  await until(page, "the switch to the guest", (l) => activeOf(l) === guest!.name);
  await row(page, alice.pubkey).getByRole("button", { name: "Statechart" }).click();
  const chart = row(page, alice.pubkey).locator("[data-testid=statechart]");
  await chart.locator("svg").waitFor();
  const lit = await chart.evaluate((figure) =>
    [...figure.querySelectorAll("g.current > title")].map((t) => t.textContent).sort(),
  );
  expect(lit).toEqual(["cluster_lists", "cluster_lists_live", "cluster_signer", "cluster_writes", "lists_live_ready", "signer_ready", "writes_idle"]);
  await shot(page, "03-statechart");

  // The inspector button opens stately.ai/inspect; here a local stand-in answers it (nothing leaves
  // the machine), says "connected" as the real one does, and receives every live actor, replayed.
  await browser.context.route("https://stately.ai/**", (route) => route.fulfill({ contentType: "text/html", body: INSPECTOR_STUB }));
  const [inspectorWindow] = await Promise.all([browser.context.waitForEvent("page", { timeout: WAIT_MS }), page.locator("[data-testid=open-inspector]").click()]);
  expect(inspectorWindow.url()).toMatch(/^https:\/\/stately\.ai\/inspect/);
  const received = () => inspectorWindow.evaluate(() => (window as unknown as { received: Array<{ type: string; name?: string }> }).received);
  await inspectorWindow.waitForFunction(() => (window as unknown as { received: Array<{ type: string; name?: string }> }).received.filter((e) => e.type === "@xstate.actor" && e.name?.startsWith("session:")).length >= 3, undefined, { timeout: WAIT_MS });
  const names = (await received()).filter((e) => e.type === "@xstate.actor").map((e) => e.name);
  expect(names).toEqual(expect.arrayContaining(["manager", ...[guest!.pubkey, alice.pubkey, bob.pubkey].map((pk) => `session:${pk}`)]));
  // A switch after the window opened reaches it live.
  const heard = (await received()).length;
  await row(page, bob.pubkey).getByRole("button", { name: "Switch" }).click();
  await inspectorWindow.waitForFunction((n) => (window as unknown as { received: Array<{ type: string; event?: { type?: string } }> }).received.slice(n).some((e) => e.type === "@xstate.event" && e.event?.type === "account.switch"), heard, { timeout: WAIT_MS });
  await inspectorWindow.close();
  await row(page, guest!.pubkey).getByRole("button", { name: "Switch" }).click();
  await until(page, "the switch back to the guest", (l) => activeOf(l) === guest!.name);

  // Reload: the sessions come back from localStorage with their lists; keys sealed in IndexedDB sign again.
  // The last save landed (the switch back to the guest included) before the page goes.
  await page.waitForFunction(
    ([active, pks]) =>
      Object.keys(localStorage).some((k) => {
        if (!k.endsWith(":state")) return false;
        const text = localStorage.getItem(k)!;
        return pks.every((pk) => text.includes(pk)) && (JSON.parse(text) as { registry?: { activePubkey?: string } }).registry?.activePubkey === active;
      }),
    [guest!.pubkey, [guest!.pubkey, alice.pubkey, bob.pubkey]] as const,
    { timeout: WAIT_MS },
  );
  await page.reload();
  await page.locator("[data-testid=relay-status][data-up=true]").waitFor({ timeout: WAIT_MS });
  const restored = await until(page, "the restore after a reload", (l) => l.length === 3 && l.every((r) => r.status === "ready" && r.signer === expected[r.pubkey]?.signer));
  for (const r of restored) expect(r).toMatchObject(expected[r.pubkey]!);
  expect(activeOf(restored)).toBe(guest!.name);
  await shot(page, "04-after-reload");
  await page.getByRole("button", { name: "The manager's statechart" }).click();
  const managerChart = page.locator("[data-testid=statechart]", { hasText: "manager actor" });
  await managerChart.locator("g.current").first().waitFor();
  expect(await managerChart.evaluate((figure) => [...figure.querySelectorAll("g.current > title")].map((t) => t.textContent))).toEqual(["active"]);

  // A second tab shows the same accounts, and follows a switch and a logout made in the first.
  const second = await openDemo();
  const mirrored = await until(second, "the second tab", (l) => l.length === 3 && activeOf(l) === guest!.name);
  expect(mirrored.map((r) => [r.pubkey, r.name, r.follows]).sort()).toEqual(restored.map((r) => [r.pubkey, r.name, r.follows]).sort());
  await row(page, alice.pubkey).getByRole("button", { name: "Switch" }).click();
  await until(second, "the switch reaching the second tab", (l) => activeOf(l) === "alice");
  await row(page, bob.pubkey).getByRole("button", { name: "Log out" }).click();
  await until(second, "the logout reaching the second tab", (l) => l.length === 2 && !l.some((r) => r.pubkey === bob.pubkey));
  await shot(second, "05-second-tab");

  // An ncryptsec (pre-filled with carol's, and its passphrase) is kept as NIP-49: lock, then unlock.
  await page.locator("[data-testid=login-ncryptsec] button[type=submit]").click();
  await until(page, "carol by ncryptsec", (l) => l.some((r) => r.pubkey === carol.pubkey && r.signer === "ready"), 20_000);
  await row(page, carol.pubkey).getByRole("button", { name: "Lock" }).click();
  await until(page, "carol locked", (l) => l.some((r) => r.pubkey === carol.pubkey && r.signer === "locked"));
  await shot(page, "06-locked");
  await row(page, carol.pubkey).getByLabel("passphrase of carol").fill(ncryptsec.passphrase);
  await row(page, carol.pubkey).getByRole("button", { name: "Unlock" }).click();
  await until(page, "carol unlocked", (l) => l.some((r) => r.pubkey === carol.pubkey && r.signer === "ready"), 20_000);

  // A bad login is one line that does not repeat what was typed.
  const typed = "nsec1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
  await page.getByLabel("nsec", { exact: true }).fill(typed);
  await page.locator("[data-testid=login-nsec] button[type=submit]").click();
  const errorLine = page.locator("[data-testid=error]");
  await page.waitForFunction(() => document.querySelector("[data-testid=error]")?.textContent?.startsWith("nsec login:"), undefined, { timeout: WAIT_MS });
  const shown = (await errorLine.textContent())!;
  expect(shown).toMatch(/^nsec login: .*\(invalid-login\)$/);
  expect(shown).not.toContain(typed.slice(5, 20));
  expect(await page.getByLabel("nsec", { exact: true }).inputValue()).toBe("");

  // A tab with a NIP-07 extension (a fake one on a real key, injected before the page's scripts, as
  // an extension's content script is) offers it, and logs in through it; a tab without offers none.
  expect(await page.locator("[data-testid=login-nip07]").count()).toBe(0);
  const extensionKey = NDKPrivateKeySigner.generate();
  const withExtension = await browser.context.newPage();
  await withExtension.addInitScript({ content: await nip07InitScript(extensionKey.privateKey) });
  await withExtension.goto(demo.url);
  await withExtension.locator("[data-testid=login-nip07] button").click();
  await until(withExtension, "the NIP-07 login", (l) => l.some((r) => r.pubkey === extensionKey.pubkey && r.signer === "ready" && r.active));
  await until(page, "the NIP-07 account reaching the first tab", (l) => l.some((r) => r.pubkey === extensionKey.pubkey));
  await withExtension.close();

  // Logging out of everything, in the first tab, empties both.
  for (const r of await rows(page)) await row(page, r.pubkey).getByRole("button", { name: "Log out" }).click();
  for (const tab of [page, second]) await tab.locator("[data-testid=no-accounts]").waitFor({ timeout: WAIT_MS });
  await shot(page, "07-logged-out");

  // The relay going away (the demo server closing: relay, bunker, HTTP) shows on the status line, read from NDK's pool.
  await demo.close();
  await page.locator("[data-testid=relay-status][data-up=false]").waitFor({ timeout: WAIT_MS });
  expect(await page.locator("[data-testid=relay-status]").textContent()).toContain("is down");
  await shot(page, "08-relay-down");

  expect(pageErrors).toEqual([]);
  expect(offLoopback).toEqual([]);
  await second.close();
  await page.close();
}, 120_000);
