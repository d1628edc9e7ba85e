import { NDKNip46Signer, type NDKEncryptionScheme, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { createSignerGate, type SignerGate } from "./signerQueue";
import { describeSigner } from "./signerType";

export interface SessionSignerHooks {
  /** A signer call failed in a way the session must show (a mismatching signature, above all). */
  onFault(error: unknown): void;
  /** The remote signer asks its user to approve (NIP-46 auth_url); `null` once it answered. */
  onApproval(url: string | null): void;
}

/** The signer calls a gate takes over. */
const GATED = ["sign", "encrypt", "decrypt"] as const;
type Gated = (typeof GATED)[number];

/** What Node's console and util.inspect print for an object with this method (instead of its fields). */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * What a gated signer shows when serialised or printed: its kind and pubkey, never its fields (a
 * private key, a NIP-46 client key and secret), so logging the manager's state leaks nothing.
 */
function describe(signer: NDKSigner, pubkey: string): { type: string; pubkey: string } {
  return { type: describeSigner(signer).type, pubkey };
}

/** A gate put on a signer object; `remove()` gives the object its own methods back. */
export interface InstalledGate {
  remove(): void;
}

/**
 * Puts the session's call gate on the app's own signer object, in place: its `sign`, `encrypt` and
 * `decrypt` become the gated ones (one call at a time, bounded with approval time excluded, every
 * signature verified as this session's before anyone sees it), so `ndk.signer` can be that very
 * object — `instanceof` and identity hold — and every path to it, the app's own calls included,
 * goes through the gate. The gate calls the object's original methods, on the object itself.
 * Meanwhile the object serialises and prints as its kind and pubkey alone.
 */
export function installGate(signer: NDKSigner, pubkey: string, timeoutMs: number, hooks: SessionSignerHooks): InstalledGate {
  const target = signer as unknown as Record<Gated, unknown>;
  const own = new Map(GATED.map((name) => [name, Object.getOwnPropertyDescriptor(signer, name)] as const));
  const original = Object.fromEntries(GATED.map((name) => [name, (target[name] as (...args: unknown[]) => unknown).bind(signer)]));
  // What the gate calls: the object as it was (its rpc for approval prompts, its user()), with its own methods.
  const inner = Object.create(signer, Object.fromEntries(GATED.map((name) => [name, { value: original[name] }]))) as NDKSigner;
  let gate: SignerGate | undefined;
  let approvalShown = false;
  // Built at the first call: most sessions are never asked to sign, and a gate is not free.
  const gated = () =>
    (gate ??= createSignerGate(inner, pubkey, {
      timeoutMs,
      onAuthUrl: (url) => {
        approvalShown = true;
        hooks.onApproval(url);
      },
    }));
  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      hooks.onFault(error);
      throw error;
    } finally {
      // Answered: the approval prompt is over, unless the next call already waits on another one.
      if (approvalShown && !gated().awaitingApproval()) {
        approvalShown = false;
        hooks.onApproval(null);
      }
    }
  };
  const methods: Record<Gated, unknown> = {
    sign: async (event: NostrEvent) => (await guarded(() => gated().sign(event))).sig,
    encrypt: (recipient: NDKUser, value: string, scheme?: NDKEncryptionScheme) => guarded(() => gated().encrypt(recipient, value, scheme)),
    decrypt: (sender: NDKUser, value: string, scheme?: NDKEncryptionScheme) => guarded(() => gated().decrypt(sender, value, scheme)),
  };
  for (const name of GATED) Object.defineProperty(signer, name, { value: methods[name], configurable: true, writable: true, enumerable: false });
  const shown = () => describe(signer, pubkey);
  const display = { toJSON: shown, [INSPECT]: shown } as const;
  const hidden = [...Reflect.ownKeys(display)].filter((key) => !Object.prototype.hasOwnProperty.call(signer, key));
  for (const key of hidden) Object.defineProperty(signer, key, { value: display[key as keyof typeof display], configurable: true, writable: true, enumerable: false });
  return {
    remove() {
      for (const name of GATED) {
        if (target[name] !== methods[name]) continue; // replaced since: not ours to undo
        const descriptor = own.get(name);
        if (descriptor) Object.defineProperty(signer, name, descriptor);
        else delete target[name];
      }
      for (const key of hidden) delete (signer as unknown as Record<PropertyKey, unknown>)[key];
    },
  };
}

/** Stops a remote signer's listener and closes its own relay connections (logout, destroy). */
export function releaseSigner(signer: NDKSigner | undefined): void {
  if (!(signer instanceof NDKNip46Signer)) return;
  signer.stop();
  const pool = (signer as unknown as { rpc?: { pool?: { relays: Map<string, { disconnect(): void }> } } }).rpc?.pool;
  for (const relay of pool?.relays.values() ?? []) relay.disconnect();
}
