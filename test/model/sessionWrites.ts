/**
 * The session model's `writes` region (issue 13): which list writes the model asks for, and what the
 * world lets them come to. A private-key user (the one kind whose signer needs no round trip or
 * approval) follows someone while both other regions rest — signer ready, lists loaded — so the
 * write's effects run alone:
 * - its read (`readList`) succeeds, is refused as stale (the session holds an app's own edit of the
 *   follows, newer than any list the relay has), or finds no relay (the relay holds its answers);
 * - each attempt of its publish stores the signed list at once (`write.stored`), then relays accept
 *   it (`write.attempted(published)`), refuse it (`write.rolledBack`, then `write.attempted(refused)`),
 *   or take it while another client's newer version wins (`write.attempted(lost)`: the machine makes
 *   the write again on that version, up to three attempts, then gives up); with the key locked while
 *   it read, it never publishes.
 * While the read is out (the relay holds its EOSE, as for a fetch): a mute joins the queue, the key
 * is locked (the waiting mute fails), and a write sent while locked is refused. A session that cannot
 * sign refuses a write at once (sent to the actor directly: the facade refuses before sending).
 */
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import type { SnapshotFrom } from "xstate";
import type { ListEntry, ListWrite, RawListEvent, SessionContext, SessionEvent, sessionMachine, WriteAttempt } from "../../machines";
import type { NDKSessionManager } from "../../src";

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

/** The write under way: its read held by the relay (a command came meanwhile), and how far its publish got. */
export interface WriteFacts {
  held: boolean;
  progress: "none" | "stored" | "rolledBack";
}

/** The world facts the writes need (a subset of the session model's). */
export interface WritesWorld {
  kind: string | null;
  sealed: boolean;
  signer: string;
  restored: boolean;
  fetch: unknown;
  write: WriteFacts | null;
  /** The session holds an app's edit of its follows newer than the relay's list (until a newer list arrives). */
  behind: boolean;
}

/** How the runner sends a write: through the facade (follow, mute), or to the actor itself (the facade would refuse). */
export const VIA_FACADE = "model-facade";
export const VIA_ACTOR = "model-direct";

const FOLLOW: ListWrite = { kind: 3, edits: [{ op: "add", tag: ["p", "f".repeat(64)] }] };
const MUTE: ListWrite = { kind: 10000, edits: [{ op: "add", tag: ["p", "e".repeat(64)] }] };
const write = (list: ListWrite, via: string): SessionEvent => ({ type: "list.write", write: list, requestId: via });

type Outcome = [SessionEvent | { type: string; output?: unknown; error?: unknown }, "instant" | "network" | "slow"];

const signing = (m: SessionSnapshot) => m.matches({ signer: "ready" }) || m.matches({ signer: "awaitingApproval" }) || m.matches({ signer: "verifying" });
const attempted = (attempt: WriteAttempt): SessionEvent => ({ type: "write.attempted", ...attempt });
/** The relays the model says took a version (their URLs are not compared). */
const TAKEN = ["model-relay"];

/** The version of the head's list the relays answer with: the session's own copy, or (behind) an older one. */
function relaysCopy(m: SessionSnapshot, w: WritesWorld): RawListEvent | null {
  const { kind, d } = m.context.writeQueue[0]!.write;
  const held = m.context.lists[d === undefined ? String(kind) : `${kind}:${d}`];
  if (!held) return null;
  const createdAt = w.behind && kind === 3 ? held.createdAt - 1 : held.createdAt;
  return { id: w.behind && kind === 3 ? "model-relay" : held.id, pubkey: "model", created_at: createdAt, kind, tags: [], content: "", sig: "" };
}

/** The head's list, newer than the session's copy: what the publish stores at once. */
function signedEntry(m: SessionSnapshot): ListEntry {
  const { kind } = m.context.writeQueue[0]!.write;
  const held = m.context.lists[String(kind)];
  return { key: String(kind), kind, id: `model-write-${(held?.createdAt ?? 0) + 1}`, createdAt: (held?.createdAt ?? 0) + 1, data: {} };
}

/** Another client's version of the head's list, newer than the one the session stored: it wins over the attempt. */
function rival(m: SessionSnapshot): RawListEvent {
  const { kind } = m.context.writeQueue[0]!.write;
  const createdAt = (m.context.lists[String(kind)]?.createdAt ?? 0) + 1;
  return { id: `model-rival-${createdAt}`, pubkey: "model", created_at: createdAt, kind, tags: [], content: "", sig: "" };
}

/** The outcomes the running effect of the writes region can have, or null when it rests. */
export function writesOutcomes(m: SessionSnapshot, w: WritesWorld): Outcome[] | null {
  if (m.matches({ writes: { writing: "reading" } })) {
    const read: Outcome = [{ type: "xstate.done.actor.readList", output: { event: relaysCopy(m, w) } }, "network"];
    if (w.behind || w.write?.held) return [read];
    return [read, [{ type: "xstate.error.actor.readList", error: { code: "write-no-relay", message: "write-no-relay", at: 0 } }, "slow"]];
  }
  if (!m.matches({ writes: { writing: "publishing" } })) return null;
  const progress = w.write?.progress ?? "none";
  if (progress === "rolledBack") return [[attempted({ status: "refused", refusals: "model", at: 0 }), "instant"]];
  if (progress === "stored") {
    const entry = m.context.lists[String(m.context.writeQueue[0]!.write.kind)]!;
    return [
      [attempted({ status: "published", relays: TAKEN }), "network"],
      [{ type: "write.rolledBack", key: entry.key, id: entry.id, previous: null }, "network"],
      [attempted({ status: "lost", relays: TAKEN, newest: rival(m), at: 0 }), "network"],
    ];
  }
  return [[{ type: "write.stored", entries: [signedEntry(m)] }, "network"]];
}

/** A resting session's write: a follow where it can sign, one sent to the actor where it cannot. */
export function writeCommands(m: SessionSnapshot, w: WritesWorld): SessionEvent[] {
  if (!m.matches({ writes: "idle" }) || w.fetch) return [];
  if (w.kind === "read-only") return [write(FOLLOW, VIA_ACTOR)];
  if (w.kind !== "private-key") return [];
  if (!signing(m)) return m.matches({ signer: "locked" }) ? [write(FOLLOW, VIA_ACTOR)] : [];
  return m.matches({ lists: { live: "ready" } }) ? [write(FOLLOW, VIA_FACADE)] : [];
}

/** While the read is out (the relay then holds its EOSE): a mute joins, the key is locked, a write is refused. */
export function duringRead(m: SessionSnapshot, w: WritesWorld): SessionEvent[] {
  if (!m.matches({ writes: { writing: "reading" } }) || w.behind) return [];
  const out: SessionEvent[] = [];
  if (signing(m) && m.context.writeQueue.length === 1) out.push(write(MUTE, VIA_FACADE));
  if (w.sealed && signing(m)) out.push({ type: "session.lock" });
  if (!signing(m)) out.push(write(MUTE, VIA_ACTOR));
  return out;
}

/** The write facts after a step: a new read or publish starts afresh; a command during a read holds it. */
export function withWrite<W extends WritesWorld>(w: W, before: SessionSnapshot | null, after: SessionSnapshot, event: { type: string }): W {
  const behind = event.type === "session.update" ? true : event.type === "list.received" ? false : w.behind;
  const read = after.children.readList;
  const publish = after.children.publishList;
  if (!read && !publish) return { ...w, behind, write: null };
  const fresh = (read && read !== before?.children.readList) || (publish && publish !== before?.children.publishList);
  let facts: WriteFacts = fresh || !w.write ? { held: false, progress: "none" } : w.write;
  if (read && !fresh && !event.type.startsWith("xstate.")) facts = { ...facts, held: true };
  if (event.type === "write.stored") facts = { ...facts, progress: "stored" };
  if (event.type === "write.rolledBack") facts = { ...facts, progress: "rolledBack" };
  return { ...w, behind, write: facts };
}

export const isWriteOutcome = (event: { type: string }) => event.type.startsWith("write.");

export function formatWriteEvent(event: SessionEvent): string | undefined {
  if (event.type === "list.write") return `list.write(${event.write.kind}${event.requestId === VIA_ACTOR ? ", to the actor" : ""})`;
  if (event.type === "write.settled") return event.outcome.ok ? "write.settled✓" : `write.settled✗${event.outcome.failure.code}`;
  if (event.type === "write.attempted") return `write.attempted(${event.status})`;
  return undefined;
}

/**
 * The runner's side: a follow or a mute as an app asks for it (its promise, settled either way), or,
 * where the facade would refuse it (no signer), the event sent to the manager itself.
 */
export function askWrite(manager: NDKSessionManager, pubkey: string, event: Extract<SessionEvent, { type: "list.write" }>): Promise<unknown> | undefined {
  const someone = NDKPrivateKeySigner.generate().pubkey;
  if (event.requestId === VIA_ACTOR) {
    manager.actor.send({ type: "list.write", pubkey, write: { kind: event.write.kind, edits: [{ op: "add", tag: ["p", someone] }] }, requestId: VIA_ACTOR });
    return undefined;
  }
  const asked = event.write.kind === 3 ? manager.follow(someone) : manager.mute({ pubkey: someone });
  return asked.catch((error: unknown) => error);
}

/** Why the last write did not end as the model's does (the relays' URLs aside) after a step of the write's effect, if it did not. */
export function writeMismatch(event: { type: string }, model: SessionContext, real: SessionContext): string | undefined {
  if (event.type !== "write.settled" && event.type !== "write.attempted") return undefined;
  const [wanted, outcome] = [model.lastWrite?.outcome, real.lastWrite?.outcome];
  const [want, was] = [wanted, outcome].map((o) => (o ? (o.ok ? "ok" : o.failure.code) : "none"));
  return want === was ? undefined : `the write ended ${JSON.stringify(outcome)}, the model says ${JSON.stringify(wanted)}`;
}
