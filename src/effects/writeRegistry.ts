import type { Hexpubkey, WriteOutcome } from "../../machines";
import type { SessionError } from "../errors";
import { ListWriteError, writeErrorOf } from "../lists/listWriteErrors";

/** What a list write came to: whether the list changed, and the relays that accepted it (OK true). */
export interface WriteResult {
  changed: boolean;
  relays: string[];
}

interface Pending {
  pubkey: Hexpubkey;
  resolve(result: WriteResult): void;
  reject(error: SessionError): void;
  /** Stops listening to the caller's signal. */
  detach(): void;
}

/**
 * The callers waiting for list writes, by request id. Promises are not JSON, so they stay here, in
 * the effects, and the session's events carry only the id; the session reports each outcome
 * (its `reportWrite` action), and a logout or destroy() ends whatever still waits. Every entry
 * leaves when it settles: the map holds only writes under way.
 *
 * Beside them, what each write under way encrypted (ciphertext → plaintext), by the write's first
 * request id: a write is made once per attempt (its effect ends with each), and an attempt made
 * again on another client's version reads our own new items back without asking a remote signer to
 * decrypt them. Plaintexts never leave the effects; they go when the write settles.
 */
export class WriteRegistry {
  private readonly pending = new Map<string, Pending>();
  private readonly plaintexts = new Map<string, { pubkey: Hexpubkey; known: Map<string, string> }>();
  private serial = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  /** A request id no other write of this process has. */
  nextId(): string {
    return `${this.prefix}-${++this.serial}`;
  }

  /**
   * The outcome of `requestId`, once its session settles it. An aborted `signal` stops the wait
   * (rejects with `write-aborted`); the write itself goes on, as relays may already hold it.
   */
  wait(requestId: string, pubkey: Hexpubkey, signal?: AbortSignal): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      const abort = () => this.finish(requestId, (p) => p.reject(new ListWriteError("Stopped waiting for the write (its signal was aborted); the write itself goes on", "write-aborted")));
      signal?.addEventListener("abort", abort, { once: true });
      this.pending.set(requestId, { pubkey, resolve, reject, detach: () => signal?.removeEventListener("abort", abort) });
    });
  }

  /**
   * The plaintexts write `writeId` of `pubkey` encrypted so far, to add to: kept across its attempts,
   * afresh for a first attempt.
   */
  encrypted(pubkey: Hexpubkey, writeId: string, fresh: boolean): Map<string, string> {
    const kept = this.plaintexts.get(writeId);
    if (kept && !fresh && kept.pubkey === pubkey) return kept.known;
    const known = new Map<string, string>();
    this.plaintexts.set(writeId, { pubkey, known });
    return known;
  }

  /** The session settled these requests (one write, or writes of one list merged into one). */
  settle(requestIds: readonly string[], outcome: WriteOutcome): void {
    for (const id of requestIds) {
      this.plaintexts.delete(id);
      this.finish(id, (p) => (outcome.ok ? p.resolve({ changed: outcome.changed, relays: [...outcome.relays] }) : p.reject(writeErrorOf(outcome.failure))));
    }
  }

  /** The session logged out: its writes will not settle. */
  release(pubkey: Hexpubkey): void {
    for (const [id, kept] of [...this.plaintexts]) if (kept.pubkey === pubkey) this.plaintexts.delete(id);
    for (const [id, p] of [...this.pending]) if (p.pubkey === pubkey) this.finish(id, cancelled);
  }

  /** The manager is destroyed: nothing will settle. */
  clear(): void {
    this.plaintexts.clear();
    for (const id of [...this.pending.keys()]) this.finish(id, cancelled);
  }

  /** Writes still waiting (for tests and diagnostics). */
  get size(): number {
    return this.pending.size;
  }

  /** Writes whose plaintexts are kept (for tests: none once every write settled). */
  get remembered(): number {
    return this.plaintexts.size;
  }

  private finish(requestId: string, settle: (pending: Pending) => void): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    pending.detach();
    settle(pending);
  }
}

const cancelled = (pending: Pending) => pending.reject(new ListWriteError("The session logged out (or the manager was destroyed) before the write settled", "write-cancelled"));
