import { confirmedLists, sessionId, sessionMachine, type RestoredAccount } from "../../machines";
import {
  CURRENT_VERSION,
  envelopeCoreSchema,
  FORMAT,
  managerSnapshotSchema,
  payloadSchema,
  sealedSecretSchema,
  sessionChildSchema,
  type AccountRecord,
  type Envelope,
  type ManagerSnapshot,
  type StoredSession,
} from "./envelope";
import { migrate } from "./migrations";
import type { z } from "zod";
import { isHexPubkey } from "../lists/packedPubkeys";
import { unpackLists } from "./unpack";

export type LoadOutcome =
  | { kind: "empty" }
  /** `snapshot` is undefined when only the registry could be trusted (the lists will be refetched). */
  | { kind: "ok"; envelope: Envelope; snapshot: ManagerSnapshot | undefined; snapshotProblem?: string; damaged?: string[] }
  | { kind: "unreadable"; reason: string }
  | { kind: "newer"; version: number };

/** Parses, migrates and validates stored text; never throws. */
export function readEnvelope(text: string | null): LoadOutcome {
  if (text === null || text === "") return { kind: "empty" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: "unreadable", reason: "not JSON" };
  }
  if (typeof raw !== "object" || raw === null || (raw as { format?: unknown }).format !== FORMAT)
    return { kind: "unreadable", reason: "not an ndk-session-engine envelope" };
  const version = (raw as { version?: unknown }).version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) return { kind: "unreadable", reason: "no valid version" };
  if (version > CURRENT_VERSION) return { kind: "newer", version };
  let migrated: unknown;
  try {
    migrated = migrate(raw as Record<string, unknown>, CURRENT_VERSION);
  } catch (error) {
    return { kind: "unreadable", reason: (error as Error).message };
  }
  const core = envelopeCoreSchema.safeParse(migrated);
  if (!core.success) return { kind: "unreadable", reason: "the envelope's registry does not match its schema" };
  const stored = migrated as Record<string, unknown>;
  const damaged: string[] = [];
  const savedAt = typeof stored.savedAt === "number" && Number.isFinite(stored.savedAt) ? stored.savedAt : (damaged.push("savedAt"), 0);
  const envelope: Envelope = {
    ...core.data,
    savedAt,
    snapshot: stored.snapshot,
    secrets: validEntries(stored, "secrets", sealedSecretSchema, damaged),
    payloads: validEntries(stored, "payloads", payloadSchema, damaged),
    unsafeSecrets: validEntries(stored, "unsafeSecrets", payloadSchema, damaged),
  };
  const checked = checkSnapshot(envelope.snapshot, envelope.registry.accounts, damaged);
  const more = damaged.length ? { damaged } : {};
  return typeof checked === "string"
    ? { kind: "ok", envelope, snapshot: undefined, snapshotProblem: checked, ...more }
    : { kind: "ok", envelope, snapshot: checked, ...more };
}

/** The entries of a pubkey-keyed part that are sound; a damaged one is left out (its session asks for a login) and named. */
function validEntries<T>(stored: Record<string, unknown>, part: string, schema: z.ZodType<T>, damaged: string[]): Record<string, T> | undefined {
  const value = stored[part];
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    damaged.push(part);
    return undefined;
  }
  const sound: Record<string, T> = {};
  for (const [pubkey, entry] of Object.entries(value)) {
    const parsed = schema.safeParse(entry);
    if (isHexPubkey(pubkey) && parsed.success) sound[pubkey] = parsed.data;
    else damaged.push(`${part} of ${isHexPubkey(pubkey) ? pubkey : "an unknown key"}`);
  }
  return sound;
}

/**
 * The snapshot with its sessions checked and their lists unpacked, or why it cannot be used as is.
 * A list that does not unpack is left out (its session fetches it again) and named in `damaged`.
 */
function checkSnapshot(snapshot: unknown, accounts: readonly AccountRecord[], damaged: string[]): ManagerSnapshot | string {
  const parsed = managerSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) return "the snapshot does not match its schema";
  const { context, children } = parsed.data;
  // Both are written from one snapshot (records.ts): accounts that differ mean damage, and the registry is the one kept for that.
  const registered = new Set(accounts.map((account) => account.pubkey));
  if (context.pubkeys.length !== registered.size || !context.pubkeys.every((pubkey) => registered.has(pubkey)))
    return "the snapshot's accounts are not the registry's";
  const sessions: Record<string, StoredSession> = {};
  for (const pubkey of context.pubkeys) {
    const child = sessionChildSchema.safeParse(children[sessionId(pubkey)]);
    if (!child.success || child.data.snapshot.context.pubkey !== pubkey) return "a session is missing, misplaced or malformed";
    try {
      // XState restores an unknown state silently as an error; resolving it first catches that here.
      sessionMachine.resolveState({ value: child.data.snapshot.value as never, context: child.data.snapshot.context as never });
    } catch {
      return "a session is in a state the machine does not have";
    }
    const lists = child.data.snapshot.context.lists;
    for (const key of unpackLists(lists)) damaged.push(`list of kind ${key} of ${pubkey}`);
    sessions[pubkey] = child.data.snapshot;
  }
  return { context, sessions };
}

/**
 * The sessions a stored snapshot holds, each where it left off: its lists, its preferences, stopped
 * or backing off. Its signer is always found again (the keyring starts empty).
 */
export function accountsOfSnapshot(snapshot: ManagerSnapshot): RestoredAccount[] {
  return snapshot.context.pubkeys.map((pubkey) => {
    const { value, context } = snapshot.sessions[pubkey]!;
    const lists = (value as { lists?: unknown }).lists;
    const backingOff = typeof lists === "object" && lists !== null && (lists as { live?: unknown }).live === "retrying";
    return {
      pubkey,
      signer: context.signer,
      preferences: context.preferences,
      // A write no relay had taken when this was saved is not brought back: the refresh reads that list in full.
      lists: confirmedLists(context.lists),
      lastActive: snapshot.context.lastActive[pubkey] ?? 0,
      ...(lists === "idle" ? { stopped: true } : {}),
      ...(backingOff ? { listsFailure: context.listsFailure, listsAttempt: context.listsAttempt } : {}),
    };
  });
}

/** The registry's accounts, when the snapshot could not be used: their lists are fetched again. */
export const accountsOfRegistry = (accounts: AccountRecord[]): RestoredAccount[] =>
  accounts.map(({ pubkey, signer, lastActive, preferences }) => ({ pubkey, signer, lastActive, preferences }));
