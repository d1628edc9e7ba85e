/**
 * Real Chromium for browser tests: a Chromium found once per process (see `resolveChromium`) driven by
 * playwright-core, a tiny server on 127.0.0.1 serving one page and an esbuild bundle of an entry file,
 * and a fresh profile folder. Every step is bounded by a timeout; close() stops the browser, the server
 * and removes the profile.
 *
 * The entry runs as a module on the page and sets `globalThis.__fixtureReady = true` when it is
 * set up (or `__fixtureError` with a message), so `open()` resolves only on a usable page.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { brotliDecompressSync } from "node:zlib";
import { build } from "esbuild";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

/**
 * The flags every Chromium here runs with. @sparticuz/chromium's own `args` are left out: they are
 * for serverless (--single-process, --no-zygote, --disable-web-security, SwiftShader WebGL, ...) and
 * its binary starts without them; what Playwright adds itself (--disable-dev-shm-usage, ...) suffices.
 */
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

/** A Chromium binary that was seen to run (`--version`), with where it came from and the environment it needs. */
export interface ChromiumBinary {
  readonly path: string;
  readonly source: "CHROMIUM_PATH" | "@sparticuz/chromium" | "system chromium";
  /** Set when the binary needs more than the test process's environment (bundled shared libraries). */
  readonly env?: Readonly<Record<string, string>>;
}

const CHROMIUM_OPTIONS =
  "set CHROMIUM_PATH to a Chromium binary, install @sparticuz/chromium (npm install -D @sparticuz/chromium) or put a system chromium on PATH";
const PROBE_TIMEOUT_MS = 10_000;
const LOCK_WAIT_MS = 30_000;
/** The dynamic loader's message when a library is missing, e.g. libnss3 on a machine without Debian's chromium. */
const MISSING_LIBRARY = /error while loading shared libraries/;

let resolved: Promise<ChromiumBinary> | undefined;

/**
 * The Chromium for this process, found once: `CHROMIUM_PATH` if set (and nothing else then), else the
 * binary inside @sparticuz/chromium (unpacked to the temp folder on first use), else a `chromium`
 * on PATH. Rejects with a one-line message naming the three options when none of them runs.
 */
export function resolveChromium(): Promise<ChromiumBinary> {
  resolved ??= findChromium();
  return resolved;
}

async function findChromium(): Promise<ChromiumBinary> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    const problem = await probe(configured);
    if (problem) throw noChromium([`CHROMIUM_PATH=${configured}: ${problem}`]);
    return { path: configured, source: "CHROMIUM_PATH" };
  }
  const tried = ["CHROMIUM_PATH is not set"];
  try {
    return await fromSparticuz();
  } catch (error) {
    tried.push(`@sparticuz/chromium: ${firstLine(error)}`);
  }
  const system = onPath("chromium");
  const problem = system ? await probe(system) : "no chromium on PATH";
  if (system && !problem) return { path: system, source: "system chromium" };
  tried.push(system ? `${system}: ${problem}` : problem!);
  throw noChromium(tried);
}

function noChromium(tried: string[]): Error {
  return new Error(`No Chromium for the browser tests: ${CHROMIUM_OPTIONS} (tried: ${tried.join("; ")})`);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split("\n")[0]!.trim();
}

/** Runs `binary --version`: undefined when it ran, else why not (one line). */
function probe(binary: string, env?: Readonly<Record<string, string>>): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ["--version"], { timeout: PROBE_TIMEOUT_MS, env: env ?? process.env }, (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      const reason = stderr.trim() || (error.killed ? `no answer to --version within ${PROBE_TIMEOUT_MS} ms` : error.message);
      resolve(firstLine(reason));
    });
  });
}

function onPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/**
 * The binary inside @sparticuz/chromium. `executablePath()` unpacks it to <tmp>/chromium and returns
 * that file as soon as it exists, so test files starting together take turns (a lock folder) and
 * none runs a half-written file. A binary that does not run (an unpack cut short) is unpacked once
 * more; one that misses shared libraries (no libnss3 on a bare machine) gets the ones the package
 * bundles for Amazon Linux 2023, through LD_LIBRARY_PATH.
 */
async function fromSparticuz(): Promise<ChromiumBinary> {
  let sparticuz: (typeof import("@sparticuz/chromium"))["default"];
  try {
    sparticuz = (await import("@sparticuz/chromium")).default;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND";
    throw new Error(`${missing ? "not installed" : "cannot be loaded"} (${firstLine(error)})`);
  }
  return withLock(join(tmpdir(), "nse-sparticuz-chromium.lock"), async () => {
    let path = await sparticuz.executablePath();
    let problem = await probe(path);
    if (problem && !MISSING_LIBRARY.test(problem) && path === join(tmpdir(), "chromium")) {
      rmSync(path, { force: true });
      path = await sparticuz.executablePath();
      problem = await probe(path);
    }
    if (problem && MISSING_LIBRARY.test(problem)) {
      const libraries = bundledLibraries();
      const env = { ...definedEnv(), LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(delimiter) };
      problem = await probe(path, env);
      if (!problem) return { path, source: "@sparticuz/chromium", env };
    }
    if (problem) throw new Error(`${path}: ${problem}`);
    return { path, source: "@sparticuz/chromium" };
  });
}

/** Holds `lock` (a folder: mkdir is atomic) across processes while `work` runs; a lock older than the wait is a dead run's. */
async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_WAIT_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} held by another process for more than ${LOCK_WAIT_MS} ms`);
      else await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The package's bundled shared libraries (bin/al2023.tar.br, a brotli'd tar of lib/*.so), unpacked once per package version. */
function bundledLibraries(): string {
  let root = dirname(createRequire(import.meta.url).resolve("@sparticuz/chromium"));
  while (!existsSync(join(root, "bin", "al2023.tar.br"))) {
    if (dirname(root) === root) throw new Error("no bin/al2023.tar.br in @sparticuz/chromium");
    root = dirname(root);
  }
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const target = join(tmpdir(), `nse-sparticuz-libs-${version}`);
  if (existsSync(target)) return target;
  const staging = mkdtempSync(`${target}-`);
  const tar = brotliDecompressSync(readFileSync(join(root, "bin", "al2023.tar.br")));
  for (let at = 0; at + 512 <= tar.length; ) {
    const field = (start: number, length: number) => tar.toString("latin1", at + start, at + start + length).replace(/\0.*$/s, "").trim();
    const name = field(0, 100);
    if (!name) break;
    const size = parseInt(field(124, 12), 8);
    const type = field(156, 1);
    if (type === "" || type === "0") writeFileSync(join(staging, basename(name)), tar.subarray(at + 512, at + 512 + size), { mode: 0o755 });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // Another process put it there first.
  }
  return target;
}

function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export interface BrowserHarness {
  /** http://127.0.0.1:<port>: every page opened here shares this origin. */
  readonly origin: string;
  /** The Chromium it runs (@sparticuz/chromium's is chrome-headless-shell: every tab keeps focus). */
  readonly binary: ChromiumBinary;
  readonly context: BrowserContext;
  /**
   * A new tab on the origin's page, once the bundle has set itself up; with `startBrowserAt`, once
   * `origin + path` has loaded (the page's own readiness is the test's to wait for).
   */
  open(path?: string): Promise<Page>;
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

function launch(profile: string, binary: ChromiumBinary): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: binary.path,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
    ...(binary.env ? { env: binary.env } : {}),
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
  // Found while the fixture bundles (the first test file on a machine unpacks @sparticuz/chromium).
  const found = within(45_000, "finding Chromium", resolveChromium());
  found.catch(() => {}); // Awaited below; a failed bundle must not leave it unhandled.
  const script = await within(STEP_TIMEOUT_MS, "bundling the fixture", bundle(entry));
  const binary = await found;
  const server = await within(STEP_TIMEOUT_MS, "starting the server", serve(script));
  const { port } = server.address() as { port: number };
  const closeServer = async () => {
    server.closeAllConnections();
    await within(5_000, "closing the server", new Promise<void>((resolve) => server.close(() => resolve())));
  };
  return harness(`http://127.0.0.1:${port}`, binary, true, closeServer);
}

/** Chromium on pages someone else serves (the browser demo's own server); `open(path)` waits for the load event only. */
export async function startBrowserAt(origin: string): Promise<BrowserHarness> {
  const binary = await within(45_000, "finding Chromium", resolveChromium());
  return harness(origin, binary, false, async () => {});
}

async function harness(origin: string, binary: ChromiumBinary, fixture: boolean, closeServer: () => Promise<void>): Promise<BrowserHarness> {
  const profile = mkdtempSync(join(tmpdir(), "nse-chromium-"));
  let context: BrowserContext;
  try {
    context = await within(45_000, "launching Chromium", launch(profile, binary));
  } catch (error) {
    killProfileProcesses(profile);
    await closeServer();
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium ${binary.path} (${binary.source}) did not start: ${firstLine(error)} (else ${CHROMIUM_OPTIONS})`, { cause: error });
  }

  return {
    origin,
    binary,
    get context() {
      return context;
    },
    async open(path = "/") {
      const page = await within(STEP_TIMEOUT_MS, "opening a page", context.newPage());
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${origin}${path}`);
      if (!fixture) return page;
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
      context = await within(45_000, "relaunching Chromium", launch(profile, binary));
    },
    async close() {
      await closeContext(context, profile);
      await closeServer();
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
