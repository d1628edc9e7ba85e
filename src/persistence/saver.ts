import { storageFailure, type StorageError } from "../errors";
import type { EngineStorage } from "../storage/types";
import type { SavedState } from "./body";
import { envelopeText } from "./records";

/**
 * Writes the state through the storage's `save(records, activePubkey, envelope)`: debounced, one
 * write at a time, and only when what would be written changed. `state()` gives the envelope's body
 * (its header — format, version, time — is prepended) and the same accounts as the peer's records.
 */
export class Saver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastBody: string | undefined;
  private closed = false;
  private refusal: StorageError | undefined;
  /** The last save failure, for the app to show; cleared by a successful write. */
  lastError: StorageError | undefined;

  constructor(
    private readonly storage: EngineStorage,
    private readonly state: () => SavedState,
    private readonly debounceMs: number,
  ) {}

  /** An auto-save `debounceMs` from now, replacing any pending one; a failure is logged as the peer logs it. */
  schedule(): void {
    if (this.closed || this.refusal) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush().catch(autoSaveFailed), this.debounceMs);
  }

  /** Writes now (after any write under way); resolves when stored, rejects with a StorageError. */
  flush(state?: SavedState): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return this.chain;
    const write = this.chain.catch(() => {}).then(() => this.write(state ?? this.state()));
    this.chain = write;
    return write;
  }

  /**
   * Flushes a pending save, then writes nothing more. The state is taken now, synchronously, so the
   * caller may stop the actors right after.
   */
  close(): Promise<void> {
    const pending = this.timer !== undefined;
    const last = pending ? this.flush(this.state()) : this.chain;
    this.closed = true;
    clearTimeout(this.timer);
    return last.catch((error: unknown) => (pending ? autoSaveFailed(error) : undefined));
  }

  /** Never write again in this run (the stored data is of a newer format than this code knows). */
  refuse(reason: StorageError): void {
    this.refusal = reason;
    clearTimeout(this.timer);
  }

  /** What is stored now, as loaded: the next save is skipped unless something changed. */
  markStored(body: string | undefined): void {
    this.lastBody = body;
  }

  /** Cancels a pending save without writing (clear()). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async write({ body, records, activePubkey }: SavedState): Promise<void> {
    if (this.refusal) throw this.refusal;
    if (body === this.lastBody) return;
    try {
      await this.storage.save(records, activePubkey, envelopeText(body));
    } catch (error) {
      this.lastError = storageFailure(error, "The state could not be saved");
      throw this.lastError;
    }
    this.lastBody = body;
    this.lastError = undefined;
  }
}

/** What the peer logs when an auto-save fails (the manager keeps working; the next change saves again). */
function autoSaveFailed(error: unknown): void {
  console.error("Failed to auto-save sessions:", error);
}
