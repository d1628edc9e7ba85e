import type { Hexpubkey } from "../../machines";

/** Work per turn of the event loop. */
const TURN_MS = 4;
/** The longest the others wait for the preferred session's rebuild (a bunker may take seconds). */
const LEAD_MS = 50;

/**
 * Signer rebuilds (a key derivation, a remote signer's connection) one after another: the preferred
 * session's (the active one) at once, the others a few milliseconds of them per turn of the event
 * loop, so a restore of many sessions shows their lists and signs for the active one first. While
 * the preferred rebuild runs, the others wait for it (at most LEAD_MS): their continuations would
 * otherwise run between its asynchronous steps. An aborted wait (the session left meanwhile)
 * rejects and never runs.
 */
export class Turns {
  private preferred: Hexpubkey | null = null;
  private readonly waiting = new Map<Hexpubkey, () => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The preferred rebuild under way, settled or not. */
  private leading: Promise<void> | undefined;

  /** This session goes first from now on; its waiting work starts now. */
  prefer(pubkey: Hexpubkey | null): void {
    this.preferred = pubkey;
    const start = pubkey ? this.waiting.get(pubkey) : undefined;
    if (!start) return;
    this.waiting.delete(pubkey!);
    start();
  }

  run<T>(pubkey: Hexpubkey, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (pubkey === this.preferred) return this.lead(work());
    return new Promise<T>((resolve, reject) => {
      const abort = () => {
        if (this.waiting.get(pubkey) !== start) return;
        this.waiting.delete(pubkey);
        reject(signal?.reason);
      };
      const start = () => {
        signal?.removeEventListener("abort", abort);
        const running = pubkey === this.preferred ? this.lead(work()) : work();
        running.then(resolve, reject);
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.waiting.set(pubkey, start);
      this.schedule();
    });
  }

  /** Drops what waits (destroy): its promises never settle, their actors are gone. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.leading = undefined;
    this.waiting.clear();
  }

  private lead<T>(running: Promise<T>): Promise<T> {
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.leading = settled;
    if (this.timer !== undefined) {
      // The others' turn was due now: it waits for this one instead.
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule();
    }
    void settled.then(() => {
      if (this.leading !== settled) return;
      this.leading = undefined;
      // The others waited for this one: they go now.
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.waiting.size > 0) this.schedule();
    });
    return running;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.leading = undefined;
        const until = performance.now() + TURN_MS;
        for (const [pubkey, start] of this.waiting) {
          this.waiting.delete(pubkey);
          start();
          if (performance.now() > until) break;
        }
        if (this.waiting.size > 0) this.schedule();
      },
      this.leading ? LEAD_MS : 0,
    );
  }
}
