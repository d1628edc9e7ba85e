/** Small measuring helpers for the bench: bounded waits, medians, gc, and the result table. */
import v8 from "node:v8";
import vm from "node:vm";

export const now = () => performance.now();

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Polls `check` once per event-loop turn (setImmediate, so I/O and microtasks run in between)
 * until it holds; throws after `timeoutMs`.
 */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!check()) {
    if (now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `gc` from `--expose-gc`, or (when run without the flag) switched on at run time. */
export function getGc(): { gc: () => void; how: string } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return { gc: exposed, how: "--expose-gc" };
  v8.setFlagsFromString("--expose-gc");
  return { gc: vm.runInNewContext("gc") as () => void, how: "v8.setFlagsFromString('--expose-gc')" };
}

/**
 * Retained memory after full collections with event-loop turns in between (so weak references and
 * finalizers settle): the JS heap plus the ArrayBuffers' backing stores, which live outside it (a
 * large typed array's bytes would not count otherwise).
 */
export async function settleHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(5);
  }
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

export interface Row {
  figure: string;
  value: number;
  unit: string;
  runs: string;
  /** Undefined for rows printed only for comparison. */
  target?: number;
  detail?: string;
}

const fmt = (value: number) =>
  Number.isNaN(value) ? "n/a" : Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);

export function printTable(rows: readonly Row[]): void {
  const table = rows.map((row) => ({
    figure: row.figure,
    median: `${fmt(row.value)} ${row.unit}`,
    runs: row.runs,
    target: row.target === undefined ? "-" : `<= ${row.target} ${row.unit}`,
    result: row.target === undefined ? "(info)" : row.value <= row.target ? "PASS" : "FAIL",
    detail: row.detail ?? "",
  }));
  const headers = ["figure", "median", "runs", "target", "result", "detail"] as const;
  const widths = headers.map((h) => Math.max(h.length, ...table.map((r) => r[h].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(line(headers));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of table) console.log(line(headers.map((h) => r[h])));
}

/** "min–max" of a sample, for the detail column. */
export function spread(values: readonly number[], digits = 1): string {
  if (values.length === 0) return "";
  return `range ${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}
