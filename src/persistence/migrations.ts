/**
 * Pure JSON → JSON steps from each older version to the next. A change to the machines' persisted
 * shape (a state renamed, a context field added, an XState upgrade that changes its snapshot
 * layout) adds a step here and a golden fixture in test/fixtures/.
 */
import { base64urlnopad } from "@scure/base";
import { bytesToHex } from "@noble/hashes/utils.js";
import { entrySum, type ListEntry } from "../../machines";
import { PackedPubkeys, packPubkeys } from "../lists/packedPubkeys";

type Json = Record<string, unknown>;
type Migration = (envelope: Json) => Json;

/** Version 1 failure codes that came from fetching lists; every other one was the signer's. */
const LIST_FAILURES: ReadonlySet<string> = new Set(["offline", "relay-timeout", "aborted"]);

/**
 * Version 1 sessions were one chain of states (restoring → authenticating → live → error) with the
 * app's fetch plan and retry policy in context. Version 2 keeps what the user did in two regions
 * (signer, lists) and no configuration: the plan and policy come from the restoring manager.
 */
function sessionV2(snapshot: Json): Json {
  const context = (snapshot.context ?? {}) as Json;
  const value = snapshot.value;
  const failure = (context.failure ?? null) as { code?: string } | null;
  const failed = typeof value === "object" && value !== null && "error" in value ? String((value as Json).error) : undefined;
  const listsFailed = failed === "retrying" && LIST_FAILURES.has(failure?.code ?? "");
  const signer =
    value === "locked"
      ? "locked"
      : failed === "needsLogin"
        ? { unavailable: "needsLogin" }
        : failed === "extensionUnavailable"
          ? { unavailable: "extensionAway" }
          : failed === "retrying" && !listsFailed
            ? "retrying"
            : "restoring";
  const lists = value === "idle" ? "idle" : listsFailed ? { live: "retrying" } : { live: "fetching" };
  const signerFailed = failed !== undefined && !listsFailed;
  return {
    ...snapshot,
    value: { signer, lists },
    context: {
      pubkey: context.pubkey,
      signer: context.signer,
      preferences: context.preferences ?? {},
      lists: context.lists ?? {},
      signerFailure: signerFailed ? failure : null,
      signerAttempt: signerFailed ? (context.attempt ?? 0) : 0,
      listsFailure: listsFailed ? failure : null,
      listsAttempt: listsFailed ? (context.attempt ?? 0) : 0,
      approvalUrl: null,
    },
    // Running effects are started anew by a restore, never rehydrated.
    children: {},
  };
}

function v1ToV2(envelope: Json): Json {
  const snapshot = envelope.snapshot as Json | undefined;
  if (typeof snapshot !== "object" || snapshot === null) return envelope;
  const { plan: _plan, retry: _retry, ...context } = (snapshot.context ?? {}) as Json;
  const children: Json = {};
  for (const [id, child] of Object.entries((snapshot.children ?? {}) as Record<string, Json>)) {
    children[id] = typeof child === "object" && child !== null && child.snapshot ? { ...child, snapshot: sessionV2(child.snapshot as Json) } : child;
  }
  return { ...envelope, snapshot: { ...snapshot, value: snapshot.value === "running" ? "active" : snapshot.value, context, children } };
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** The envelope with `change` applied to every stored list entry of every session; anything malformed is left for the schema to judge. */
function mapListEntries(envelope: Json, change: (entry: Json) => Json): Json {
  const snapshot = envelope.snapshot;
  if (!isObject(snapshot) || !isObject(snapshot.children)) return envelope;
  const children: Json = {};
  for (const [id, child] of Object.entries(snapshot.children)) {
    const context = isObject(child) && isObject(child.snapshot) ? child.snapshot.context : undefined;
    if (!isObject(child) || !isObject(child.snapshot) || !isObject(context) || !isObject(context.lists)) {
      children[id] = child;
      continue;
    }
    const lists: Json = {};
    for (const [key, entry] of Object.entries(context.lists)) lists[key] = isObject(entry) ? change(entry) : entry;
    children[id] = { ...child, snapshot: { ...child.snapshot, context: { ...context, lists } } };
  }
  return { ...envelope, snapshot: { ...snapshot, children } };
}

/** Version 2 packed each follow as its own 43-character base64url text, in text order. */
const V2_WIDTH = 43;

function followsV3(data: unknown): unknown {
  const { packed, count } = (data ?? {}) as { packed?: unknown; count?: unknown };
  if (typeof packed !== "string" || typeof count !== "number" || packed.length !== count * V2_WIDTH) return data; // left for the check after migrating
  const hexes: string[] = [];
  try {
    for (let at = 0; at < packed.length; at += V2_WIDTH) hexes.push(bytesToHex(base64urlnopad.decode(packed.slice(at, at + V2_WIDTH))));
  } catch {
    return data;
  }
  return packPubkeys(hexes).toJSON();
}

/**
 * Version 3 stores a follow list as one base64url text of all its keys' bytes in byte order, which
 * unpacks in one step into the bytes the engine holds (see PackedPubkeys).
 */
const v2ToV3: Migration = (envelope) => mapListEntries(envelope, (entry) => (entry.kind === 3 ? { ...entry, data: followsV3(entry.data) } : entry));

/**
 * Version 4 stores an integrity checksum with each list entry. An older entry gets one computed
 * from what it holds now: damage it took before the upgrade cannot be told apart (it is trusted as
 * stored, as before); damage after it is caught before the next refresh. The hashing costs about
 * 0.2 ms per 1,000-follow list (10 ms for 50 such sessions), once, at the first restore after the
 * upgrade.
 */
const v3ToV4: Migration = (envelope) => mapListEntries(envelope, (entry) => (entry.sum === undefined ? { ...entry, ...sumOf(entry) } : entry));

/** A follow list is summed over its bytes (see entrySum): one whose text does not unpack gets none, and is refetched. */
function sumOf(entry: Json): { sum?: string } {
  if (entry.kind !== 3) return { sum: entrySum(entry as unknown as ListEntry) };
  const packed = PackedPubkeys.fromStored(entry.data);
  return packed ? { sum: entrySum({ ...(entry as unknown as ListEntry), data: packed }) } : {};
}

export const MIGRATIONS: Record<number, Migration> = { 1: v1ToV2, 2: v2ToV3, 3: v3ToV4 };

/** Runs every step from `envelope.version` up to `target`; throws when a step is missing. */
export function migrate(envelope: Json, target: number): Json {
  let current = envelope;
  for (let version = current.version as number; version < target; version++) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`no migration from version ${version}`);
    current = { ...step(current), version: version + 1 };
  }
  return current;
}
