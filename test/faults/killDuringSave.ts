// Row 7: kill -9 of an app in the middle of FileStorage saves, many times. After each kill the file
// parses and restores (source "snapshot", every account, every list) to the last completed save or
// the one under way — never a partial file. The writer is a real manager (test/faults/crashSaver.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import NDK, { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { FileStorage } from "../../src";
import type { Scenario } from "./harness";

const ACCOUNTS = 8;
const FOLLOWS = 300;
const MIN_KILLS = 10;
const MAX_KILLS = 30;
const BUDGET_MS = 30_000;
const root = fileURLToPath(new URL("../..", import.meta.url));
const child = fileURLToPath(new URL("./crashSaver.ts", import.meta.url));

interface Life {
  pid: number;
  printed: number[];
  stderr: string;
  /** ms from spawn() to the child printing "ready" (its restore() of the file done): Node and tsx start-up included. */
  readyMs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One life of the saver: started, killed with SIGKILL `delayMs` after it is ready, drained. */
function live(file: string, first: number, account: string, passphrase: string, delayMs: number, track: (p: ChildProcess) => void): Promise<Life> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, file, String(first), account], {
      cwd: root,
      env: { ...process.env, NSE_FAULTS_PASSPHRASE: passphrase },
      stdio: ["ignore", "pipe", "pipe"],
    });
    track(proc);
    const spawnedAt = performance.now();
    const pid = proc.pid!;
    let readyMs = NaN;
    let out = "";
    let stderr = "";
    let killTimer: NodeJS.Timeout | undefined;
    const startTimer = setTimeout(() => process.kill(pid, "SIGKILL"), 15_000);
    proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (killTimer === undefined && out.startsWith("ready\n")) {
        clearTimeout(startTimer);
        readyMs = performance.now() - spawnedAt;
        killTimer = setTimeout(() => process.kill(pid, "SIGKILL"), delayMs);
      }
    });
    proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    proc.on("error", reject);
    proc.on("close", (code, signal) => {
      clearTimeout(startTimer);
      clearTimeout(killTimer);
      if (signal !== "SIGKILL" || killTimer === undefined) return reject(new Error(`the saver ended by itself or never got ready (code ${code}): ${stderr.slice(0, 300)}`));
      resolve({ pid, printed: out.split("\n").slice(1).filter((l) => /^\d+$/.test(l)).map(Number), stderr, readyMs });
    });
  });
}

export const scenario: Scenario = {
  title: "kill -9 during a file save",
  timeoutMs: 50_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const publisher = await ctx.ndk([relay.url]);
    const passphrase = "crash passphrase 9d1f, never on disk";
    ctx.secret(passphrase);
    const keys = Array.from({ length: ACCOUNTS }, () => ctx.key());
    for (const key of keys) await publish(publisher, key, { kind: 3, tags: Array.from({ length: FOLLOWS }, () => ["p", NDKPrivateKeySigner.generate().pubkey]) });
    const account = keys[0]!.pubkey;
    await publish(publisher, keys[0]!, { kind: 0, content: JSON.stringify({ name: "seq-0" }) });
    const dir = mkdtempSync(join(tmpdir(), "nse-faults-crash-"));
    ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "state.json");
    const secrets = { passphrase, logn: 8 };

    // The app's first run: logged in, lists loaded, saved.
    const ndk = await ctx.ndk([relay.url]);
    const first = ctx.manager(ndk, { storage: new FileStorage(file), secrets });
    for (const key of keys) await first.manager.login(key, { setActive: key === keys[0] });
    const full = (m: typeof first.manager) => keys.every((k) => m.getSession(k.pubkey)?.followSet?.size === FOLLOWS);
    await ctx.until(() => full(first.manager) && first.manager.getSession(account)?.profile?.name === "seq-0", 8000, "the first run's lists");
    await first.manager.persist();
    await first.manager.destroy();
    const size = readFileSync(file).length;

    let running: ChildProcess | undefined;
    ctx.defer(() => {
      if (running?.pid !== undefined && running.exitCode === null && running.signalCode === null) process.kill(running.pid, "SIGKILL");
    });
    const offline = new NDK({ explicitRelayUrls: [], enableOutboxModel: false, autoConnectUserRelays: false });
    const wrongLists = new Set<string>();
    let kills = 0;
    let midWrite = 0;
    let completed = 0;
    let lastVerified = 0;
    /** Per kill: ms from a new manager on the file to its restore() resolving with every account (in this process). */
    const restoreMs: number[] = [];
    /** Per life after a kill: ms from spawning the next saver to it having restored the file ("ready"). */
    const respawnMs: number[] = [];
    const started = performance.now();
    while (kills < MAX_KILLS && (kills < MIN_KILLS || midWrite < 3) && performance.now() - started < BUDGET_MS) {
      const life = await live(file, lastVerified + 1, account, passphrase, Math.floor(Math.random() * 250), (p) => (running = p));
      if (kills > 0) respawnMs.push(life.readyMs);
      kills++;
      completed += life.printed.length;
      if (life.stderr) ctx.scanner.add("saver stderr", life.stderr);
      ctx.check(life.printed.every((n, i) => n === lastVerified + 1 + i), `kill ${kills}: saves completed in order`);
      const lastCompleted = life.printed.at(-1) ?? lastVerified;
      if (readdirSync(dir).some((name) => name.includes(`.${life.pid}.`) && name.endsWith(".tmp"))) midWrite++;
      let parsed = true;
      try {
        JSON.parse(readFileSync(file, "utf8"));
      } catch {
        parsed = false;
      }
      if (!ctx.check(parsed, `kill ${kills}: the file is not whole JSON`)) break;
      // What the app finds when it starts again.
      const restoreStart = performance.now();
      const again = ctx.manager(offline, { storage: new FileStorage(file), secrets, autoSave: false });
      const report = await again.manager.restore().catch((error: unknown) => (ctx.caught("restore after kill", error), undefined));
      const restoredAt = performance.now();
      if (report?.source === "snapshot" && report.sessions === ACCOUNTS) restoreMs.push(restoredAt - restoreStart);
      ctx.check(report?.source === "snapshot" && report.sessions === ACCOUNTS, `kill ${kills}: restore gives the snapshot with ${ACCOUNTS} accounts (got ${report?.source} ${report?.sessions})`);
      for (const key of keys) if (again.manager.getSession(key.pubkey)?.followSet?.size !== FOLLOWS) wrongLists.add(key.pubkey);
      const seq = Number(again.manager.getSession(account)?.profile?.name?.slice(4));
      ctx.check(seq === lastCompleted || seq === lastCompleted + 1, `kill ${kills}: stored save ${seq}, expected ${lastCompleted} (last completed) or ${lastCompleted + 1} (under way)`);
      await again.manager.destroy();
      lastVerified = Number.isInteger(seq) ? seq : lastCompleted;
    }
    for (const name of readdirSync(dir)) ctx.scanner.add(`file ${name}`, readFileSync(join(dir, name), "utf8"));
    ctx.check(kills >= MIN_KILLS, `${kills} kills within the budget (at least ${MIN_KILLS})`);
    ctx.check(midWrite > 0, "at least one kill landed in the middle of a write (its temporary file left behind)");
    ctx.check(completed > 0, "saves completed between the kills");
    ctx.check(restoreMs.length === kills, `a restore time for every kill (${restoreMs.length} of ${kills})`);
    const fmt = (values: number[]) => `median ${median(values).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
    return {
      sees: `after each kill: the file parses and restore() gives source "snapshot", ${ACCOUNTS}/${ACCOUNTS} accounts, the last completed save or the one under way (${kills}/${kills} kills)`,
      listsLost: wrongLists.size,
      recoveryMs: restoreMs.length ? median(restoreMs) : undefined,
      notes: [
        `${kills} SIGKILLs 0–250 ms into a child's save loop (a real manager on FileStorage, ${ACCOUNTS} accounts × ${FOLLOWS} follows, keys sealed NIP-49; state ≈ ${(size / 1024).toFixed(0)} KiB); ${completed} saves completed, ${midWrite} kills left a temporary file (killed mid-write); each kill checked by restoring the file`,
        `recovery: after each kill, from constructing a new manager on the file (FileStorage, in this process, no relay) to its restore() resolving with source "snapshot" and all ${ACCOUNTS} accounts: ${restoreMs.length ? fmt(restoreMs) : "none"} over ${restoreMs.length} kills (the figure is the median)${respawnMs.length ? `; a whole new process on the file after a kill (the next saver: spawn() to its restore() done, Node and tsx start-up included): ${fmt(respawnMs)} over ${respawnMs.length}` : ""}`,
      ],
    };
  },
};
