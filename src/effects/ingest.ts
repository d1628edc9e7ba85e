import type { NDKSigner, NDKUser } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { Kind, withSum, type ListEntry } from "../../machines";
import { toListEntry } from "../lists/parse";
import { isAuthentic } from "../lists/verify";
import { withTimeout } from "../errors";
import { afterPendingEvents } from "./nextTurn";
import { decryptToSelf } from "../secrets/selfConversation";

export interface IngestContext {
  author: string;
  kinds: ReadonlySet<number>;
  /** The session's own signer, to read private mute items; absent for read-only sessions. */
  signer(): NDKSigner | undefined;
  user(): NDKUser;
  decryptTimeoutMs: number;
}

/**
 * Verify → (decrypt private mutes) → parse → checksum. Undefined for anything that must not feed the
 * session. A mute list with private items read while the session has no signer is marked `partial`:
 * it is read again once the session can sign. The checksum (machines/checksum.ts) is computed here,
 * once, from the verified event: a stored copy that no longer matches it was damaged at rest.
 */
export async function ingest(event: NostrEvent, ctx: IngestContext): Promise<ListEntry | undefined> {
  if (!ctx.kinds.has(event.kind) || !isAuthentic(event, ctx.author)) return undefined;
  if (event.kind !== Kind.MuteList || !event.content) return withSum(toListEntry(event));
  const signer = ctx.signer();
  if (!signer) return withSum({ ...toListEntry(event), partial: true });
  // A decryption is a key agreement (milliseconds): the lists that arrived with this one go first.
  await afterPendingEvents();
  return withSum(toListEntry(event, await privateTags(event.content, signer, ctx)));
}


/** Private mute items are the JSON tag array encrypted to oneself (NIP-44, or NIP-04 in older lists). */
async function privateTags(content: string, signer: NDKSigner, ctx: IngestContext): Promise<string[][]> {
  const scheme = content.includes("?iv=") ? "nip04" : "nip44";
  try {
    // A local key reads its own items itself (no gate to pass: it cannot hang, ask or lie).
    const plain =
      decryptToSelf(signer, content) ??
      (await withTimeout(signer.decrypt(ctx.user(), content, scheme), ctx.decryptTimeoutMs, () => new Error("timeout")));
    const tags: unknown = JSON.parse(plain);
    return Array.isArray(tags) ? tags.filter((t): t is string[] => Array.isArray(t) && t.every((v) => typeof v === "string")) : [];
  } catch {
    return []; // unreadable private items leave the public ones in force
  }
}
