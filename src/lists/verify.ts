import { verifyEvent, type NostrEvent } from "nostr-tools/pure";

/**
 * The full NIP-01 check for an event that feeds a session list: recomputed id, schnorr signature,
 * and the expected author. NDK samples signatures and trusts ids it verified before, so we check
 * ourselves, on a fresh object (nostr-tools caches its verdict on the object it is given).
 */
export function isAuthentic(event: NostrEvent, author: string): boolean {
  if (event.pubkey !== author) return false;
  const fresh: NostrEvent = {
    id: event.id,
    pubkey: event.pubkey,
    created_at: event.created_at,
    kind: event.kind,
    tags: event.tags,
    content: event.content,
    sig: event.sig,
  };
  try {
    return verifyEvent(fresh);
  } catch {
    return false;
  }
}
