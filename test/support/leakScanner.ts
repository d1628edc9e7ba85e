import { vi } from "vitest";
import type { InspectionEvent } from "xstate";
import type { NDKSessionManager } from "../../src";

/**
 * Collects everything a library run lets out — console output, inspection events, subscribe
 * payloads, persisted snapshots, error messages, stored values — so a test can scan it for secrets.
 */
export class LeakScanner {
  private readonly chunks: Array<{ where: string; text: string }> = [];
  private readonly restores: Array<() => void> = [];

  /** Every console line from now on (kept, and still printed). */
  captureConsole(): void {
    for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const) {
      const original = console[level];
      const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        this.add(`console.${level}`, args);
        original.apply(console, args);
      });
      this.restores.push(() => spy.mockRestore());
    }
  }

  /** An inspection observer to pass as the manager's `inspect` option. */
  readonly inspect = (event: InspectionEvent): void => {
    this.add(`inspection ${event.type}`, { event: (event as { event?: unknown }).event, snapshot: (event as { snapshot?: unknown }).snapshot });
  };

  watch(manager: NDKSessionManager): () => void {
    return manager.subscribe((state) => this.add("subscribe", state));
  }

  add(where: string, value: unknown): void {
    this.chunks.push({ where, text: typeof value === "string" ? value : safeStringify(value) });
  }

  addError(where: string, error: unknown): void {
    const e = error as { name?: string; message?: string; stack?: string };
    this.add(where, `${e?.name} ${e?.message} ${e?.stack}`);
  }

  /** Where each secret was found (empty when nothing leaked). */
  findings(secrets: readonly string[]): string[] {
    const found: string[] = [];
    for (const secret of secrets) for (const { where, text } of this.chunks) if (text.includes(secret)) found.push(`${where} holds ${secret.slice(0, 6)}…`);
    return found;
  }

  get size(): number {
    return this.chunks.length;
  }

  stop(): void {
    for (const restore of this.restores.splice(0)) restore();
  }
}

/** JSON of anything, with cycles and class instances walked as far as JSON goes (Maps and Sets included). */
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (typeof v !== "object" || v === null) return v;
      if (seen.has(v)) return "[cycle]";
      seen.add(v);
      if (v instanceof Map) return Object.fromEntries(v);
      if (v instanceof Set) return [...v];
      return v;
    });
  } catch (error) {
    return `[unserialisable: ${(error as Error).message}]`;
  }
}
