/**
 * Safe list writes (issue 13): the next event of a replaceable list, built from the newest copy of
 * it and an edit's intent. The classic way to hurt a user is to publish a list rebuilt from what a
 * client understood of it (NDK Svelte's `MutesProxy.mute()` writes kind 10000 from its pubkey set:
 * one mute wipes muted words, hashtags, threads and every private item). Here the base event is
 * copied and only the named items move; what cannot be read safely stops the write instead.
 * Pure: the signer's encryption comes in as `ListCrypto`, the clock as `now`.
 */
import type { NostrEvent } from "nostr-tools/pure";
import { Kind } from "../../machines";
import { editItems, sameItems } from "./editItems";
import { dTagOf } from "./parse";
import { isAddressableKind, validateWrite, type ListEdit, type ListWrite } from "./listEdit";
import { ListEditError } from "./listWriteErrors";
import { readPrivateItems, writePrivateItems, type ListCrypto } from "./privateItems";

/** What a write reads of the base: a signed event, or a template of one. */
export type ListBase = Pick<NostrEvent, "kind" | "tags" | "content" | "created_at">;

/** An unsigned event, ready for the session's signer. */
export interface ListTemplate {
  kind: number;
  tags: string[][];
  content: string;
  created_at: number;
}

/** Nothing changed (publish nothing), or the event to sign and publish. */
export type ListWriteResult = { changed: false } | { changed: true; template: ListTemplate };

export interface ApplyOptions {
  /** Unix seconds. */
  now: number;
  /** The session's own encryption; needed only when private items are read or written. */
  crypto?: ListCrypto;
}

/**
 * Kinds whose content is not NIP-51 private items: a profile, kind 3's legacy relay JSON, NIP-65.
 * Their content is copied as it is, and a private edit is refused rather than overwriting it.
 */
const PLAIN_CONTENT_KINDS: ReadonlySet<number> = new Set([Kind.Profile, Kind.Contacts, Kind.RelayList]);


function checkBase(base: ListBase, write: ListWrite): void {
  if (base.kind !== write.kind) throw new ListEditError(`The base is kind ${base.kind}, the write is for kind ${write.kind}`, "list-base-mismatch");
  if (isAddressableKind(write.kind) && (dTagOf(base.tags) ?? "") !== (write.d ?? ""))
    throw new ListEditError(`The base of kind ${write.kind} has another d tag than the write`, "list-base-mismatch");
}

/** Which edits touch the tags and which the private items (a scope-less remove touches both). */
function split(write: ListWrite): { pub: ListEdit[]; priv: ListEdit[] } {
  const plain = PLAIN_CONTENT_KINDS.has(write.kind);
  const pub: ListEdit[] = [];
  const priv: ListEdit[] = [];
  for (const edit of write.edits) {
    if (edit.private === true && plain) throw new ListEditError(`Kind ${write.kind} has no private items`, "list-private-unsupported");
    if (edit.private !== true) pub.push(edit);
    if (!plain && (edit.op === "remove" ? edit.private !== false : edit.private === true)) priv.push(edit);
  }
  return { pub, priv };
}

/**
 * The next event of `write`'s list. `base` is the newest verified event the session holds, or
 * undefined when relays answered that the list does not exist (a brand-new list). Throws
 * ListEditError for an edit that cannot apply, PrivateItemsError when private items must be read or
 * written and cannot be: in both cases nothing is built, so nothing lossy can be published.
 */
export async function applyEdit(base: ListBase | undefined, write: ListWrite, opts: ApplyOptions): Promise<ListWriteResult> {
  validateWrite(write);
  if (base) checkBase(base, write);
  const { pub, priv } = split(write);

  const baseTags: readonly string[][] = base?.tags ?? (isAddressableKind(write.kind) ? [["d", write.d ?? ""]] : []);
  const tags = editItems(baseTags, pub) as string[][];
  const tagsChanged = !sameItems(baseTags, tags);

  // Public edits never decrypt: the content is copied byte for byte, readable or not.
  let content = base?.content ?? "";
  let contentChanged = false;
  if (priv.length > 0) {
    const before = await readPrivateItems(content, opts.crypto);
    const after = editItems(before, priv);
    if (!sameItems(before, after)) {
      content = await writePrivateItems(after, opts.crypto);
      contentChanged = true;
    }
  }

  // A new list with nothing in it is not worth an event (a remove on a list that does not exist).
  if (!tagsChanged && !contentChanged) return { changed: false };
  const created_at = Math.max(Math.floor(opts.now), (base?.created_at ?? 0) + 1);
  return { changed: true, template: { kind: write.kind, tags: tags.map((tag) => [...tag]), content, created_at } };
}

/**
 * The pending write again on a newer base (another client published meanwhile). Edits are intent,
 * so this is the same operation: the other client's changes stay, ours are made on top of them.
 */
export const rebase = (pending: ListWrite, newerBase: ListBase | undefined, opts: ApplyOptions): Promise<ListWriteResult> =>
  applyEdit(newerBase, pending, opts);
