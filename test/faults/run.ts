/**
 * `npm run faults`: every fault of issue 14 against real relays on 127.0.0.1 (started here), one
 * scenario module per row. Each row asserts what the user should see, counts the sessions whose
 * lists were lost or wrong, scans everything the run let out for the secrets it used, and times the
 * recovery. Prints the table and writes bench/FAULTS.md; exits non-zero if any row fails.
 *   npm run faults            every row
 *   npm run faults -- 4 9     rows 4 and 9 only (bench/FAULTS.md is then left alone)
 */
import { mkdir, writeFile } from "node:fs/promises";
import { machine } from "../bench/compare/report";
import { FaultContext, type RowOutcome, type Scenario } from "./harness";
import { scenario as relayDown } from "./relayDownAtLogin";
import { scenario as relayRestart } from "./relayRestart";
import { scenario as subscriptionCap } from "./subscriptionCap";
import { scenario as bunkerAway } from "./bunkerAway";
import { scenario as bunkerUnreachable } from "./bunkerUnreachable";
import { scenario as extensionSwitch } from "./extensionSwitch";
import { scenario as killDuringSave } from "./killDuringSave";
import { scenario as fuzzedSnapshots } from "./fuzzedSnapshots";
import { scenario as lyingRelay } from "./lyingRelay";
import { scenario as slowRelay } from "./slowRelay";
import { scenario as storageFull } from "./storageFull";

const SCENARIOS: Scenario[] = [
  relayDown,
  relayRestart,
  subscriptionCap,
  bunkerAway,
  bunkerUnreachable,
  extensionSwitch,
  killDuringSave,
  fuzzedSnapshots,
  lyingRelay,
  slowRelay,
  storageFull,
];
const DEADLINE_MS = 240_000;
const OUTPUT = new URL("../../bench/FAULTS.md", import.meta.url);

interface Row {
  n: number;
  title: string;
  outcome: RowOutcome | undefined;
  /** Where a secret was seen. */
  leaks: string[];
  failures: string[];
  tookMs: number;
  /** Outputs the leak scan read, and the secrets it looked for. */
  scanned: { outputs: number; secrets: number };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

const watchdog = setTimeout(() => {
  say(`faults: did not finish within ${DEADLINE_MS / 1000} s`);
  process.exit(2);
}, DEADLINE_MS);

async function runRow(scenario: Scenario, n: number): Promise<Row> {
  const ctx = new FaultContext();
  const started = performance.now();
  let outcome: RowOutcome | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the scenario did not finish within ${scenario.timeoutMs} ms`)), scenario.timeoutMs);
  });
  try {
    outcome = await Promise.race([scenario.run(ctx), late]);
  } catch (error) {
    ctx.caught("scenario error", error);
    ctx.failures.unshift((error as Error)?.message ?? String(error));
  } finally {
    clearTimeout(timer);
  }
  const tookMs = performance.now() - started;
  await ctx.finish();
  const failures = [...ctx.failures];
  if (ctx.secrets.length === 0) failures.push("no secret was registered: the leak scan looked for nothing");
  if (ctx.scanner.size < 5) failures.push(`the leak scan saw almost nothing (${ctx.scanner.size} outputs)`);
  const leaks = ctx.scanner.findings(ctx.secrets);
  if (leaks.length) failures.push(`secrets seen: ${leaks.slice(0, 3).join("; ")}`);
  return { n, title: scenario.title, outcome, leaks, failures, tookMs, scanned: { outputs: ctx.scanner.size, secrets: ctx.secrets.length } };
}

const HEADERS = ["#", "scenario", "what the user sees", "lists lost", "secrets seen", "recovery", "result"];

function cells(row: Row): string[] {
  const { outcome } = row;
  return [
    String(row.n),
    row.title,
    outcome?.sees ?? "—",
    outcome ? String(outcome.listsLost) : "?",
    String(row.leaks.length),
    outcome?.recoveryMs === undefined ? "—" : `${outcome.recoveryMs.toFixed(0)} ms`,
    row.failures.length ? `FAIL: ${row.failures.join("; ")}` : "PASS",
  ];
}

function markdown(rows: Row[], seconds: string): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    "# Fault table",
    "",
    `- date: ${new Date().toISOString()}`,
    `- machine: ${machine()}`,
    `- run: \`npm run faults\` (test/faults/run.ts), ${seconds} s, every relay on 127.0.0.1 started by the run`,
    "",
    `| ${HEADERS.join(" | ")} |`,
    `|---:|---|---|---:|---:|---:|---|`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(" | ")} |`),
    "",
    "Columns: *what the user sees* is the sessions' `status` and `signerState` as they went, with the typed",
    "failure or error `code`; *lists lost* counts the sessions whose lists were missing or wrong at the end;",
    "*secrets seen* counts the places (console, errors, inspection events, subscribe payloads, persisted",
    "snapshots, storage) where a private key, passphrase or NIP-46 secret of the row was found by",
    "test/support/leakScanner.ts; *recovery* is the time from the fault ending to the state the user expects.",
    "",
    "## How each row was run",
    "",
    ...rows.map((row) => `${row.n}. **${row.title}** (${(row.tookMs / 1000).toFixed(1)} s; leak scan: ${row.scanned.secrets} secrets in ${row.scanned.outputs} outputs): ${(row.outcome?.notes ?? ["no outcome"]).join("; ")}`),
    "",
  ].join("\n");
}

async function main(): Promise<number> {
  const only = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const started = performance.now();
  const rows: Row[] = [];
  for (const [i, scenario] of SCENARIOS.entries()) {
    if (only.length && !only.includes(i + 1)) continue;
    say(`[faults ${((performance.now() - started) / 1000).toFixed(1)} s] ${i + 1}. ${scenario.title} …`);
    const row = await runRow(scenario, i + 1);
    rows.push(row);
    say(`   ${row.failures.length ? "FAIL" : "PASS"} in ${(row.tookMs / 1000).toFixed(1)} s${row.failures.length ? `: ${row.failures.join("; ")}` : ""}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const table = rows.map(cells);
  say("");
  say(`| ${HEADERS.join(" | ")} |`);
  for (const row of table) say(`| ${row.join(" | ")} |`);
  say("");
  for (const row of rows) for (const note of row.outcome?.notes ?? []) say(`${row.n}. ${note}`);
  say(`\n${machine()}; ${seconds} s`);
  if (only.length === 0) {
    await mkdir(new URL(".", OUTPUT), { recursive: true });
    await writeFile(OUTPUT, markdown(rows, seconds));
    say(`written: bench/FAULTS.md`);
  }
  // Servers and sockets closed by the last row are released within a few ticks; anything still open after 2 s was left.
  const tcp = () => process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP"));
  for (const deadline = performance.now() + 2000; tcp().length && performance.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  const sockets = tcp();
  if (sockets.length) say(`open sockets after the run: ${sockets.join(", ")}`);
  const failed = rows.filter((row) => row.failures.length > 0);
  say(failed.length ? `${failed.length} row(s) FAIL: ${failed.map((r) => r.n).join(", ")}` : `all ${rows.length} rows PASS`);
  return failed.length || sockets.length ? 1 : 0;
}

main().then(
  (code) => {
    clearTimeout(watchdog);
    // NDK's relays keep timers of their own (no destroy()): the process is ended here, as the bench does.
    process.exit(code);
  },
  (error: unknown) => {
    say(`faults: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(2);
  },
);
