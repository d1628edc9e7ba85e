import { sessionMachine } from "../../machines";
import { CURRENT_VERSION, envelopeSchema, FORMAT, managerSnapshotSchema, type Envelope, type ManagerSnapshot } from "./envelope";
import { migrate } from "./migrations";

export type LoadOutcome =
  | { kind: "empty" }
  /** `snapshot` is undefined when only the registry could be trusted (the lists will be refetched). */
  | { kind: "ok"; envelope: Envelope; snapshot: ManagerSnapshot | undefined; snapshotProblem?: string }
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
  const envelope = envelopeSchema.safeParse(migrated);
  if (!envelope.success) return { kind: "unreadable", reason: "the envelope does not match its schema" };
  const problem = snapshotProblem(envelope.data.snapshot);
  return problem
    ? { kind: "ok", envelope: envelope.data, snapshot: undefined, snapshotProblem: problem }
    : { kind: "ok", envelope: envelope.data, snapshot: envelope.data.snapshot as ManagerSnapshot };
}

/** Why a snapshot cannot be rehydrated as is, or undefined when it can. */
function snapshotProblem(snapshot: unknown): string | undefined {
  const parsed = managerSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) return "the snapshot does not match its schema";
  const { context, children } = parsed.data;
  if (Object.keys(children).length !== context.pubkeys.length) return "sessions and logins disagree";
  for (const pubkey of context.pubkeys) {
    const child = children[`session:${pubkey}`];
    if (!child || child.snapshot.context.pubkey !== pubkey) return "a session is missing or misplaced";
    try {
      // XState restores an unknown state silently as an error; resolving it first catches that here.
      sessionMachine.resolveState({ value: child.snapshot.value as never, context: child.snapshot.context as never });
    } catch {
      return "a session is in a state the machine does not have";
    }
  }
  return undefined;
}
