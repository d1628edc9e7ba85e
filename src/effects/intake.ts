import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer, NDKPrivateKeySigner, nip19, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { requireWebSocket, SessionError, SignerError } from "../errors";
import { isHexPubkey } from "../lists/packedPubkeys";
import type { Nip49Sealed } from "../secrets/sealing";
import { parseBunkerUri } from "./bunkerUri";
import type { EngineTimeouts } from "./configuration";
import { awaitBunkerRelays, awaitsBunkerRelays } from "./remoteRelays";
import { releaseSigner } from "./sessionSigner";
import { loginCancelled } from "./signerErrors";

export type Credential = { pubkey: string; signer?: NDKSigner; sealed?: Nip49Sealed };

/** How `login()` reads a string, and waits for a signer. */
export interface IntakeOptions {
  /** A 64-hex string is ambiguous: a private key or someone's pubkey. */
  as?: "private-key" | "read-only";
  /** For an `ncryptsec1…` login. */
  passphrase?: string;
  /** Called when a remote signer asks its user to approve (NIP-46 auth_url); the wait then stops counting. */
  onAuthUrl?: (url: string) => void;
  /** Cancels a login that waits for its signer. */
  signal?: AbortSignal;
  /** Wait for the user as long as it takes (a nostrconnect:// pairing); only `signal` ends it early. */
  untimed?: boolean;
}

const UNREADABLE_LOGIN = "login() takes an NDKSigner, an NDKUser, or an nsec, ncryptsec, npub, hex key or bunker:// address";

const isSigner = (value: unknown): value is NDKSigner =>
  typeof value === "object" && value !== null && typeof (value as NDKSigner).user === "function" && typeof (value as NDKSigner).sign === "function";

const isUser = (value: unknown): value is NDKUser =>
  typeof value === "object" && value !== null && !isSigner(value) && "pubkey" in value;

/** nsec / ncryptsec / npub / hex / bunker:// as a signer or a user; SignerError for anything else. */
function fromString(ndk: NDK, input: string, options: IntakeOptions): { signer?: NDKSigner; user?: NDKUser; sealed?: Nip49Sealed } {
  const text = input.trim();
  try {
    if (text.startsWith("bunker://")) {
      parseBunkerUri(text);
      // Without a WebSocket NDK's RPC pool rejects inside its constructor, where nobody catches it.
      requireWebSocket();
      return { signer: NDKNip46Signer.bunker(ndk, text) };
    }
    if (text.startsWith("ncryptsec1")) {
      if (!options.passphrase) throw new SignerError("An ncryptsec needs its passphrase", "no-passphrase");
      try {
        return { signer: NDKPrivateKeySigner.fromNcryptsec(text, options.passphrase, ndk), sealed: { scheme: "nip49", ncryptsec: text } };
      } catch {
        throw new SignerError("Wrong passphrase", "wrong-passphrase");
      }
    }
    if (text.startsWith("nsec1")) return { signer: new NDKPrivateKeySigner(text, ndk) };
    if (text.startsWith("npub1")) return { user: ndk.getUser({ pubkey: nip19.decode(text).data as string }) };
    if (/^[0-9a-f]{64}$/i.test(text)) {
      if (options.as === "private-key") return { signer: new NDKPrivateKeySigner(text.toLowerCase(), ndk) };
      if (options.as === "read-only") return { user: ndk.getUser({ pubkey: text.toLowerCase() }) };
      throw new SignerError("A hex key is ambiguous: say { as: \"private-key\" } or { as: \"read-only\" }", "ambiguous-hex");
    }
  } catch (error) {
    if (error instanceof SessionError) throw error;
    throw new SignerError("The key or address could not be read", "invalid-login"); // never the input itself
  }
  throw new SignerError(UNREADABLE_LOGIN, "invalid-login");
}

/**
 * `signer.user()` within `timeoutMs` of working time: a remote signer's wait for its user's approval
 * (NIP-46 auth_url) stops the clock, and the caller's signal cancels.
 */
function userOf(signer: NDKSigner, timeoutMs: number, options: IntakeOptions): Promise<NDKUser> {
  const rpc = (signer as { rpc?: { on(e: string, l: (url: string) => void): unknown; off(e: string, l: (url: string) => void): unknown } }).rpc;
  return new Promise<NDKUser>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined = options.untimed
      ? undefined
      : setTimeout(() => finish(() => reject(new SignerError(`The signer did not name its user within ${timeoutMs} ms`, "signer-timeout"))), timeoutMs);
    const onAuthUrl = (url: string) => {
      clearTimeout(timer);
      timer = undefined;
      options.onAuthUrl?.(url);
    };
    const onAbort = () => finish(() => reject(loginCancelled()));
    function finish(outcome: () => void) {
      clearTimeout(timer);
      rpc?.off("authUrl", onAuthUrl);
      options.signal?.removeEventListener("abort", onAbort);
      outcome();
    }
    rpc?.on("authUrl", onAuthUrl);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    signer.user().then(
      (user) => finish(() => resolve(user)),
      () => finish(() => reject(new SignerError("The signer failed to name its user", "signer-failed"))),
    );
  });
}

/**
 * What `login()` accepts, checked before any actor sees it: a bunker signer must reach one of its
 * relays within `connectMs`, a signer must name its user within `signerMs` of working time; a user
 * must carry a hex pubkey. Anything else is a typed error, never a session.
 */
export async function admit(
  ndk: NDK,
  input: unknown,
  timeouts: Pick<EngineTimeouts, "signerMs" | "connectMs">,
  options: IntakeOptions = {},
): Promise<Credential> {
  const parsed = typeof input === "string" ? fromString(ndk, input, options) : { signer: isSigner(input) ? input : undefined, user: isUser(input) ? input : undefined };
  if (parsed.signer) {
    let pubkey: unknown;
    try {
      if (options.signal?.aborted) throw loginCancelled();
      // Reaching a relay is timed on its own and first: until then the bunker has been asked nothing,
      // so no approval can fall inside that wait; the wait for the user starts after it.
      if (awaitsBunkerRelays(parsed.signer)) await awaitBunkerRelays(parsed.signer, timeouts.connectMs, options.signal);
      pubkey = (await userOf(parsed.signer, timeouts.signerMs, options)).pubkey;
    } catch (error) {
      // A remote signer made here from a bunker:// string is ours to stop (the app's own are not).
      if (typeof input === "string") releaseSigner(parsed.signer);
      throw error;
    }
    if (!isHexPubkey(pubkey)) throw new SignerError("The signer named an invalid pubkey", "signer-invalid-pubkey");
    return { pubkey, signer: parsed.signer, sealed: "sealed" in parsed ? parsed.sealed : undefined };
  }
  if (parsed.user) {
    let pubkey: unknown;
    try {
      pubkey = parsed.user.pubkey;
    } catch {
      pubkey = undefined;
    }
    if (!isHexPubkey(pubkey)) throw new SignerError("The user has no valid hex pubkey", "invalid-pubkey");
    return { pubkey };
  }
  throw new SignerError(UNREADABLE_LOGIN, "invalid-login");
}

/** A NIP-46 signer waiting for a remote signer to pair through `uri` (nostrconnect://). */
export function nostrConnectSigner(ndk: NDK, options: { relay: string; name?: string; url?: string; image?: string; perms?: string }): { uri: string; signer: NDKNip46Signer } {
  const { relay, name, url, image, perms } = options;
  const signer = NDKNip46Signer.nostrconnect(ndk, relay, undefined, { name, url, image, perms });
  return { uri: signer.nostrConnectUri!, signer };
}
