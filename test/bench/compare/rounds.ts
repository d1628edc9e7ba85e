/**
 * Runs a figure on both libraries in alternation (ours then peer, then peer then ours, …) so that a
 * slow spell of this noisy machine does not land on one side. A library that fails a run (a bounded
 * wait timing out, an error) is not run again for that figure: it is reported n/a with the reason.
 * A failure of the relay thread ends the bench instead.
 */
import type { Library, Side } from "./adapters";
import { RelayThreadError } from "../relayThread";

export interface Series<T> {
  counted: T[];
  warm: T[];
  /** Why this library has no figure here. */
  error?: string;
}

export type Pair<T> = Record<Side, Series<T>>;

export async function alternate<T>(
  libs: Record<Side, Library>,
  warm: number,
  runs: number,
  once: (lib: Library) => Promise<T>,
): Promise<Pair<T>> {
  const result: Pair<T> = { ours: { counted: [], warm: [] }, peer: { counted: [], warm: [] } };
  for (let run = 0; run < warm + runs; run++) {
    const order: Side[] = run % 2 === 0 ? ["ours", "peer"] : ["peer", "ours"];
    for (const side of order) {
      const series = result[side];
      if (series.error) continue;
      try {
        const value = await once(libs[side]);
        (run < warm ? series.warm : series.counted).push(value);
      } catch (error) {
        if (error instanceof RelayThreadError) throw error; // the bench broke, not the library
        series.error = error instanceof Error ? error.message : String(error);
      }
    }
  }
  return result;
}

/** The same series, one number per run. */
export function pick<T>(pair: Pair<T>, value: (run: T) => number): Pair<number> {
  const map = (s: Series<T>): Series<number> => ({ counted: s.counted.map(value), warm: s.warm.map(value), error: s.error });
  return { ours: map(pair.ours), peer: map(pair.peer) };
}
