/** The comparison table (console and bench/RESULTS.md): medians, the ratio ours/peer, the targets, the ranges. */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { median } from "../measure";
import type { Series } from "./rounds";

export interface CompareRow {
  figure: string;
  unit: string;
  ours: Series<number>;
  peer: Series<number>;
  /** PASS when ours/peer ≤ ratio (and, with oursMax, when every counted run of ours ≤ oursMax). */
  target?: { ratio?: number; oursMax?: number };
}

const fmt = (value: number) =>
  !Number.isFinite(value) ? "n/a" : Number.isInteger(value) ? String(value) : Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);

const med = (s: Series<number>) => (s.error || s.counted.length === 0 ? Number.NaN : median(s.counted));

function verdict(row: CompareRow, ratio: number): string {
  const { target } = row;
  if (!target) return "(info)";
  const checks: boolean[] = [];
  if (target.ratio !== undefined) {
    if (!Number.isFinite(ratio)) return "n/a";
    checks.push(ratio <= target.ratio);
  }
  if (target.oursMax !== undefined) {
    if (row.ours.error || row.ours.counted.length === 0) return "n/a";
    checks.push(Math.max(...row.ours.counted) <= target.oursMax);
  }
  return checks.every(Boolean) ? "PASS" : "FAIL";
}

const targetText = (row: CompareRow) =>
  [row.target?.ratio !== undefined ? `ratio <= ${row.target.ratio}` : "", row.target?.oursMax !== undefined ? `ours <= ${row.target.oursMax}` : ""]
    .filter(Boolean)
    .join(", ") || "-";

export function cells(rows: readonly CompareRow[]): string[][] {
  return rows.map((row) => {
    const ours = med(row.ours);
    const peer = med(row.peer);
    const ratio = ours / peer;
    const withUnit = (v: number) => (Number.isFinite(v) && row.unit ? `${fmt(v)} ${row.unit}` : fmt(v));
    return [row.figure, withUnit(ours), withUnit(peer), Number.isFinite(ratio) ? ratio.toFixed(2) : "n/a", targetText(row), verdict(row, ratio)];
  });
}

const HEADERS = ["figure", "ours (median)", "peer (median)", "ours/peer", "target", "result"];

export function printCompare(rows: readonly CompareRow[]): void {
  const table = cells(rows);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (row: readonly string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(line(HEADERS));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of table) console.log(line(row));
}

function range(s: Series<number>): string {
  if (s.error) return `n/a — ${s.error}`;
  if (s.counted.length === 0) return "n/a — no run";
  const warm = s.warm.length ? `; warm-up ${s.warm.map(fmt).join(", ")}` : "";
  return `${fmt(Math.min(...s.counted))}–${fmt(Math.max(...s.counted))} (${s.counted.length} runs${warm})`;
}

export function rangeLines(rows: readonly CompareRow[]): string[] {
  return rows.map((row) => `- ${row.figure.trim()} (${row.unit || "count"}): ours ${range(row.ours)}; peer ${range(row.peer)}`);
}

export function machine(): string {
  const cpus = os.cpus();
  return `${os.type()} ${os.release()} (${os.arch()}), ${cpus[0]?.model.trim() ?? "unknown cpu"}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
}

export async function writeResults(file: URL, rows: readonly CompareRow[], how: string, notes: readonly string[]): Promise<void> {
  const escape = (c: string) => c.replace(/\|/g, "\\|");
  const markdown = [
    "# ndk-session-engine vs @nostr-dev-kit/sessions",
    "",
    `- date: ${new Date().toISOString()}`,
    `- machine: ${machine()}`,
    "",
    `| ${HEADERS.join(" | ")} |`,
    `|${HEADERS.map((_, i) => (i === 0 || i === 4 ? "---" : "---:")).join("|")}|`,
    ...cells(rows).map((row) => `| ${row.map(escape).join(" | ")} |`),
    "",
    "## Ranges (min–max of the counted runs)",
    "",
    ...rangeLines(rows),
    ...(notes.length ? ["", "## Notes", "", ...notes.map((n) => `- ${n}`)] : []),
    "",
    "## How it was run",
    "",
    how,
    "",
  ].join("\n");
  await mkdir(new URL(".", file), { recursive: true });
  await writeFile(file, markdown);
}
