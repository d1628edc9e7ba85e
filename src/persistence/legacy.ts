/**
 * What `@nostr-dev-kit/sessions` and the older NDK React hooks stored, read once so users who switch
 * libraries keep their accounts. Unreadable legacy data is ignored (it is theirs; we never touch it).
 */
import type { LegacyData } from "../storage/types";
import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import { StorageError } from "../errors";
import type { SerializedSession, SessionData } from "../facade/types";
import { isHexPubkey } from "../lists/packedPubkeys";

export interface LegacyAccount {
  pubkey: string;
  signerPayload?: string;
  lastActive: number;
  preferences?: { walletEnabled?: boolean };
}

export interface LegacyImport {
  accounts: LegacyAccount[];
  activePubkey?: string;
}

/** `ndk-saved-sessions`: `[{ pubkey, signerPayload?, lastActive? }]`, with `ndk-active-pubkey` beside it. */
function savedSessions(text: string, active: string | undefined): LegacyImport {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return { accounts: [] };
  const accounts: LegacyAccount[] = [];
  for (const item of parsed) {
    const { pubkey, signerPayload, lastActive } = (item ?? {}) as Record<string, unknown>;
    if (!isHexPubkey(pubkey)) continue;
    accounts.push({
      pubkey,
      signerPayload: typeof signerPayload === "string" ? signerPayload : undefined,
      lastActive: typeof lastActive === "number" ? lastActive : 0,
    });
  }
  return { accounts, activePubkey: isHexPubkey(active) ? active : undefined };
}

export function readLegacy(data: LegacyData): LegacyImport | undefined {
  try {
    if (data.sessions) {
      const { sessions, activePubkey } = decodeSessions(data.sessions);
      return { accounts: [...sessions.values()], activePubkey };
    }
    if (data.savedSessions) return savedSessions(data.savedSessions, data.activePubkey?.trim());
  } catch {
    // not readable as either format: nothing to import
  }
  return undefined;
}

/** The record format of `@nostr-dev-kit/sessions` (its `ndk-sessions` value and `.ndk-sessions.json`). */
function decodeSessions(text: string): SessionData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StorageError("Stored sessions are not valid JSON");
  }
  const value = parsed as { sessions?: unknown; activePubkey?: unknown };
  if (typeof value !== "object" || value === null || !Array.isArray(value.sessions))
    throw new StorageError("Stored sessions have an unknown shape");
  const sessions = new Map<Hexpubkey, SerializedSession>();
  for (const item of value.sessions) {
    const [pubkey, session] = Array.isArray(item) ? item : [];
    if (!isHexPubkey(pubkey) || typeof session !== "object" || session === null) throw new StorageError("A stored session is malformed");
    const record = session as Partial<SerializedSession>;
    sessions.set(pubkey, {
      pubkey,
      lastActive: typeof record.lastActive === "number" ? record.lastActive : 0,
      signerPayload: typeof record.signerPayload === "string" ? record.signerPayload : undefined,
      signerType: typeof record.signerType === "string" ? record.signerType : undefined,
      preferences: typeof record.preferences === "object" && record.preferences !== null ? record.preferences : undefined,
    });
  }
  const activePubkey = isHexPubkey(value.activePubkey) && sessions.has(value.activePubkey) ? value.activePubkey : undefined;
  return { sessions, activePubkey };
}
