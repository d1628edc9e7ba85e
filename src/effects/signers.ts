import { NDKNip07Signer, NDKNip46Signer, ndkSignerFromPayload, type NDKSigner } from "@nostr-dev-kit/ndk";
import { READ_ONLY, type Hexpubkey, type SignerDescriptor } from "../../machines";
export { describeSigner } from "./signerType";
import { failure, withTimeout } from "../errors";
import type { IngestContext } from "./ingest";
import { checkExtension, nip07SignerFor } from "./nip07";
import type { Keyring } from "./keyring";
import { localKeyOf } from "./signerMap";
import type { Users } from "./users";
import { releaseSigner } from "./sessionSigner";

const rebuilding = new WeakMap<Keyring, Map<Hexpubkey, Promise<void>>>();

/**
 * The signer handed over at login, or one rebuilt from a payload restored from storage. Concurrent
 * calls for one pubkey share one rebuild (a remote signer must not be connected twice).
 */
export function restoreSigner(keyring: Keyring, input: { pubkey: Hexpubkey; signer: SignerDescriptor }, signal?: AbortSignal): Promise<void> {
  if (input.signer.type === READ_ONLY || keyring.has(input.pubkey)) return Promise.resolve();
  let pending = rebuilding.get(keyring);
  if (!pending) rebuilding.set(keyring, (pending = new Map()));
  const running = pending.get(input.pubkey);
  if (running) return running;
  const rebuild = keyring.inTurn(input.pubkey, () => rebuildSigner(keyring, input, signal), signal).finally(() => pending.delete(input.pubkey));
  pending.set(input.pubkey, rebuild);
  return rebuild;
}

/** NDK prints a payload it cannot parse to the console, secret and all: only well-formed ones reach it. */
function wellFormed(payload: string): boolean {
  try {
    const parsed: unknown = JSON.parse(payload);
    return typeof parsed === "object" && parsed !== null && typeof (parsed as { type?: unknown }).type === "string";
  } catch {
    return false;
  }
}

async function rebuildSigner(keyring: Keyring, input: { pubkey: Hexpubkey; signer: SignerDescriptor }, signal?: AbortSignal): Promise<void> {
  const { ndk, signerMs } = keyring;
  if (input.signer.type === "nip07") {
    // An extension needs no payload: the signer is the page's window.nostr, checked when authenticating.
    if (!signal?.aborted) keyring.adopt(input.pubkey, nip07SignerFor(ndk, signerMs));
    return;
  }
  const payload = await keyring.storedPayload(input.pubkey);
  if (payload && localKeyOf(payload)) {
    // A local key signs as soon as it is asked to; its signer is built (and its pubkey checked) then.
    if (!signal?.aborted) keyring.adoptKey(input.pubkey, payload);
    return;
  }
  if (payload && wellFormed(payload)) {
    let signer: NDKSigner | undefined;
    try {
      signer = await withTimeout(ndkSignerFromPayload(payload, ndk), signerMs, () => new Error("timeout"));
    } catch {
      signer = undefined;
    }
    if (signer instanceof NDKNip46Signer) {
      // Listen for the bunker's answers without reconnecting: a reconnect would re-send a
      // single-use secret (and NDK 3.0.3's restored signer never listens by itself, #332).
      const listening = (signer as unknown as { startListening(): Promise<void> }).startListening();
      if (!(await withTimeout(listening, signerMs, () => new Error("timeout")).then(() => true, () => false))) {
        // The payload is good; the bunker's relay is what did not answer, and it may come back.
        releaseSigner(signer);
        throw failure("signer-timeout", "The remote signer's relay did not answer; retrying");
      }
    }
    if (signer) {
      // A login handed one over meanwhile (it wins), or the session logged out: this one is not wanted.
      if (keyring.has(input.pubkey) || signal?.aborted) releaseSigner(signer);
      else keyring.adopt(input.pubkey, signer);
      return;
    }
    const message = `The stored ${input.signer.type} signer could not be rebuilt; log in again`;
    // The peer's warning, for apps that watch for it; no payload or secret in it.
    console.warn(`Failed to restore signer for ${input.pubkey}: ${message}`);
    throw failure("signer-unavailable", message);
  }
  if (keyring.lockable(input.pubkey)) throw failure("locked", "The key is locked: unlock it with its passphrase");
  throw failure("signer-unavailable", `No ${input.signer.type} signer is available for this session; log in again`);
}

/**
 * `signer.user()` within a bounded wait, and it must answer for this session's pubkey. An extension
 * is asked directly (NDK's NIP-07 signer remembers its first answer, failures included).
 */
export async function authenticate(keyring: Keyring, input: { pubkey: Hexpubkey }): Promise<void> {
  // A restored local key is checked against this pubkey when it is first used: deriving it now costs more than the whole restore of its session.
  if (keyring.isDormant(input.pubkey)) return;
  const signer = keyring.signer(input.pubkey);
  const { signerMs } = keyring;
  if (!signer) throw failure("signer-unavailable", "The session has no signer");
  if (signer instanceof NDKNip07Signer) return checkNip07(signerMs, input.pubkey);
  if (signer instanceof NDKNip46Signer && signer.bunkerPubkey && signer.userPubkey === input.pubkey) return pingBunker(signerMs, signer);
  let pubkey: string;
  try {
    const user = await withTimeout(signer.user(), signerMs, () => failure("signer-timeout", `The signer did not answer within ${signerMs} ms`));
    pubkey = user.pubkey;
  } catch (error) {
    if ((error as { code?: string }).code === "signer-timeout") throw error;
    throw failure("signer-failed", "The signer failed to report its user");
  }
  if (pubkey !== input.pubkey) throw failure("signer-mismatch", "The signer answers for another pubkey");
}

/** A connected remote signer answers `ping` (NIP-46): the session is only as ready as its bunker. */
async function pingBunker(signerMs: number, signer: NDKNip46Signer): Promise<void> {
  const rpc = (signer as unknown as { rpc: { sendRequest(to: string, method: string, params: string[], kind: number, cb: (r: unknown) => void): void } }).rpc;
  const answered = new Promise<void>((resolve) => rpc.sendRequest(signer.bunkerPubkey!, "ping", [], 24133, () => resolve()));
  await withTimeout(answered, signerMs, () => failure("signer-timeout", "The remote signer does not answer"));
}

async function checkNip07(signerMs: number, pubkey: Hexpubkey): Promise<void> {
  const check = await checkExtension(pubkey, { timeoutMs: signerMs });
  if (check.status === "missing") throw failure("extension-missing", "No NIP-07 extension is available");
  if (check.status === "other-account") throw failure("extension-other-account", "The extension is on another account");
  if (check.status === "no-answer") throw failure("signer-timeout", "The extension did not answer");
}

export function ingestContextFor(keyring: Keyring, users: Users, pubkey: Hexpubkey, kinds: readonly number[]): IngestContext {
  return {
    author: pubkey,
    kinds: new Set(kinds),
    // Decrypting private mutes is a signer call like any other: through the session's gate, in turn.
    // Looked up only when a private mute list arrives, so most sessions never build a gate for it.
    signer: () => keyring.signer(pubkey),
    user: () => users.of(pubkey),
    decryptTimeoutMs: keyring.signerMs,
  };
}
