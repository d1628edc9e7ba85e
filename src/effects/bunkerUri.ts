import { secp256k1 } from "@noble/curves/secp256k1.js";
import { SignerError } from "../errors";

/** What a `bunker://` address names (NIP-46), checked before NDK is handed it. */
export interface BunkerAddress {
  /** The remote signer's pubkey: where requests are p-tagged and encrypted to. */
  pubkey: string;
  /** Where the remote signer listens, as written in the address. */
  relays: string[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const ANY_CASE_HEX64 = /^[0-9a-f]{64}$/i;

const invalid = (what: string) => new SignerError(`Bad bunker:// address: ${what}`, "invalid-login");

/**
 * Reads a `bunker://<pubkey>?relay=wss://…[&relay=…][&secret=…]` address, or throws SignerError
 * "invalid-login" saying what is wrong. NDK 3.0.3 takes whatever it is given and then waits for
 * ever (no relay, a relay it cannot dial) or fails inside a promise nobody awaits (a pubkey it
 * cannot encrypt to), so each of these is refused here. No message quotes the address: it may hold
 * a secret, and a relay's query string may hold a token.
 */
export function parseBunkerUri(text: string): BunkerAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid("it could not be read as a URL");
  }
  if (url.protocol !== "bunker:") throw invalid("it does not start with bunker://");
  // As NDK reads it: "bunker:" is not a special scheme, so the pubkey is an opaque host (case kept).
  const pubkey = url.hostname || url.pathname.replace(/^\/\//, "");
  if (!pubkey) throw invalid("it has no remote signer pubkey after bunker://");
  if (!HEX64.test(pubkey)) {
    // NIP-46 names the remote signer by a NIP-01 pubkey, which is lower-case hex; nostr-tools and the
    // bunkers that print these addresses agree, and NDK would p-tag the upper-case text as it is.
    if (ANY_CASE_HEX64.test(pubkey)) throw invalid("the pubkey has upper-case letters; NIP-46 pubkeys are 64 lower-case hex characters");
    throw invalid(`the pubkey is not 64 lower-case hex characters (it has ${pubkey.length})`);
  }
  try {
    // An x-only pubkey (BIP-340) names the curve point with that x and an even y: there must be one.
    secp256k1.Point.fromHex(`02${pubkey}`).assertValidity();
  } catch {
    throw invalid("the pubkey is not a valid public key (not a point on secp256k1)");
  }
  const relays = url.searchParams.getAll("relay");
  if (relays.length === 0) throw invalid("it has no relay= parameter; the remote signer cannot be reached without one");
  relays.forEach((relay, index) => checkRelay(relay, relays.length > 1 ? `relay ${index + 1}` : "the relay"));
  return { pubkey, relays };
}

function checkRelay(relay: string, name: string): void {
  let url: URL;
  try {
    url = new URL(relay);
  } catch {
    throw invalid(`${name} is not a URL (expected ws://… or wss://…)`);
  }
  if (url.protocol === "ws:" || url.protocol === "wss:") return;
  // The scheme is named only when it is the usual mix-up: any other text could be anything pasted.
  const scheme = url.protocol === "http:" || url.protocol === "https:" ? ` (it is ${url.protocol}//)` : "";
  throw invalid(`${name} is not a ws:// or wss:// URL${scheme}`);
}

/**
 * A relay as a person reads it in an error: scheme, host, port and path. The query and any
 * user:password are left out, since a relay URL can carry an access token there.
 */
export function relayLabel(relay: string): string {
  try {
    const url = new URL(relay);
    return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(unreadable relay URL)";
  }
}
