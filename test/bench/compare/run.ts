/**
 * `npm run bench:compare`: ndk-session-engine against @nostr-dev-kit/sessions in one run, on the
 * same relay (its own worker thread), the same published accounts, the same NDK set-up and the
 * same waits. Prints one table of medians with the ratio ours/peer against its target, and writes
 * it to bench/RESULTS.md. Exit code 0 whatever the figures say; non-zero only when the bench breaks.
 * `--only=login,sequential,burst,switch,restore,heap` runs some figures (RESULTS.md is then left as it is).
 */
import { connectedNdk, disconnect, publishAccounts } from "../fixtures";
import { getGc, now } from "../measure";
import { libraries, type Side } from "./adapters";
import { burstOnce, loginOnce, sequentialOnce, switchOnce, xstateFloorOnce } from "./figures";
import { startRelayThread, type RelayThread } from "../relayThread";
import { machine, printCompare, rangeLines, writeResults, type CompareRow } from "./report";
import { heapOnce, restoreOnce, savedSessions } from "./restoreHeap";
import { alternate, pick, type Pair } from "./rounds";

const ACCOUNTS = 51; // 50 restored (the first 20 also the 20-session figures), 1 for the login figure
const LOGIN_WARM = 2;
const LOGIN_RUNS = 11;
const COLD_WARM = 1; // figure 1b: one account never seen before per run and side
const COLD_RUNS = 7;
const RUNS = 7; // figures 2–5, after one warm-up run each
const HEAP_RUNS = 5;
const SESSIONS = 20;
const FOLLOWS = 1000;
const SWITCH_BATCHES = 5;
const SWITCHES_PER_BATCH = 1000;
const DEADLINE_MS = 240_000;
const FIGURES = ["login", "sequential", "burst", "switch", "restore", "heap"] as const;

const NOTES = [
  "NDK keeps verified event ids process-wide (1,000 ids for 60 s); the peer relies on NDK's check, so after its first run it no longer " +
    "verifies these events (figures 1–6 reuse the published accounts). Ours verifies every list event itself (id, signature, author) each time. " +
    "Row 1b logs in accounts whose events this process has not seen, one per run.",
  "Ours does more per login than the peer: it also fetches kind 0, and decrypts the private (NIP-44) mute items with the session's signer; " +
    "the peer ignores private items.",
  "Figure 3 awaits each login() call (not its lists): the peer's login() calls made concurrently (Promise.all) lose sessions — its " +
    "addSession writes back a Map copied before its await, and the following startSession throws SessionNotFoundError.",
  "Heap: the relay's memory is the worker's and not counted; the signer objects are made before the baseline.",
  "NDK instances are never collected (NDKRelay.updateValidationRatio re-arms a 30 s timer forever), and the peer's stopped " +
    "subscriptions keep its store: each peer manager leaves ~3.7 MiB (20 sessions) behind after destroy(), ours ~0.2 MiB. " +
    "The process heap grows over the run, on both sides' clocks alike (runs alternate).",
];

const watchdog = setTimeout(() => {
  console.error(`bench:compare: did not finish within ${DEADLINE_MS / 1000} s`);
  process.exit(2);
}, DEADLINE_MS);

const log = (message: string) => console.log(`[compare ${(now() / 1000).toFixed(1)} s] ${message}`);
const onlyArg = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const only = new Set(onlyArg ? onlyArg.split(",") : FIGURES);
for (const name of only) if (!(FIGURES as readonly string[]).includes(name)) throw new Error(`bench:compare: unknown figure "${name}"`);

const state = (pair: Pair<unknown>) => (["ours", "peer"] as Side[]).map((s) => `${s} ${pair[s].error ? `FAILED (${pair[s].error})` : `${pair[s].counted.length} runs`}`).join(", ");

async function main(relay: RelayThread): Promise<{ rows: CompareRow[]; warmRuns: string }> {
  const { gc, how } = getGc();
  log(`node ${process.version}, gc via ${how}, relay ${relay.url} in a worker thread`);
  const publisher = await connectedNdk([relay.url]);
  const started = now();
  const accounts = await publishAccounts(publisher, relay.url, ACCOUNTS, FOLLOWS, 4, "full");
  const perSide = only.has("login") ? COLD_WARM + COLD_RUNS : 0;
  const unseen = await publishAccounts(publisher, relay.url, 2 * perSide, FOLLOWS, 4, "full");
  disconnect(publisher);
  const published = (ACCOUNTS + unseen.length) * 5;
  log(`published ${published} events (kinds 0, 3, 10000 with private items, 10006, 10002) in ${((now() - started) / 1000).toFixed(1)} s`);
  const loginAccount = accounts[ACCOUNTS - 1]!;
  const twenty = accounts.slice(0, SESSIONS);
  const fifty = accounts.slice(0, ACCOUNTS - 1);
  const libs = await libraries();
  const rows: CompareRow[] = [];

  if (only.has("login")) {
    const f1 = await alternate(libs, LOGIN_WARM, LOGIN_RUNS, (lib) => loginOnce(relay, lib, loginAccount));
    rows.push({ figure: "1. login -> 1,000 follows", unit: "ms", ...f1, target: { ratio: 0.5 } });
    log(`figure 1 done: ${state(f1)}`);
    // The same login on events this process never saw: NDK caches verified ids process-wide (1,000
    // ids, 60 s), so from its second run on figure 1 skips the peer's signature checks; ours checks
    // every list event itself each time.
    const pool: Record<Side, typeof unseen> = { ours: unseen.slice(0, perSide), peer: unseen.slice(perSide) };
    const f1b = await alternate(libs, COLD_WARM, COLD_RUNS, (lib) => loginOnce(relay, lib, pool[lib.side].shift()!));
    rows.push({ figure: "1b. login, events new to the process", unit: "ms", ...f1b });
    log(`figure 1b done: ${state(f1b)}`);
  }
  if (only.has("sequential")) {
    const f2 = await alternate(libs, 1, RUNS, (lib) => sequentialOnce(relay, lib, twenty));
    rows.push({ figure: `2. ${SESSIONS} logins in sequence, each to its follows`, unit: "ms", ...f2, target: { ratio: 0.5 } });
    log(`figure 2 done: ${state(f2)}`);
  }
  if (only.has("burst")) {
    const f3 = await alternate(libs, 1, RUNS, (lib) => burstOnce(relay, lib, twenty));
    rows.push({ figure: `3. ${SESSIONS} login() back to back -> all follows`, unit: "ms", ...pick(f3, (r) => r.ms), target: { ratio: 0.5 } });
    rows.push({ figure: "3b. REQ frames the relay received for them", unit: "", ...pick(f3, (r) => r.reqs), target: { oursMax: 3 } });
    log(`figure 3 done: ${state(f3)}`);
  }
  if (only.has("switch")) {
    const f4 = await alternate(libs, 1, RUNS, (lib) => switchOnce(relay, lib, twenty, SWITCH_BATCHES, SWITCHES_PER_BATCH));
    rows.push({ figure: `4. await switchTo() among ${SESSIONS} sessions`, unit: "µs", ...f4, target: { ratio: 0.75 } });
    const floor = Array.from({ length: RUNS }, () => xstateFloorOnce(twenty.map((a) => a.pubkey), SWITCH_BATCHES, SWITCHES_PER_BATCH));
    rows.push({ figure: "4b. XState's floor (one inspected send, one assign) vs the peer's switchTo", unit: "µs", ours: { counted: floor, warm: [] }, peer: f4.peer });
    log(`figure 4 done: ${state(f4)}`);
  }
  if (only.has("restore")) {
    const saved: Partial<Record<Side, unknown>> = {};
    const f5 = await alternate(libs, 1, RUNS, async (lib) => {
      saved[lib.side] ??= await savedSessions(relay, lib, fifty);
      return restoreOnce(relay, lib, saved[lib.side], fifty);
    });
    rows.push({ figure: `5. restore ${fifty.length} sessions -> all fresh`, unit: "ms", ...pick(f5, (r) => r.fresh), target: { ratio: 0.55 } });
    rows.push({ figure: "5b. restore: until restore() resolves", unit: "ms", ...pick(f5, (r) => r.resolved) });
    log(`figure 5 done: ${state(f5)}`);
    // Ours by default asks each stored list from its own second (a same-second rival is never
    // missed), so the relay sends every unchanged list again; the opt-in window asks lists older
    // than it from the next second, as the peer's stored lists would be if it stored any.
    const windowed = await libraries({ refresh: { tieWindowSec: 0 } });
    const savedWindowed: Partial<Record<Side, unknown>> = {};
    const f5c = await alternate(windowed, 1, RUNS, async (lib) => {
      savedWindowed[lib.side] ??= await savedSessions(relay, lib, fifty);
      return restoreOnce(relay, lib, savedWindowed[lib.side], fifty);
    });
    rows.push({ figure: "5c. restore -> all fresh, ours with refresh.tieWindowSec 0 (unchanged lists not sent again)", unit: "ms", ...pick(f5c, (r) => r.fresh) });
    log(`figure 5c done: ${state(f5c)}`);
  }
  if (only.has("heap")) {
    const f6 = await alternate(libs, 1, HEAP_RUNS, (lib) => heapOnce(relay, lib, twenty, gc));
    rows.push({ figure: `6. retained heap per session (${SESSIONS} x 1,000 follows)`, unit: "KiB", ...f6, target: { ratio: 0.33 } });
    log(`figure 6 done: ${state(f6)}`);
  }
  return { rows, warmRuns: `per side ${LOGIN_WARM} warm-up + ${LOGIN_RUNS} counted runs for figure 1, ${COLD_WARM} + ${COLD_RUNS} for 1b, 1 + ${RUNS} for figures 2–5, 1 + ${HEAP_RUNS} for 6` };
}

const startedAt = now();
let code = 0;
let relay: RelayThread | undefined;
try {
  relay = await startRelayThread();
  const { rows, warmRuns } = await main(relay);
  const seconds = ((now() - startedAt) / 1000).toFixed(0);
  console.log("");
  printCompare(rows);
  console.log("");
  for (const line of rangeLines(rows)) console.log(line);
  console.log(`\n${machine()}; ${seconds} s`);
  if (!onlyArg) {
    const how =
      `\`npm run bench:compare\` (tsx test/bench/compare/run.ts), ${seconds} s in all. One process; the relay ` +
      `(src/demo/loopbackRelay.ts: @nostr-relay, in-memory SQLite) in a worker thread on 127.0.0.1, counting REQ frames. ` +
      `${ACCOUNTS} accounts (+${2 * (COLD_WARM + COLD_RUNS)} for row 1b) published before measuring (kinds 0, 3 with 1,000 p tags, 10000 with public and NIP-44 private items, 10006, 10002). ` +
      `Per run, per library: a fresh NDK (explicitRelayUrls = the relay, no outbox, no user relays, signatures checked at ratio 1) and manager ` +
      `with fetches { follows, mutes, relayList, blockedRelays }, login(new NDKPrivateKeySigner(hex)), and the same wait (the manager's ` +
      `subscribe callback until each followSet has 1,000). Runs alternate ours/peer; ${warmRuns}; medians. Restore: each library's ` +
      `MemoryStorage, saved by a first manager (ours with keys sealed by an AES-GCM key, the peer's in plain text); "fresh" = every followSet at 1,000 ` +
      `and every signer back (ours: also status "ready", i.e. refreshed from the relay, not only its stored lists). Heap: process heap after full GCs ` +
      `(the relay's heap is the worker's, not counted).`;
    await writeResults(new URL("../../../bench/RESULTS.md", import.meta.url), rows, how, NOTES);
    console.log("written to bench/RESULTS.md");
  }
} catch (error) {
  console.error(error);
  code = 1;
} finally {
  await relay?.close().catch(() => undefined);
  clearTimeout(watchdog);
  // NDK keeps a 30 s timer per relay, so the process is ended explicitly.
  process.exit(code);
}
