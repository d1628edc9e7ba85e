/**
 * What every fault scenario shares: its relays, NDKs, managers and storages (closed, destroyed and
 * scanned at the end), soft checks, bounded waits that return when a condition first held, the
 * leak scan (console, errors, inspection, subscribe payloads, snapshots, storage) and a check that
 * nothing it opened is left: no socket at its relays, no timer or socket of NDK or the effects.
 */
import { NDKPrivateKeySigner, NDKRelayStatus } from "@nostr-dev-kit/ndk";
import { connectedNdk, withRelay, type NDK } from "../support/env";
import { allRelays } from "../support/bunker";
import { managerFor } from "../support/engine";
import { LeakScanner } from "../support/leakScanner";
import { HandleWatch } from "../support/handles";
import { startRelayProxy, type RelayProxy } from "../support/relayProxy";
import type { LoopbackRelay, LoopbackRelayOptions } from "../../src/demo/loopbackRelay";
import type { KeyValueStorage, NDKSession, NDKSessionManager, SessionManagerOptions } from "../../src";

export interface RowOutcome {
  /** What the user sees: states, failure codes, typed errors. */
  sees: string;
  /** Sessions whose lists were lost or wrong at the end. */
  listsLost: number;
  /** ms from the fault ending to the state the user expects; undefined when there is nothing to recover. */
  recoveryMs?: number;
  /** How it was run (counts, timeouts), printed under the table. */
  notes?: string[];
}

export interface Scenario {
  title: string;
  /** The whole scenario, cleanup excluded, must end within this. */
  timeoutMs: number;
  run(ctx: FaultContext): Promise<RowOutcome>;
}

const LEVELS = ["log", "info", "warn", "error", "debug", "trace"] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FaultContext {
  readonly scanner = new LeakScanner();
  /** Checks that failed (the row is FAIL when any did). */
  readonly failures: string[] = [];
  /** Console lines the library printed during the scenario (kept quiet, and scanned). */
  readonly consoleLines: string[] = [];
  private readonly secretSet = new Set<string>();
  private readonly cleanups: Array<() => unknown> = [];
  private readonly relays: LoopbackRelay[] = [];
  private readonly storages: Array<[string, KeyValueStorage]> = [];
  private readonly watch = new HandleWatch();
  private readonly realConsole = LEVELS.map((level) => [level, console[level]] as const);

  constructor() {
    // Kept quiet, and kept whole: an Error's message, stack and cause as the terminal would show them.
    const text = (arg: unknown): string => (arg instanceof Error ? `${arg.stack ?? arg}${arg.cause ? ` [cause: ${text(arg.cause)}]` : ""}` : String(arg));
    for (const level of LEVELS) console[level] = (...args: unknown[]) => void this.consoleLines.push(`${level}: ${args.map(text).join(" ")}`);
    this.scanner.captureConsole();
  }

  get secrets(): string[] {
    return [...this.secretSet];
  }

  /** A soft check: recorded, the scenario goes on. */
  check(ok: boolean, what: string): boolean {
    if (!ok) this.failures.push(what);
    return ok;
  }

  /** Values that must never be seen anywhere (keys, passphrases, NIP-46 secrets). */
  secret(...values: Array<string | undefined>): void {
    for (const value of values) if (value) this.secretSet.add(value);
  }

  /** A fresh key, registered as a secret (hex and nsec). */
  key(): NDKPrivateKeySigner {
    const key = NDKPrivateKeySigner.generate();
    this.secret(key.privateKey, key.nsec);
    return key;
  }

  defer(cleanup: () => unknown): void {
    this.cleanups.push(cleanup);
  }

  /** An error the scenario caught: scanned like any output. */
  caught(where: string, error: unknown): void {
    this.scanner.addError(where, error);
  }

  async relay(options?: LoopbackRelayOptions): Promise<LoopbackRelay> {
    const relay = await withRelay(options);
    this.relays.push(relay);
    return relay;
  }

  async proxy(relayUrl: string): Promise<RelayProxy> {
    const proxy = await startRelayProxy(relayUrl);
    this.defer(() => proxy.close());
    return proxy;
  }

  async ndk(urls: string[]): Promise<NDK> {
    const ndk = await connectedNdk(urls);
    this.defer(async () => {
      const relays = allRelays(ndk);
      // Out of the pool first: NDK reconnects a pool of 2+ relays when most of them drop at once.
      for (const url of [...ndk.pool.relays.keys()]) ndk.pool.removeRelay(url);
      for (const relay of relays) relay.disconnect();
      await this.until(() => relays.every((r) => r.status === NDKRelayStatus.DISCONNECTED), 3000, "an NDK's sockets to close");
    });
    return ndk;
  }

  /** A manager (test/support/engine) whose inspection, subscribe payloads and final snapshot are scanned; destroyed at the end. */
  manager(ndk: NDK, options: SessionManagerOptions = {}) {
    const made = managerFor(ndk, { ...options, inspect: this.scanner.inspect });
    const unwatch = this.scanner.watch(made.manager);
    this.defer(async () => {
      this.scanner.add("persisted snapshot", made.manager.actor.getPersistedSnapshot());
      unwatch();
      await made.manager.destroy();
      const error = made.manager.storageError;
      if (error) this.caught("storageError", error);
    });
    return made;
  }

  /** Scanned (every key) once the scenario's managers are destroyed. */
  scanStorage(where: string, storage: KeyValueStorage): void {
    this.storages.push([where, storage]);
  }

  /**
   * Until `check` holds, polled every 2 ms, at most `timeoutMs`: resolves with the time
   * (`performance.now()`) it was first seen to hold; rejects naming `what`.
   */
  async until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(2);
    }
    return performance.now();
  }

  /** The states a session goes through from now on, as the user sees them (the read model's slice). */
  trail(manager: NDKSessionManager, pubkey: string, region: "status" | "signer" = "status") {
    const describe = (session: NDKSession | undefined) => {
      if (!session) return "none";
      if (region === "status") return session.status === "error" ? `error(${session.failure?.code})` : session.status;
      return session.signerFailure ? `${session.signerState}(${session.signerFailure.code})` : session.signerState;
    };
    const seen: string[] = [];
    const push = (state: string) => void (seen[seen.length - 1] !== state && seen.push(state));
    const selection = manager.select((state) => describe(state.sessions.get(pubkey)));
    push(selection.get());
    this.defer(selection.subscribe(push));
    return {
      seen,
      /** The states in order, a repeated run written once: "(fetching → error(offline)) ×2 → fetching → ready". */
      text: () => compact(seen.filter((s) => s !== "none")),
    };
  }

  /** Runs the cleanups (last first), scans storage, checks that nothing is left open, and stops watching. */
  async finish(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        this.failures.push(`cleanup failed: ${(error as Error).message}`);
      }
    }
    for (const [where, storage] of this.storages) {
      try {
        for (const key of await storage.keys()) this.scanner.add(`${where} ${key}`, await storage.getItem(key));
      } catch (error) {
        this.scanner.add(`${where} unreadable`, String(error));
      }
    }
    for (const relay of this.relays) {
      const open = () => relay.connections();
      await this.until(() => open() === 0, 3000, "").catch(() => this.failures.push(`${open()} socket(s) still open at a relay after cleanup`));
      await relay.close();
    }
    // NDK re-arms a 30 s validation tick per relay for life (no handle to clear): only the effects' own
    // timers and any socket count as left behind.
    const left = () => this.watch.alive().filter((h) => h.type !== "Timeout" || h.where.split("\n")[0]!.includes("/src/"));
    await this.until(() => left().length === 0, 3000, "").catch(() =>
      this.failures.push(`left behind: ${left().map((h) => `${h.type} ${h.where.split("\n")[0]!.trim()}`).join("; ")}`),
    );
    this.watch.stop();
    this.scanner.stop();
    this.scanner.add("console, as printed", this.consoleLines.join("\n"));
    for (const [level, original] of this.realConsole) console[level] = original;
  }
}

/** A sequence with each run of a repeated block (up to 4 states long) written once, with its count. */
export function compact(states: readonly string[]): string {
  const out: string[] = [];
  const same = (a: number, b: number, len: number) => states.slice(a, a + len).join("\u0000") === states.slice(b, b + len).join("\u0000");
  for (let i = 0; i < states.length; ) {
    let best = { len: 1, times: 1 };
    for (let len = 1; len <= 4; len++) {
      let times = 1;
      while (i + (times + 1) * len <= states.length && same(i, i + times * len, len)) times++;
      if (times > 1 && times * len > best.times * best.len) best = { len, times };
    }
    const block = states.slice(i, i + best.len).join(" → ");
    out.push(best.times > 1 ? `(${block}) ×${best.times}` : block);
    i += best.len * best.times;
  }
  return out.join(" → ");
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;
