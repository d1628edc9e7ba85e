import { sumHolds, type DamagedEntry, type EntryRef, type FetchedLists, type Hexpubkey, type ListEntry, type ListSlots, type ListsInput } from "../../machines";
import type { EngineRuntime } from "./runtime";

/**
 * Finds stored list entries damaged at rest (bit rot, a bad write): their checksum (machines/checksum.ts)
 * no longer holds. It runs where a refresh of a session's lists is built into its REQ (a turn after
 * the fetch began), never on the restore path: hashing 50 restored sessions' lists (~45 KB each)
 * costs milliseconds that restore-to-usable does not have. Every entry is checked once per process:
 * entries are never changed in place, so one found intact stays intact (and entries this process
 * made are checked once, at their next refresh).
 */
export class IntegrityCheck {
  private readonly intact = new WeakSet<ListEntry>();
  /** Damaged entries already warned about (a refresh that fails checks them again at its retry). */
  private readonly reported = new WeakSet<ListEntry>();

  /** The damaged entries of a session's lists (none when every entry was found intact before). */
  damaged(pubkey: Hexpubkey, lists: ListSlots | undefined): DamagedEntry[] {
    if (!lists || Object.entries(lists).every(([slot, entry]) => this.intact.has(entry) && slot === entry.key)) return [];
    return this.inspect(pubkey, lists);
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
 * The `fetchLists` actor: asks the relays for a session's lists, having checked the stored ones
 * when its REQ is built — a damaged entry is asked in full (left out of `known`, so neither `since`
 * its possibly damaged created_at nor skipped by its id) — and names the damaged entries, so the
 * session puts the relays' copies in their place. `lists` is read then, so the check sees what the
 * session holds at that moment.
 */
export async function fetchLists(
  { hub, config, integrity }: Pick<EngineRuntime, "hub" | "config" | "integrity">,
  input: ListsInput,
  signal: AbortSignal,
  lists: () => ListSlots | undefined,
): Promise<FetchedLists> {
  let damaged: DamagedEntry[] = [];
  const known = (): EntryRef[] => {
    damaged = integrity.damaged(input.pubkey, lists());
    if (damaged.length === 0) return input.known ?? [];
    // Left out by slot, and by id (a damaged slot name leaves the entry's own key in `known`).
    const keys = new Set(damaged.map((entry) => entry.key));
    const ids = new Set(damaged.map((entry) => entry.id));
    return input.known?.filter((entry) => !keys.has(entry.key) && !ids.has(entry.id)) ?? [];
  };
  const entries = await hub.fetch({ pubkey: input.pubkey, kinds: config.kindsFor(input.pubkey, input.walletEnabled), known }, signal);
  return damaged.length ? { entries, damaged } : { entries };
}
