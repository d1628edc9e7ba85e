import type { Hexpubkey } from "../../machines";
import { after, nextTurn, type TurnHandle } from "./nextTurn";

/** Rebuilds under way at once, besides the preferred one. */
const SLOTS = 8;
/**
 * A rebuild still under way after this long waits on the network (a bunker, an extension), not on
 * this thread: its slot goes to the next one.
 */
const SLOT_MS = 20;
/** The longest the others wait for the preferred session's rebuild (a bunker may take seconds). */
const LEAD_MS = 50;

/**
 * Signer rebuilds (a key unsealed and derived, a remote signer's connection), so that a restore of
 * many sessions shows their lists at once and signs for the active one first: the preferred
 * session's (the active one) runs at once and the others wait for it (at most LEAD_MS); then the
 * others run SLOTS at a time, started in later turns of the event loop. Starting them
 * all at once would queue every unsealing before anything else the thread has to do. An aborted
 * wait (the session left meanwhile) rejects and never runs.
 */
export class Turns {
  private preferred: Hexpubkey | null = null;
  private readonly waiting = new Map<Hexpubkey, () => void>();
  private timer: TurnHandle | undefined;
  private readonly slotTimers = new Set<ReturnType<typeof setTimeout>>();
  private busy = 0;
  /** The preferred rebuild under way, settled or not. */
  private leading: Promise<void> | undefined;

  /** `beforeOthers` runs each time the others' work is about to start (the keyring opens their secrets together then). */
  constructor(private readonly beforeOthers?: () => void) {}

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
        const running = pubkey === this.preferred ? this.lead(work()) : this.inSlot(work());
        running.then(resolve, reject);
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.waiting.set(pubkey, start);
      this.schedule();
    });
  }

  /** Drops what waits (destroy): its promises never settle, their actors are gone. */
  clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    for (const timer of this.slotTimers) clearTimeout(timer);
    this.slotTimers.clear();
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
      this.timer?.cancel();
      this.timer = undefined;
      this.schedule();
    }
    void settled.then(() => {
      if (this.leading !== settled) return;
      this.leading = undefined;
      // The others waited for this one: they go now.
      this.timer?.cancel();
      this.timer = undefined;
      this.schedule();
    });
    return running;
  }

  /** Holds a slot until the work settles or SLOT_MS pass, whichever is first. */
  private inSlot<T>(running: Promise<T>): Promise<T> {
    this.busy++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(slotTimer);
      this.slotTimers.delete(slotTimer);
      this.busy--;
      this.schedule();
    };
    const slotTimer = setTimeout(release, SLOT_MS);
    this.slotTimers.add(slotTimer);
    running.then(release, release);
    return running;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.waiting.size === 0 || this.busy >= SLOTS) return;
    const pump = () => {
      this.timer = undefined;
      this.leading = undefined; // it settled, or LEAD_MS is over: the others wait no longer
      this.beforeOthers?.();
      for (const [pubkey, start] of this.waiting) {
        if (this.busy >= SLOTS) break;
        this.waiting.delete(pubkey);
        start();
      }
    };
    this.timer = this.leading ? after(LEAD_MS, pump) : nextTurn(pump);
  }
}
