/**
 * Real Chromium for browser tests: Debian's `chromium` driven by playwright-core, a tiny server on
 * 127.0.0.1 serving one page and an esbuild bundle of an entry file, and a fresh profile folder.
 * Every step is bounded by a timeout; close() stops the browser, the server and removes the profile.
 *
 * The entry runs as a module on the page and sets `globalThis.__fixtureReady = true` when it is
 * set up (or `__fixtureError` with a message), so `open()` resolves only on a usable page.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const STEP_TIMEOUT_MS = 15_000;

export interface BrowserHarness {
  /** http://127.0.0.1:<port>: every page opened here shares this origin. */
  readonly origin: string;
  readonly context: BrowserContext;
  /** A new tab on the origin's page, once the bundle has set itself up. */
  open(): Promise<Page>;
  /** Closes the browser cleanly and starts it again on the same profile (what a user's restart does). */
  relaunch(): Promise<void>;
  close(): Promise<void>;
}

/** Rejects after `ms` with a message naming the step, so nothing in a test can hang. */
export function within<T>(ms: number, step: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step} took more than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Bundles `entry` in memory for the browser (ESM), as the page's only script. */
export async function bundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [entry], bundle: true, write: false, platform: "browser", format: "esm", target: "es2022", logLevel: "silent" });
  return result.outputFiles[0]!.text;
}

function serve(script: string): Promise<Server> {
  const page = '<!doctype html><meta charset="utf-8"><title>fixture</title><script type="module" src="/bundle.js"></script>';
  const server = createServer((request, response) => {
    const [type, body] =
      request.url === "/" ? ["text/html", page] : request.url === "/bundle.js" ? ["text/javascript", script] : [undefined, "not found"];
    response.writeHead(type ? 200 : 404, { "content-type": `${type ?? "text/plain"}; charset=utf-8`, "cache-control": "no-store" });
    response.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function launch(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/**
 * Last resort when Chromium does not close: kill, by pid, the processes started on this test's
 * own profile folder (a persistent context exposes no process handle).
 */
function killProfileProcesses(profile: string): void {
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (argv.includes(`--user-data-dir=${profile}`)) process.kill(Number(pid), "SIGKILL");
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
}

async function closeContext(context: BrowserContext, profile: string): Promise<void> {
  try {
    await within(10_000, "closing Chromium", context.close());
  } catch {
    killProfileProcesses(profile);
  }
}

export async function startBrowser(entry: string): Promise<BrowserHarness> {
  const script = await within(STEP_TIMEOUT_MS, "bundling the fixture", bundle(entry));
  const server = await within(STEP_TIMEOUT_MS, "starting the server", serve(script));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  const profile = mkdtempSync(join(tmpdir(), "nse-chromium-"));
  let context: BrowserContext;
  try {
    context = await within(45_000, "launching Chromium", launch(profile));
  } catch (error) {
    killProfileProcesses(profile);
    server.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }

  return {
    origin,
    get context() {
      return context;
    },
    async open() {
      const page = await within(STEP_TIMEOUT_MS, "opening a page", context.newPage());
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${origin}/`);
      try {
        await page.waitForFunction(() => {
          const g = globalThis as { __fixtureReady?: boolean; __fixtureError?: string };
          if (g.__fixtureError) throw new Error(g.__fixtureError);
          return g.__fixtureReady === true;
        });
      } catch (error) {
        throw new Error(`fixture did not start: ${(error as Error).message} ${errors.join("; ")}`);
      }
      return page;
    },
    async relaunch() {
      await closeContext(context, profile);
      context = await within(45_000, "relaunching Chromium", launch(profile));
    },
    async close() {
      await closeContext(context, profile);
      server.closeAllConnections();
      await within(5_000, "closing the server", new Promise<void>((resolve) => server.close(() => resolve())));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** One Chromium for a test file, started before its tests and closed after them. */
export function useBrowser(entry: string, setup?: (browser: BrowserHarness) => Promise<void>): { readonly browser: BrowserHarness } {
  let started: BrowserHarness | undefined;
  beforeAll(async () => {
    started = await startBrowser(entry);
    await setup?.(started);
  }, 90_000);
  afterAll(async () => {
    await started?.close();
  }, 30_000);
  return {
    get browser() {
      return started!;
    },
  };
}
