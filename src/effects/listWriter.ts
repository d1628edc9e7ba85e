import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, NDKPrivateKeySigner, NDKPublishError, NDKRelaySet, NDKRelayStatus, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { getEventHash, type NostrEvent } from "nostr-tools/pure";
import { asFailure, type Hexpubkey, type PublishListInput, type RawListEvent, type ReadListInput, type ReadListOutput, type SessionEvent, type WriteAttempt } from "../../machines";
import { failure } from "../errors";
import { applyEdit, type ListTemplate } from "../lists/listWrite";
import type { ListCrypto } from "../lists/privateItems";
import { decryptToSelf } from "../secrets/selfConversation";
import { ingest, type IngestContext } from "./ingest";
import type { EngineRuntime } from "./runtime";
import { fetchNewest, isNewer } from "./newestList";

type Deps = Pick<EngineRuntime, "ndk" | "config" | "keyring" | "users" | "writes">;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The relays' newest version of the list; rejects (nothing built) when no relay answered within fetchMs. */
export async function readList({ ndk, config }: Deps, input: ReadListInput, signal?: AbortSignal): Promise<ReadListOutput> {
  const { fetchMs } = config.timeouts;
  const { answered, event } = await fetchNewest(ndk, input.pubkey, input, fetchMs, signal);
  if (answered) return { event };
  if (ndk.pool.relays.size === 0) throw failure("write-no-relay", "No relay is configured to read the list from; nothing was written");
  throw failure("write-no-relay", `No relay answered within ${fetchMs} ms with its copy of the list; nothing was written`);
}

/**
 * One attempt of a write: applies it on its base, signs it with the session's signer, hands the
 * session the signed list at once, publishes it, and reads which version the relays hold now.
 * Sends `write.stored`, `write.rolledBack` when no relay took it, then `write.attempted` with what
 * it came to (whether to try again on another client's version, and how the write ends, the session
 * machine decides), or `write.settled` when the attempt itself failed. The returned function stops
 * it (a logout, or the write moved on): nothing more is sent.
 */
export function publishList(deps: Deps, input: PublishListInput, sendBack: (event: SessionEvent) => void): () => void {
  const controller = new AbortController();
  const send = (event: SessionEvent) => controller.signal.aborted || sendBack(event);
  attempt(deps, input, send, controller.signal).then(
    (result) => send({ type: "write.attempted", ...result }),
    (error: unknown) => {
      const found = asFailure(error);
      send({ type: "write.settled", outcome: { ok: false, failure: { ...found, at: found.at || Date.now() } } });
    },
  );
  return () => controller.abort();
}

async function attempt(deps: Deps, input: PublishListInput, send: (event: SessionEvent) => void, signal: AbortSignal): Promise<WriteAttempt> {
  const { keyring, users, config, ndk, writes } = deps;
  const { pubkey, write, base } = input;
  const signer = keyring.signer(pubkey);
  if (!signer) {
    const what = input.attempt === 1 ? "nothing was written" : "the write was not made again on the other client's newer version";
    throw failure("write-cannot-sign", `The session has no signer now; ${what}`);
  }
  const self = users.of(pubkey);
  // Plaintexts of what this write encrypted, in any of its attempts: never decrypted again (kept until it settles).
  const known = writes.encrypted(pubkey, input.writeId, input.attempt === 1);
  const crypto = listCrypto(signer, self, known);
  // Only the lists the session reads are stored in it; another one (pins, a set) would never be refreshed.
  const stores = config.kindsFor(pubkey, input.walletEnabled).includes(write.kind);
  const context: IngestContext = { author: pubkey, kinds: new Set([write.kind]), signer: () => remembering(signer, known), user: () => self, decryptTimeoutMs: keyring.signerMs };
  const entryOf = async (event: RawListEvent | null) => (event ? ((await ingest(event, context)) ?? null) : null);

  const built = await applyEdit(base ?? undefined, write, { now: nowSeconds(), crypto });
  if (signal.aborted) throw failure("write-cancelled", "The write was stopped"); // heard by no one
  if (!built.changed) {
    // Made on another client's version that already has our change: the session holds that version (a relay took ours before).
    if (input.taken && stores) await entryOf(base).then((entry) => entry && send({ type: "write.stored", entries: [entry] }));
    return { status: "unchanged" };
  }
  const signed = await sign(signer, pubkey, built.template, keyring.signerMs);
  const entry = stores ? await entryOf(signed) : null;
  if (stores && !entry) throw failure("write-sign-failed", "The signed list did not verify as this session's; nothing was published");
  if (entry) send({ type: "write.stored", entries: [{ ...entry, pending: true }] });
  const { accepted, refusals } = await publish(ndk, signed, config.timeouts.publishMs);
  // Did another client's version win meanwhile? Relays may have taken ours as stale, or refused it for being older.
  const newest = await fetchNewest(ndk, pubkey, write, config.timeouts.fetchMs, signal);
  const rival = newest.event !== null && newest.event.id !== signed.id && isNewer(newest.event, signed) ? newest.event : null;
  if (accepted.length === 0 && entry) send({ type: "write.rolledBack", key: entry.key, id: entry.id, previous: await entryOf(rival ?? base) });
  if (rival) return { status: "lost", relays: accepted, newest: rival, at: Date.now() };
  if (accepted.length === 0) return { status: "refused", refusals, at: Date.now() };
  // Ours is the newest (or nobody answered the check: the relays took it, which is all we know).
  return { status: "published", relays: accepted };
}

/** NIP-44 to oneself with the session's own signer (a local key decrypts by itself). */
function listCrypto(signer: NDKSigner, self: NDKUser, known: Map<string, string>): ListCrypto {
  return {
    async decrypt(ciphertext, scheme) {
      return (scheme === "nip44" ? decryptToSelf(signer, ciphertext) : undefined) ?? signer.decrypt(self, ciphertext, scheme);
    },
    async encrypt(plaintext) {
      const ciphertext = await signer.encrypt(self, plaintext, "nip44");
      known.set(ciphertext, plaintext);
      return ciphertext;
    },
  };
}

/** The signer for reading our own new event back: what we just encrypted is not sent to a remote signer again. */
function remembering(signer: NDKSigner, known: ReadonlyMap<string, string>): NDKSigner {
  if (signer instanceof NDKPrivateKeySigner || known.size === 0) return signer;
  const decrypt = (sender: NDKUser, value: string, scheme?: "nip04" | "nip44") => (known.has(value) ? Promise.resolve(known.get(value)!) : signer.decrypt(sender, value, scheme));
  return Object.create(signer, { decrypt: { value: decrypt } }) as NDKSigner;
}

/**
 * The template signed as is: NDKEvent.sign would run NDK's content tagger over it (adding tags for
 * hashtags and mentions it finds, a client tag), which is exactly what a list write must not do.
 * The gated signer checks the signature is this session's; we check nothing else changed.
 */
async function sign(signer: NDKSigner, pubkey: Hexpubkey, template: ListTemplate, signerMs: number): Promise<RawListEvent> {
  const unsigned = { pubkey, kind: template.kind, tags: template.tags, content: template.content, created_at: template.created_at };
  const id = getEventHash(unsigned);
  try {
    const sig = await signer.sign({ ...unsigned, id, sig: "" } as NostrEvent);
    return { ...unsigned, id, sig };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === "signer-timeout" ? `no answer within ${signerMs} ms` : typeof code === "string" ? code : "it refused or failed";
    throw failure("write-sign-failed", `The signer did not sign the list (${why}); nothing was published`);
  }
}

/** Publishes to every connected relay of the app's pool; resolves with those that accepted and why the others did not. */
async function publish(ndk: NDK, event: RawListEvent, publishMs: number): Promise<{ accepted: string[]; refusals: string }> {
  const relays = [...ndk.pool.relays.values()].filter((relay) => relay.status >= NDKRelayStatus.CONNECTED);
  if (relays.length === 0) return { accepted: [], refusals: "no relay is connected" };
  try {
    const accepted = await new NDKRelaySet(new Set(relays), ndk).publish(new NDKEvent(ndk, event), publishMs, 1);
    return { accepted: [...accepted].map((relay) => relay.url), refusals: "" };
  } catch (error) {
    if (!(error instanceof NDKPublishError)) return { accepted: [], refusals: `publishing failed (${(error as Error)?.name ?? "Error"})` };
    const refusals = relays.map((relay) => `${relay.url}: ${reasonOf(error.errors.get(relay))}`).join("; ");
    return { accepted: [...error.publishedToRelays].map((relay) => relay.url), refusals };
  }
}

/** A relay's reason (its OK message, a timeout), kept short: it is shown to the user. */
const reasonOf = (error: Error | undefined) => (error?.message || "no answer").slice(0, 200);
