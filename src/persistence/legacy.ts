/**
 * What `@nostr-dev-kit/sessions` and the older NDK React hooks stored, read once so users who switch
 * libraries keep their accounts. Unreadable legacy data is ignored (it is theirs; we never touch it).
 */
import type { LegacyData } from "../storage/types";
import { decodeSessions } from "../storage/peerFormat";
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
