import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileStorage } from "../../src/storage/fileStorage";
import { STATE_KEY } from "../../src/storage/types";

// kill -9 of a process in the middle of repeated FileStorage writes, many times: the file always
// parses and holds the last completed write or the one that was under way, never a partial file.

const root = fileURLToPath(new URL("../..", import.meta.url));
const writer = fileURLToPath(new URL("../support/fileCrashWriter.ts", import.meta.url));
const MIN_KILLS = 30;
const MAX_KILLS = 40;
const BUDGET_MS = 40_000;

const dir = mkdtempSync(join(tmpdir(), "nse-crash-"));
const file = join(dir, "state.json");
let child: ChildProcess | undefined;

afterAll(() => {
  // Only the child this file started, by its pid, if a failure left it running.
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  pid: number;
  printed: number[];
  signal: NodeJS.Signals | null;
}

/**
 * One life of the writer: started with `node --import tsx` (the project's tsx, in-process, so the
 * pid killed is the pid that writes; the tsx CLI would put a second process in between), killed
 * with SIGKILL `delayMs` after it is ready, and waited for until its stdout is drained.
 */
function runOnce(first: number, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", writer, file, String(first)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    const pid = proc.pid!;
    let out = "";
    let err = "";
    let killTimer: NodeJS.Timeout | undefined;
    const startTimeout = setTimeout(() => {
      process.kill(pid, "SIGKILL");
      reject(new Error(`writer not ready within 15 s: ${err}`));
    }, 15_000);
    proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (killTimer === undefined && out.startsWith("ready\n")) {
        clearTimeout(startTimeout);
        killTimer = setTimeout(() => process.kill(pid, "SIGKILL"), delayMs);
      }
    });
    proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    proc.on("error", reject);
    proc.on("close", (code, signal) => {
      clearTimeout(startTimeout);
      clearTimeout(killTimer);
      if (signal !== "SIGKILL") return reject(new Error(`writer ended by itself (code ${code}): ${err}`));
      const lines = out.split("\n").slice(1).filter((line) => /^\d+$/.test(line));
      resolve({ pid, printed: lines.map(Number), signal });
    });
  });
}

/** The file as a reader finds it after the crash: whole JSON whose padding is intact. */
function readState(): { seq: number; size: number } {
  const text = readFileSync(file, "utf8");
  let value: { seq: number; size: number; pad: string };
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`state file is not JSON after a kill (${text.length} bytes: ${text.slice(0, 40)}…${text.slice(-40)})`);
  }
  expect(Number.isInteger(value.seq)).toBe(true);
  expect(value.size).toBe(1_024 + ((value.seq * 2_654_435_761) % 2_096_128));
  expect(value.pad.length).toBe(value.size);
  expect(value.pad).toBe(String(value.seq % 10).repeat(value.size));
  return value;
}

describe("FileStorage under SIGKILL", () => {
  it(`always holds the last completed write or the one under way, over ${MIN_KILLS}+ kills`, { timeout: 60_000 }, async () => {
    const started = Date.now();
    let lastVerified = 0; // sequence number found in the file after the previous kill (0: no file yet)
    let kills = 0;
    let completedWrites = 0;
    let killedMidWrite = 0;
    const sizes = new Set<number>();
    while (kills < MAX_KILLS && (kills < MIN_KILLS || Date.now() - started < BUDGET_MS)) {
      const first = lastVerified + 1;
      // 0-250 ms after start-up: with writes of 1 KB-2 MB taking a few ms each (tens on a loaded
      // machine), kills land at every point of a write, and most runs complete several writes first.
      const run = await runOnce(first, Math.floor(Math.random() * 250));
      kills++;
      expect(run.signal).toBe("SIGKILL");
      // Printed numbers are consecutive from `first`: each was printed after its setItem resolved.
      expect(run.printed).toEqual(run.printed.map((_, i) => first + i));
      completedWrites += run.printed.length;
      const lastCompleted = run.printed.at(-1) ?? lastVerified;

      if (lastCompleted === 0 && !existsSync(file)) {
        // Killed before the very first write completed: no file at all is the only other right answer.
        expect(readdirSync(dir).every((name) => name.endsWith(".tmp"))).toBe(true);
        continue;
      }
      const state = readState();
      expect([lastCompleted, lastCompleted + 1]).toContain(state.seq);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      sizes.add(state.size);
      lastVerified = state.seq;

      const leftovers = readdirSync(dir).filter((name) => name.startsWith(`${basename(file)}.${run.pid}.`) && name.endsWith(".tmp"));
      if (leftovers.length > 0) killedMidWrite++;
      expect(leftovers.length).toBeLessThanOrEqual(1); // writes are never two at once
    }

    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(Date.now() - started).toBeLessThan(58_000);
    // The test did what it claims: many writes completed, values of varying size were on disk,
    // and some kills hit a write in progress (its temporary file is still there).
    expect(completedWrites).toBeGreaterThan(kills);
    expect(sizes.size).toBeGreaterThan(5);
    expect(killedMidWrite).toBeGreaterThan(0);
    // Leftover temporary files are not keys, and the state reads back through FileStorage.
    expect(await new FileStorage(file).keys()).toEqual([STATE_KEY]);
    expect(JSON.parse((await new FileStorage(file).getItem(STATE_KEY))!).seq).toBe(lastVerified);
    console.info(`fileCrash: ${kills} kills, ${completedWrites} completed writes, ${killedMidWrite} kills mid-write, ${Date.now() - started} ms`);
  });
});
