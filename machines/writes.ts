import { confirmedSlot, slotKey, supersedes } from "./lists";
import type { SessionContext, SessionEvent } from "./session.types";
import type { Hexpubkey, ListEntry, ListSlots, ListTarget, ListWrite, RawListEvent, SessionFailure, WriteAttempt, WriteOutcome } from "./types";

/**
 * The session's list writes as data: a queue the `writes` region works through one write at a time
 * (a list write reads the relays' newest version and publishes on top of it, so two writes of one
 * list must not overlap), the attempts of the write under way, and what the last write came to.
 * Pure; the effects do the reading, signing and publishing, one attempt at a time, and say what
 * each came to (src/effects/listWriter.ts); what follows is decided here.
 */

/** A write is made again on another client's newer version at most this often in all, then gives up (`write-contended`). */
export const MAX_ATTEMPTS = 3;

/** A write in a session's queue; the first one is under way while the region is `writing`. */
export interface QueuedWrite {
  write: ListWrite;
  /** Every caller waiting for it: writes of one list made while it waits are merged into it. */
  requestIds: string[];
  /**
   * The relays' newest version of the list, once read (null: they hold none). Until it is read the
   * write can still take more edits, so two edits made in one tick are published as one event.
   */
  base?: RawListEvent | null;
  /** The attempt under way, once the base is read: 1, then one more for each rebase on another client's version. */
  attempts?: number;
  /** The relays that took the last of its versions a relay took (absent: none has yet). */
  relays?: string[];
}

/** The last write a session settled, for the app to show (the session view's `lastWrite`). */
export interface WriteRecord extends ListTarget {
  requestIds: string[];
  outcome: WriteOutcome;
}

/** What the effects are told when writes settle, so the callers waiting for them hear it. */
export interface WriteReport {
  pubkey: Hexpubkey;
  requestIds: string[];
  outcome: WriteOutcome;
}

const failedAt = (at: number, code: string, message: string): WriteOutcome => ({ ok: false, failure: { code, message, at } satisfies SessionFailure });
const failed = (code: string, message: string): WriteOutcome => failedAt(0, code, message);

/** A write that reached a session which cannot sign (read-only, locked, its signer away or gone). */
export const CANNOT_SIGN = failed("write-cannot-sign", "The session cannot sign now; nothing was written");
/** Writes still waiting when the signer stopped being able to sign. */
export const SIGNER_LEFT = failed("write-cannot-sign", "The session stopped being able to sign before this write was signed; nothing was written");
/** The relays answered with an older list than the one the session holds: building on it would undo a change. */
export const STALE_RELAYS = failed("write-stale-relay", "The relays hold an older version of this list than the session has seen; nothing was written");

export const sameList = (a: ListTarget, b: ListTarget) => a.kind === b.kind && (a.d ?? "") === (b.d ?? "");

export const slotOf = (target: ListTarget) => slotKey(target.kind, target.d);

/**
 * The queue with one more write: merged into a waiting write of the same list (the one under way
 * too, while its base is not read yet), or added at the end.
 */
export function enqueue(queue: readonly QueuedWrite[], write: ListWrite, requestId: string): QueuedWrite[] {
  const at = queue.findIndex((queued, i) => sameList(queued.write, write) && (i > 0 || queued.base === undefined));
  if (at < 0) return [...queue, { write, requestIds: [requestId] }];
  return queue.map((queued, i) =>
    i === at ? { ...queued, write: { ...queued.write, edits: [...queued.write.edits, ...write.edits] }, requestIds: [...queued.requestIds, requestId] } : queued,
  );
}

/** The write under way with the base its effect read: its first attempt is made on it. */
export const withBase = (queue: readonly QueuedWrite[], base: RawListEvent | null): QueuedWrite[] => queue.map((queued, i) => (i === 0 ? { ...queued, base, attempts: 1 } : queued));

type LostAttempt = Extract<WriteAttempt, { status: "lost" }>;

/**
 * The write under way after an attempt another client's version won: the next attempt is made on
 * that version, and the relays that took this one (if any did) are kept for the outcome.
 */
export function rebased(queue: readonly QueuedWrite[], lost: LostAttempt): QueuedWrite[] {
  return queue.map((queued, i) =>
    i === 0 ? { ...queued, base: lost.newest, attempts: (queued.attempts ?? 1) + 1, ...(lost.relays.length > 0 ? { relays: lost.relays } : {}) } : queued,
  );
}

/** Whether the write under way may be made again after its attempt `attempts` lost. */
export const attemptsLeft = (queued: QueuedWrite) => (queued.attempts ?? 1) < MAX_ATTEMPTS;

// How the write under way ends after its last attempt; the machine's guards chose which (session.machine.ts).

/** Lost to other clients' versions on its last attempt. */
export const contendedOutcome = (lost: LostAttempt): WriteOutcome =>
  failedAt(lost.at, "write-contended", `Other clients replaced the list ${MAX_ATTEMPTS} times while this write was made on their versions; it is not in the newest one`);

/** No relay took its last attempt. */
export const refusedOutcome = (refused: Extract<WriteAttempt, { status: "refused" }>): WriteOutcome =>
  failedAt(refused.at, "write-refused", `No relay accepted the new list (${refused.refusals}); the session's copy was rolled back`);

/** Done: published, or found already made (the list changed if a relay took an earlier attempt of it). */
export function doneOutcome(queued: QueuedWrite | undefined, done: Extract<WriteAttempt, { status: "published" | "unchanged" }>): WriteOutcome {
  if (done.status === "published") return { ok: true, changed: true, relays: done.relays };
  return { ok: true, changed: queued?.relays !== undefined, relays: queued?.relays ?? [] };
}

/**
 * Whether the relays' newest version of the list is older than the one the session holds (or they
 * hold none of a list the session has): a relay that lost or never had the latest version.
 */
export function relaysBehind(lists: ListSlots, target: ListTarget, newest: RawListEvent | null): boolean {
  const held = lists[slotOf(target)];
  if (!held) return false;
  return !newest || supersedes({ id: held.id, createdAt: held.createdAt }, { id: newest.id, createdAt: newest.created_at });
}

/**
 * The lists after a publish no relay accepted: the slot goes back to what the write was built on
 * (gone, for a list that did not exist), unless something newer replaced the write meanwhile.
 */
export function rolledBack(lists: ListSlots, key: string, id: string, previous: ListEntry | null): ListSlots {
  if (lists[key]?.id !== id) return lists;
  if (previous) return { ...lists, [key]: previous };
  const { [key]: _gone, ...rest } = lists;
  return rest;
}

export const recordOf = (target: ListTarget, requestIds: string[], outcome: WriteOutcome): WriteRecord => ({
  kind: target.kind,
  ...(target.d === undefined ? {} : { d: target.d }),
  requestIds,
  outcome,
});

// ── What the session machine's `writes` region does, as functions of its context and event. ──

interface Args {
  context: SessionContext;
  event: SessionEvent;
}
type Of<T extends SessionEvent["type"]> = Extract<SessionEvent, { type: T }>;
const as = <T extends SessionEvent["type"]>(event: SessionEvent) => event as Of<T>;

export const writeQueued = ({ context, event }: Args) => enqueue(context.writeQueue, as<"list.write">(event).write, as<"list.write">(event).requestId);

/** The input of the write under way's effects. */
export const readInput = ({ context }: { context: SessionContext }) => {
  const { kind, d } = context.writeQueue[0]!.write;
  return { pubkey: context.pubkey, kind, ...(d === undefined ? {} : { d }) };
};
export const publishInput = ({ context }: { context: SessionContext }) => {
  const { write, base, requestIds, attempts, relays } = context.writeQueue[0]!;
  return {
    pubkey: context.pubkey,
    write,
    base: base ?? null,
    walletEnabled: context.preferences.walletEnabled,
    writeId: requestIds[0]!,
    attempt: attempts ?? 1,
    taken: relays !== undefined,
  };
};

const readOf = (event: SessionEvent) => (event as unknown as { output: { event: RawListEvent | null } }).output.event;
export const baseKept = ({ context, event }: Args) => withBase(context.writeQueue, readOf(event));
export const readBehind = ({ context, event }: Args) => relaysBehind(context.lists, context.writeQueue[0]!.write, readOf(event));

const attemptOf = (event: SessionEvent): WriteAttempt => as<"write.attempted">(event);
export const attemptLost = ({ event }: Args) => event.type === "write.attempted" && event.status === "lost";
export const attemptRefused = ({ event }: Args) => event.type === "write.attempted" && event.status === "refused";
export const hasAttemptsLeft = ({ context }: Args) => context.writeQueue.length > 0 && attemptsLeft(context.writeQueue[0]!);
/** Taken on a lost attempt only (the guard says so). */
export const rebaseKept = ({ context, event }: Args) => rebased(context.writeQueue, attemptOf(event) as LostAttempt);
/** The `write.settled` the region raises once the attempt just reported is the write's last; each is taken where its guard holds. */
const settled = (outcome: WriteOutcome) => ({ type: "write.settled" as const, outcome });
export const contendedSettled = ({ event }: Args) => settled(contendedOutcome(attemptOf(event) as LostAttempt));
export const refusedSettled = ({ event }: Args) => settled(refusedOutcome(attemptOf(event) as Extract<WriteAttempt, { status: "refused" }>));
export const doneSettled = ({ context, event }: Args) => settled(doneOutcome(context.writeQueue[0], attemptOf(event) as Extract<WriteAttempt, { status: "published" | "unchanged" }>));

/** What the callers hear: the refused write's, the settled write's, or the waiting writes' when the signer left. */
export const refusalReport = ({ context, event }: Args): WriteReport => ({ pubkey: context.pubkey, requestIds: [as<"list.write">(event).requestId], outcome: CANNOT_SIGN });
export const settledReport = ({ context, event }: Args): WriteReport => ({
  pubkey: context.pubkey,
  requestIds: context.writeQueue[0]?.requestIds ?? [],
  outcome: as<"write.settled">(event).outcome,
});
export const leftReport = ({ context }: { context: SessionContext }): WriteReport => ({
  pubkey: context.pubkey,
  requestIds: context.writeQueue.slice(1).flatMap((queued) => queued.requestIds),
  outcome: SIGNER_LEFT,
});

export const refusalRecorded = ({ event }: Args) => recordOf(as<"list.write">(event).write, [as<"list.write">(event).requestId], CANNOT_SIGN);
export const writeFinished = ({ context, event }: Args) => {
  const [head, ...rest] = context.writeQueue;
  const outcome = as<"write.settled">(event).outcome;
  // A relay took the write: what it stored in the session is confirmed (and may be restored after a restart).
  const lists = head && outcome.ok ? confirmedSlot(context.lists, slotOf(head.write)) : context.lists;
  return { writeQueue: rest, lists, lastWrite: head ? recordOf(head.write, head.requestIds, outcome) : context.lastWrite };
};
export const waitingDropped = ({ context }: { context: SessionContext }) => {
  const [head, ...waiting] = context.writeQueue;
  const last = waiting.at(-1)!;
  return { writeQueue: head ? [head] : [], lastWrite: recordOf(last.write, waiting.flatMap((queued) => queued.requestIds), SIGNER_LEFT) };
};
export const listsRolledBack = ({ context, event }: Args) => {
  const { key, id, previous } = as<"write.rolledBack">(event);
  return rolledBack(context.lists, key, id, previous);
};
