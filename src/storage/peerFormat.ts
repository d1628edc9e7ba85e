import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import { StorageError } from "../errors";
import { isHexPubkey } from "../lists/packedPubkeys";
import type { SerializedSession, SessionData } from "../facade/types";

/**
 * The record format of `@nostr-dev-kit/sessions` (its `ndk-sessions` value and `.ndk-sessions.json`
 * file), so data written by either library loads in the other.
 */
export function encodeSessions(sessions: Map<Hexpubkey, SerializedSession>, activePubkey?: Hexpubkey): string {
  return JSON.stringify({ sessions: [...sessions], activePubkey, version: 1, updatedAt: Date.now() }, null, 2);
}

export function decodeSessions(text: string): SessionData {
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
