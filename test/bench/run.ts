/**
 * `npm run bench`: the performance figures of the session engine against a real relay on
 * 127.0.0.1, run on a thread of its own (its work is not on the engine's clock, nor its memory in
 * the heap figures), with real keys and signed events published beforehand. Prints the median of each
 * figure next to its target. Heap figures need gc: run with `tsx --expose-gc`; without the flag
 * it is switched on at run time.
 */
import type { RelayThread } from "./relayThread";
import { logger, runBench } from "./entry";
import { connectedNdk, disconnect, publishAccounts } from "./fixtures";
import { heapPerSession } from "./heap";
import { loginFollows, sequentialLogins, switching } from "./latency";
import { restoreFigures } from "./restore";
import { secretsFigures } from "./secrets";
import { inspectionOverhead, type Variant } from "./inspection";
import { followFigures } from "./writes";
import { getGc, median, now, spread, type Row } from "./measure";

const RUNS = 7; // latency figures: counted runs (after warm-up runs)
const HEAP_RUNS = 5; // heap figures: counted runs per size
const SESSIONS = 20;
const RESTORED = 50; // sessions in the restore figures
const SWITCHES = 10_000; // per batch; one batch is one run of figure 3
const DEADLINE_MS = 240_000;

const log = logger("bench");

/** Bare, inspected (read model fed) and inspected with one `select` listener, with the overhead against bare. */
function overheadRows(title: string, figures: Record<Variant, number[]>, perBatch: string): Row[] {
  const bare = median(figures.bare);
  const over = (values: number[]) => `${spread(values, 2)}; ${(((median(values) / bare) - 1) * 100).toFixed(1)}% (issue 5 target ≤ +20%)`;
  return [
    { figure: `${title}, no inspection`, value: bare, unit: "µs", runs: `${figures.bare.length}x${perBatch}`, detail: spread(figures.bare, 2) },
    { figure: "   XState inspection, no-op observer", value: median(figures.dispatch), unit: "µs", runs: `${figures.dispatch.length}x${perBatch}`, detail: over(figures.dispatch) },
    { figure: "   read model fed by inspection", value: median(figures.inspected), unit: "µs", runs: `${figures.inspected.length}x${perBatch}`, detail: over(figures.inspected) },
    { figure: "   + one select() listener", value: median(figures.selected), unit: "µs", runs: `${figures.selected.length}x${perBatch}`, detail: over(figures.selected) },
  ];
}

async function main(relay: RelayThread): Promise<Row[]> {
  const { gc, how } = getGc();
  log(`node ${process.version}, gc via ${how}, relay ${relay.url}`);

  // All events are signed and published by an NDK that is disconnected and dropped before any figure.
  let publisher: Awaited<ReturnType<typeof connectedNdk>> | undefined = await connectedNdk([relay.url]);
  const started = now();
  const loginAccounts = await publishAccounts(publisher, relay.url, 2 + RUNS, 1000);
  const set1000 = await publishAccounts(publisher, relay.url, SESSIONS, 1000);
  const set5000 = await publishAccounts(publisher, relay.url, SESSIONS, 5000);
  const restoreSet = await publishAccounts(publisher, relay.url, RESTORED, 1000);
  const [writer] = await publishAccounts(publisher, relay.url, 1, 1000);
  disconnect(publisher);
  publisher = undefined;
  log(`published ${(loginAccounts.length + 2 * SESSIONS + RESTORED + 1) * 4} events in ${((now() - started) / 1000).toFixed(1)} s`);

  const f1 = await loginFollows(relay, loginAccounts, 2);
  log("figure 1 done");
  const f2 = await sequentialLogins(relay, set1000, RUNS, 1);
  log("figures 2 and 5 done");
  const f3 = await switching(relay, set1000[0]!, set1000[1]!, RUNS, SWITCHES);
  log(`figure 3 done (${f3.notifications} listener calls)`);
  const heap1000 = await heapPerSession(relay, set1000, HEAP_RUNS, 1, gc);
  const heap5000 = await heapPerSession(relay, set5000, HEAP_RUNS, 1, gc);
  log(`figure 4 done (warm-up runs: ${heap1000.warmup.map((v) => v.toFixed(1))} / ${heap5000.warmup.map((v) => v.toFixed(1))} KiB)`);

  const f6 = await restoreFigures(relay, restoreSet, RUNS, 1);
  const f6sealed = await restoreFigures(relay, restoreSet, RUNS, 1, "sealed");
  const f6none = await restoreFigures(relay, restoreSet, RUNS, 1, "none");
  log("figure 6 done");
  const f7 = await secretsFigures(relay, restoreSet, 5);
  log("figure 7 done");
  const f8 = await inspectionOverhead(relay, set1000[0]!, set1000[1]!, RUNS, SWITCHES);
  log("figure 8 done");
  const f10 = await followFigures(relay, writer!, 9, 2);
  log("figure 10 done");

  const runs = (values: readonly number[], extra = "") => `${values.length}${extra}`;
  return [
    { figure: "1. login -> followSet 1,000", value: median(f1.login), unit: "ms", runs: runs(f1.login, " (+2 warm)"), target: 15, detail: `${spread(f1.login)}; REQ at relay after ${median(f1.toReq).toFixed(1)} ms` },
    { figure: "   bare REQ->EOSE, NDK verifies", value: median(f1.bareVerified), unit: "ms", runs: runs(f1.bareVerified), detail: spread(f1.bareVerified) },
    { figure: "   bare REQ->EOSE, skipVerification", value: median(f1.bareUnverified), unit: "ms", runs: runs(f1.bareUnverified), detail: spread(f1.bareUnverified) },
    { figure: `2. ${SESSIONS} sequential logins (1,000 follows)`, value: median(f2.ms), unit: "ms", runs: runs(f2.ms, " (+1 warm)"), target: 200, detail: spread(f2.ms) },
    { figure: "3. switchTo", value: median(f3.bare), unit: "µs", runs: `${f3.bare.length}x${SWITCHES}`, target: 10, detail: spread(f3.bare, 2) },
    { figure: "   switchTo, 1 subscribe() listener", value: median(f3.withListener), unit: "µs", runs: `${f3.withListener.length}x${SWITCHES}`, detail: `${spread(f3.withListener, 2)}; includes the listener's own work` },
    { figure: "4. heap/session, 1,000 follows", value: median(heap1000.perSession), unit: "KiB", runs: runs(heap1000.perSession, ` x${SESSIONS}`), target: 60, detail: spread(heap1000.perSession) },
    { figure: "   heap/session, 5,000 follows", value: median(heap5000.perSession), unit: "KiB", runs: runs(heap5000.perSession, ` x${SESSIONS}`), target: 250, detail: spread(heap5000.perSession) },
    { figure: `5. open relay subs after ${SESSIONS} logins`, value: median(f2.openSettled), unit: "", runs: runs(f2.openSettled), target: 1, detail: `values ${f2.openSettled.join(",")}; REQs/run ${median(f2.reqs)}` },
    { figure: "   same, at the instant all are ready", value: median(f2.openAtReady), unit: "", runs: runs(f2.openAtReady), detail: `${f2.heldAtReady[0]} (its CLOSE not yet read by the relay)` },
    { figure: `6. restore ${RESTORED} x 1,000 follows: usable`, value: median(f6.usable), unit: "ms", runs: runs(f6.usable, " (+1 warm)"), target: 20, detail: spread(f6.usable) },
    { figure: "   restore: all refreshed and signing", value: median(f6.refreshed), unit: "ms", runs: runs(f6.refreshed), target: 100, detail: `${spread(f6.refreshed)}; keys plain (unsafe)` },
    { figure: "   restore, keys sealed (AES-GCM): usable", value: median(f6sealed.usable), unit: "ms", runs: runs(f6sealed.usable, " (+1 warm)"), target: 20, detail: spread(f6sealed.usable) },
    { figure: "   restore, keys sealed: refreshed + signing", value: median(f6sealed.refreshed), unit: "ms", runs: runs(f6sealed.refreshed), target: 100, detail: spread(f6sealed.refreshed) },
    { figure: "   restore, no keys: usable", value: median(f6none.usable), unit: "ms", runs: runs(f6none.usable, " (+1 warm)"), target: 20, detail: spread(f6none.usable) },
    { figure: "   restore, no keys: all refreshed (read)", value: median(f6none.refreshed), unit: "ms", runs: runs(f6none.refreshed), target: 100, detail: `${spread(f6none.refreshed)}; each signer needsLogin` },
    { figure: "   persisted bytes per session", value: f6.bytesPerSession / 1024, unit: "KiB", runs: "1", detail: `${(f6.bytesPerSession * RESTORED / 1024).toFixed(0)} KiB for ${RESTORED}` },
    { figure: `7. readable private keys, ${RESTORED} stored`, value: f7.readableKeys.default + f7.readableKeys.nip49, unit: "", runs: "1", target: 0, detail: `default ${f7.readableKeys.default}, NIP-49 ${f7.readableKeys.nip49}; with unsafePersistPrivateKeys ${f7.readableKeys.unsafe}` },
    { figure: "   unlock one NIP-49 key (logn 16)", value: median(f7.unlock), unit: "ms", runs: runs(f7.unlock), detail: `${spread(f7.unlock)}; blocks the thread meanwhile` },
    { figure: `   restore ${RESTORED} locked: NIP-49 decryptions`, value: f7.scryptOnRestore, unit: "", runs: "1", target: 0, detail: `restore() took ${f7.restoreLocked.toFixed(1)} ms` },
    ...overheadRows("8. switch via actor", f8.switches, `${SWITCHES}`),
    ...overheadRows("9. one live kind-3 update (1,000 follows)", f8.updates, "50"),
    ...overheadRows("   one live kind-3 update (10 follows)", f8.smallUpdates, "200"),
    { figure: "10. follow on a 1,000-follow list: call -> relay OK", value: median(f10.toOk), unit: "ms", runs: runs(f10.toOk, " (+2 warm)"), detail: `${spread(f10.toOk)}; reads the newest list first` },
    { figure: "   call -> settled (checked that no rival won)", value: median(f10.toSettled), unit: "ms", runs: runs(f10.toSettled), detail: spread(f10.toSettled) },
  ];
}

await runBench("bench", DEADLINE_MS, main);
