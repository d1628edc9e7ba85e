import { StorageError } from "../errors";
import { CURRENT_VERSION, FORMAT } from "./envelope";
import { STATE_KEY, type KeyValueStorage } from "../storage/types";

/**
 * Writes the state: debounced, one write at a time, and only when what would be written changed.
 * `body()` is the envelope without its header; the header (format, version, time) is prepended.
 */
export class Saver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastBody: string | undefined;
  private closed = false;
  private refusal: StorageError | undefined;
  /** The last auto-save failure, for the app to show; cleared by a successful write. */
  lastError: StorageError | undefined;

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly body: () => string,
    private readonly debounceMs: number,
  ) {}

  /** A save `debounceMs` from now, replacing any pending one. */
  schedule(): void {
    if (this.closed || this.refusal) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush().catch(() => {}), this.debounceMs);
  }

  /** Writes now (after any write under way); resolves when stored, rejects with a StorageError. */
  flush(body?: string): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return this.chain;
    const write = this.chain.catch(() => {}).then(() => this.write(body ?? this.body()));
    this.chain = write;
    return write;
  }

  /**
   * Flushes a pending save, then writes nothing more. The body is taken now, synchronously, so the
   * caller may stop the actors right after.
   */
  close(): Promise<void> {
    const last = this.timer !== undefined ? this.flush(this.body()) : this.chain;
    this.closed = true;
    clearTimeout(this.timer);
    return last.catch(() => {});
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

  private async write(body: string): Promise<void> {
    if (this.refusal) throw this.refusal;
    if (body === this.lastBody) return;
    const header = `{"format":${JSON.stringify(FORMAT)},"version":${CURRENT_VERSION},"savedAt":${Date.now()},`;
    try {
      await this.storage.setItem(STATE_KEY, header + body.slice(1));
    } catch (error) {
      this.lastError = error instanceof StorageError ? error : new StorageError(`The state could not be saved (${(error as Error).name})`);
      throw this.lastError;
    }
    this.lastBody = body;
    this.lastError = undefined;
  }
}
