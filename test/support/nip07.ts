/**
 * A NIP-07 extension (`window.nostr`) backed by a real key: events are signed with nostr-tools'
 * `finalizeEvent`, NIP-04/NIP-44 use nostr-tools' own implementations. It runs in Node (where
 * `install()` sets `globalThis.window ??= globalThis`, since NDK reads a bare `window`) and in
 * Chromium, where test/support/nip07Script.ts bundles this file into a page init script.
 *
 * Controls: `switchAccount` (the extension now answers for another key, as when the user picks
 * another account), `remove()` / `install()` (no extension / extension back), `getPublicKeyDelayMs`
 * (how long the "user" takes to approve; `Infinity` never answers), and `calls` per method.
 */
import { finalizeEvent, getPublicKey, type EventTemplate, type VerifiedEvent } from "nostr-tools/pure";
import * as nip04 from "nostr-tools/nip04";
import * as nip44 from "nostr-tools/nip44";
import { hexToBytes } from "nostr-tools/utils";
import type { WindowNostr } from "nostr-tools/nip07";

export type Nip07Method =
  | "getPublicKey"
  | "signEvent"
  | "getRelays"
  | "nip04.encrypt"
  | "nip04.decrypt"
  | "nip44.encrypt"
  | "nip44.decrypt";

export interface FakeNip07Provider extends WindowNostr {
  getRelays(): Promise<Record<string, { read: boolean; write: boolean }>>;
  nip04: NonNullable<WindowNostr["nip04"]>;
  nip44: NonNullable<WindowNostr["nip44"]>;
}

export interface FakeNip07 {
  /** The object set as `window.nostr` by `install()`. */
  readonly provider: FakeNip07Provider;
  /** The pubkey the extension answers for now (hex). */
  readonly pubkey: string;
  /** Whether `window.nostr` is this provider right now. */
  readonly installed: boolean;
  /** Delay before `getPublicKey` answers (ms); `Infinity` = it never answers. */
  getPublicKeyDelayMs: number;
  /** How many times each method was called (counted when called, answered or not). */
  readonly calls: Record<Nip07Method, number>;
  /** From now on the extension answers (pubkey, signatures, decryption) for this key; returns its pubkey. */
  switchAccount(secretKey: Uint8Array | string): string;
  /** Sets `window.nostr` (and, in Node, `globalThis.window ??= globalThis`). */
  install(): void;
  /** Deletes `window.nostr`: the page has no extension. */
  remove(): void;
}

export interface FakeNip07Options {
  /** The object that plays `window`; default `globalThis.window ??= globalThis`. */
  win?: object;
  getPublicKeyDelayMs?: number;
  /** Install at once (default true). */
  install?: boolean;
}

const toBytes = (key: Uint8Array | string): Uint8Array => (typeof key === "string" ? hexToBytes(key) : key);

function defaultWindow(): object {
  const g = globalThis as { window?: object };
  g.window ??= globalThis;
  return g.window;
}

export function createFakeNip07(secretKey: Uint8Array | string, options: FakeNip07Options = {}): FakeNip07 {
  let key = toBytes(secretKey);
  let pubkey = getPublicKey(key);
  const calls: Record<Nip07Method, number> = {
    getPublicKey: 0,
    signEvent: 0,
    getRelays: 0,
    "nip04.encrypt": 0,
    "nip04.decrypt": 0,
    "nip44.encrypt": 0,
    "nip44.decrypt": 0,
  };
  const count = (method: Nip07Method) => {
    calls[method] += 1;
  };

  const provider: FakeNip07Provider = {
    getPublicKey() {
      count("getPublicKey");
      const delay = fake.getPublicKeyDelayMs;
      if (delay <= 0) return Promise.resolve(pubkey);
      // Answered for the account that is current when the "user" approves, as an extension does.
      if (!Number.isFinite(delay)) return new Promise<string>(() => {});
      return new Promise((resolve) => setTimeout(() => resolve(pubkey), delay));
    },
    async signEvent(event: EventTemplate): Promise<VerifiedEvent> {
      count("signEvent");
      // Only the template: an extension gets a copy and sets pubkey, id and sig itself.
      const { kind, tags, content, created_at } = event;
      return finalizeEvent({ kind, tags: tags.map((tag) => [...tag]), content, created_at }, key);
    },
    async getRelays() {
      count("getRelays");
      return {};
    },
    nip04: {
      async encrypt(peer, plaintext) {
        count("nip04.encrypt");
        return nip04.encrypt(key, peer, plaintext);
      },
      async decrypt(peer, ciphertext) {
        count("nip04.decrypt");
        return nip04.decrypt(key, peer, ciphertext);
      },
    },
    nip44: {
      async encrypt(peer, plaintext) {
        count("nip44.encrypt");
        return nip44.encrypt(plaintext, nip44.getConversationKey(key, peer));
      },
      async decrypt(peer, ciphertext) {
        count("nip44.decrypt");
        return nip44.decrypt(ciphertext, nip44.getConversationKey(key, peer));
      },
    },
  };

  const host = () => (options.win ?? defaultWindow()) as { nostr?: unknown };
  const fake: FakeNip07 = {
    provider,
    get pubkey() {
      return pubkey;
    },
    get installed() {
      return host().nostr === provider;
    },
    getPublicKeyDelayMs: options.getPublicKeyDelayMs ?? 0,
    calls,
    switchAccount(next) {
      key = toBytes(next);
      pubkey = getPublicKey(key);
      return pubkey;
    },
    install() {
      host().nostr = provider;
    },
    remove() {
      delete host().nostr;
    },
  };
  if (options.install ?? true) fake.install();
  return fake;
}
