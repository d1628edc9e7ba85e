import { sumHolds, type DamagedEntry, type FetchedLists, type Hexpubkey, type ListEntry, type ListSlots, type ListsInput } from "../../machines";
import { failure } from "../errors";
import { nextTurn, type TurnHandle } from "./nextTurn";
import type { EngineRuntime } from "./runtime";

/**
 * Finds stored list entries damaged at rest (bit rot, a bad write): their checksum (machines/checksum.ts)
 * no longer holds. It runs where a refresh of a session's lists starts, never on the restore path:
 * hashing 50 restored sessions' lists (~45 KB each) costs milliseconds that restore-to-usable does
 * not have. Every entry is checked once per process: entries are never changed in place, so one
 * found intact stays intact (and entries this process made are checked once, at their next refresh).
 */
export class IntegrityCheck {
  private readonly intact = new WeakSet<ListEntry>();
  /** Damaged entries already warned about (a refresh that fails checks them again at its retry). */
  private readonly reported = new WeakSet<ListEntry>();
  private waiting: Array<() => void> = [];
  private turn: TurnHandle | undefined;

  /**
   * The damaged entries of a session's lists: at once when every entry was found intact before;
   * else after the current task, when restore() has returned. One turn serves every session that
   * waits, so the fetches of a restore still leave together and share one REQ. `lists` is read when
   * the check runs, so it sees what the session holds then.
   */
  damaged(pubkey: Hexpubkey, lists: () => ListSlots | undefined): DamagedEntry[] | Promise<DamagedEntry[]> {
    const held = lists();
    if (!held || Object.entries(held).every(([slot, entry]) => this.intact.has(entry) && slot === entry.key)) return [];
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(this.inspect(pubkey, lists() ?? {})));
      this.turn ??= nextTurn(() => this.drain());
    });
  }

  /** The engine stops: the fetches waiting are stopped with it and hear nothing. */
  stop(): void {
    this.turn?.cancel();
    this.turn = undefined;
    this.waiting = [];
  }

  private drain(): void {
    this.turn = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    for (const check of waiting) check();
  }

  private inspect(pubkey: Hexpubkey, lists: ListSlots): DamagedEntry[] {
    const damaged: DamagedEntry[] = [];
    const news: number[] = [];
    for (const [slot, entry] of Object.entries(lists)) {
      // The slot's name is not under the checksum: one that is not the entry's key was damaged too.
      if (this.intact.has(entry) && slot === entry.key) continue;
      if (slot === entry.key && sumHolds(entry)) {
        this.intact.add(entry);
        continue;
      }
      damaged.push({ key: slot, id: entry.id, createdAt: entry.createdAt });
      if (!this.reported.has(entry)) news.push(entry.kind);
      this.reported.add(entry);
    }
    // Public facts only: whose lists and which kinds; never a list's content or a key.
    if (news.length)
      console.warn(`ndk-session-engine: stored list(s) of kind ${news.join(", ")} of ${pubkey} failed the integrity check; fetching the relays' copy in full`);
    return damaged;
  }
}

/**
 * The `fetchLists` actor: checks the stored lists first, then asks the relays — a damaged entry in
 * full (left out of `known`, so neither `since` its possibly damaged created_at nor skipped by its
 * id) — and names the damaged entries, so the session puts the relays' copies in their place.
 */
export function fetchLists(
  { hub, config, integrity }: Pick<EngineRuntime, "hub" | "config" | "integrity">,
  input: ListsInput,
  signal: AbortSignal,
  lists: () => ListSlots | undefined,
): Promise<FetchedLists> {
  const ask = async (damaged: DamagedEntry[]): Promise<FetchedLists> => {
    if (signal.aborted) throw failure("aborted", "The fetch was cancelled");
    // Left out by slot, and by id (a damaged slot name leaves the entry's own key in `known`).
    const keys = new Set(damaged.map((entry) => entry.key));
    const ids = new Set(damaged.map((entry) => entry.id));
    const known = damaged.length ? input.known?.filter((entry) => !keys.has(entry.key) && !ids.has(entry.id)) : input.known;
    const kinds = config.kindsFor(input.pubkey, input.walletEnabled);
    const entries = await hub.fetch({ pubkey: input.pubkey, kinds, known }, signal);
    return damaged.length ? { entries, damaged } : { entries };
  };
  const found = integrity.damaged(input.pubkey, lists);
  // Nothing to check: asked in this same turn, as before (the fetches of one tick share a REQ).
  return Array.isArray(found) ? ask(found) : found.then(ask);
}
