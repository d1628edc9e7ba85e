/**
 * The peer's view of the engine's envelope (`SessionStorage`): account records in and out, over the
 * one value every storage keeps under its state key. Kept free of the machines, so the browser
 * storages stay small.
 */
import { READ_ONLY } from "../../machines/types";
import type { SerializedSession, SessionData } from "../facade/types";
import { CURRENT_VERSION, FORMAT } from "./envelope";

/** Signer types whose payload holds no secret (a NIP-07 payload is empty: the extension keeps the key). */
export const SECRET_FREE_TYPES: ReadonlySet<string> = new Set(["nip07"]);

/** The stored text of an envelope body (JSON without its header): format, version and time first. */
export const envelopeText = (body: string, at = Date.now()): string =>
  `{"format":${JSON.stringify(FORMAT)},"version":${CURRENT_VERSION},"savedAt":${at},${body.slice(1)}`;

/** The signer type a peer payload (`{"type":…,"payload":…}`) names, read-only when it names none. */
export function payloadType(payload: string | undefined): string {
  try {
    const type = (JSON.parse(payload ?? "") as { type?: unknown }).type;
    return typeof type === "string" && type ? type : READ_ONLY;
  } catch {
    return READ_ONLY;
  }
}

const orNothing = (map: Record<string, string>) => (Object.keys(map).length ? map : undefined);
const whole = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/**
 * What an app's own `save(map, active)` stores: an envelope holding just those accounts (the
 * registry, a null snapshot: their lists are fetched again on restore). A payload is kept as given,
 * a secret-free one under `payloads`, any other under `unsafeSecrets` (the app chose to store it).
 */
export function envelopeOfRecords(sessions: Map<string, SerializedSession>, activePubkey?: string): string {
  const accounts: unknown[] = [];
  const payloads: Record<string, string> = {};
  const unsafeSecrets: Record<string, string> = {};
  for (const [pubkey, record] of sessions) {
    const type = record.signerType ?? payloadType(record.signerPayload);
    const preferences = typeof record.preferences === "object" && record.preferences !== null ? record.preferences : undefined;
    accounts.push({ pubkey, signer: { type }, lastActive: whole(record.lastActive), ...(preferences ? { preferences } : {}) });
    if (typeof record.signerPayload === "string" && record.signerPayload)
      (SECRET_FREE_TYPES.has(type) ? payloads : unsafeSecrets)[pubkey] = record.signerPayload;
  }
  const body = JSON.stringify({
    registry: { accounts, activePubkey: activePubkey ?? null },
    snapshot: null, // none: the lists of these accounts are fetched again on restore
    payloads: orNothing(payloads),
    unsafeSecrets: orNothing(unsafeSecrets),
  });
  return envelopeText(body);
}

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The accounts stored text holds, as the peer's records; never throws. Empty for nothing stored;
 * otherwise `state` is the text as found, and the records are read from its registry when it is an
 * envelope of a version this code knows (loosely: the engine validates `state` itself on restore).
 * `signerPayload` only where the envelope holds one (NIP-07, or stored with the unsafe option).
 */
export function sessionDataOf(text: string | null): SessionData {
  if (text === null || text === "") return { sessions: new Map() };
  // Read on first use: the engine's own load reads `state` alone, and parsing a large state twice costs a restore.
  let records: Omit<SessionData, "state"> | undefined;
  const read = () => (records ??= recordsOf(text));
  return {
    state: text,
    get sessions() {
      return read().sessions;
    },
    get activePubkey() {
      return read().activePubkey;
    },
  };
}

function recordsOf(text: string): Omit<SessionData, "state"> {
  const data: Omit<SessionData, "state"> = { sessions: new Map() };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return data;
  }
  if (!isObject(raw) || raw.format !== FORMAT || !isObject(raw.registry) || !Array.isArray(raw.registry.accounts)) return data;
  const version = raw.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > CURRENT_VERSION) return data;
  const payloadOf = (pubkey: string) => {
    const found = [raw.payloads, raw.unsafeSecrets].map((map) => (isObject(map) ? map[pubkey] : undefined)).find((p) => typeof p === "string");
    return found as string | undefined;
  };
  for (const account of raw.registry.accounts) {
    if (!isObject(account) || typeof account.pubkey !== "string" || !account.pubkey) continue;
    const { pubkey, signer, lastActive, preferences } = account;
    const signerType = isObject(signer) && typeof signer.type === "string" ? signer.type : undefined;
    const signerPayload = payloadOf(pubkey);
    data.sessions.set(pubkey, {
      pubkey,
      ...(signerType ? { signerType } : {}),
      ...(signerPayload ? { signerPayload } : {}),
      lastActive: whole(lastActive),
      ...(isObject(preferences) ? { preferences } : {}),
    });
  }
  const active = raw.registry.activePubkey;
  if (typeof active === "string" && active) data.activePubkey = active;
  return data;
}
