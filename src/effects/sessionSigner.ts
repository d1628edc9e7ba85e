import { NDKNip46Signer, type NDKEncryptionScheme, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { createSignerGate, type SignerGate } from "./signerQueue";
import { describeSigner } from "./signerType";
import { closeBunkerRelays } from "./remoteRelays";

/** What gated signers report, one object for all of them (each call says which signer and pubkey). */
export interface SessionSignerHooks {
  /** A signer call failed in a way the session must show (a mismatching signature, above all). */
  onFault(signer: NDKSigner, pubkey: string, error: unknown): void;
  /** The remote signer asks its user to approve (NIP-46 auth_url); `null` once it answered. */
  onApproval(signer: NDKSigner, pubkey: string, url: string | null): void;
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

type Method = (...args: unknown[]) => unknown;

/** One gated signer's own part: everything else is shared by all of them. */
interface GateState {
  pubkey: string;
  timeoutMs: number;
  hooks: SessionSignerHooks;
  /** The object's methods as they were, called with the object as `this`. */
  originals: Record<Gated, Method>;
  /** Built at the first call: most sessions are never asked to sign, and a gate is not free. */
  gate: SignerGate | undefined;
  approvalShown: boolean;
  /** How the gate was put on: the prototype it stands in front of, or the own properties it replaced (and what they were). */
  undo: { prototype: object; gated: object } | { own: Map<PropertyKey, PropertyDescriptor | undefined> };
}

const states = new WeakMap<object, GateState>();

/** The state of a gated signer, or of an object made from one (`Object.create(signer)`). */
function stateOf(object: unknown): { signer: NDKSigner; state: GateState } {
  for (let current = object, depth = 0; current && depth < 8; current = Object.getPrototypeOf(current), depth++) {
    const state = states.get(current as object);
    if (state) return { signer: current as NDKSigner, state };
  }
  throw new TypeError("This signer's session gate was removed");
}

function gateOf(signer: NDKSigner, state: GateState): SignerGate {
  if (state.gate) return state.gate;
  const { originals } = state;
  // What the gate calls: the object as it is (its rpc for approval prompts, its user()), with its own methods.
  const inner = Object.create(signer, {
    sign: { value: (...args: unknown[]) => originals.sign.apply(signer, args) },
    encrypt: { value: (...args: unknown[]) => originals.encrypt.apply(signer, args) },
    decrypt: { value: (...args: unknown[]) => originals.decrypt.apply(signer, args) },
  }) as NDKSigner;
  return (state.gate = createSignerGate(inner, state.pubkey, {
    timeoutMs: state.timeoutMs,
    onAuthUrl: (url) => {
      state.approvalShown = true;
      state.hooks.onApproval(signer, state.pubkey, url);
    },
  }));
}

async function guarded<T>(self: unknown, call: (gate: SignerGate) => Promise<T>): Promise<T> {
  const { signer, state } = stateOf(self);
  const gate = gateOf(signer, state);
  try {
    return await call(gate);
  } catch (error) {
    state.hooks.onFault(signer, state.pubkey, error);
    throw error;
  } finally {
    // Answered: the approval prompt is over, unless the next call already waits on another one.
    if (state.approvalShown && !gate.awaitingApproval()) {
      state.approvalShown = false;
      state.hooks.onApproval(signer, state.pubkey, null);
    }
  }
}

/** The gated calls and the safe display, shared by every gated signer; `this` says whose. */
const shared = {
  async sign(this: unknown, event: NostrEvent) {
    return (await guarded(this, (gate) => gate.sign(event))).sig;
  },
  encrypt(this: unknown, recipient: NDKUser, value: string, scheme?: NDKEncryptionScheme) {
    return guarded(this, (gate) => gate.encrypt(recipient, value, scheme));
  },
  decrypt(this: unknown, sender: NDKUser, value: string, scheme?: NDKEncryptionScheme) {
    return guarded(this, (gate) => gate.decrypt(sender, value, scheme));
  },
  toJSON(this: unknown) {
    const { signer, state } = stateOf(this);
    return describe(signer, state.pubkey);
  },
  [INSPECT](this: unknown) {
    const { signer, state } = stateOf(this);
    return describe(signer, state.pubkey);
  },
};
const SHARED_KEYS = Reflect.ownKeys(shared) as Array<keyof typeof shared>;
const sharedDescriptors = Object.fromEntries(
  SHARED_KEYS.map((key) => [key, { value: shared[key], configurable: true, writable: true, enumerable: false }]),
) as PropertyDescriptorMap;

/** Per class, one prototype in front of the class's own, holding the shared methods. */
const gatedPrototypes = new WeakMap<object, object>();
const isGatedPrototype = new WeakSet<object>();

function gatedPrototypeOf(prototype: object): object {
  let gated = gatedPrototypes.get(prototype);
  if (!gated) {
    gated = Object.create(prototype, sharedDescriptors) as object;
    gatedPrototypes.set(prototype, gated);
    isGatedPrototype.add(gated);
  }
  return gated;
}

/**
 * Puts the session's call gate on the app's own signer object, in place: its `sign`, `encrypt` and
 * `decrypt` become the gated ones (one call at a time, bounded with approval time excluded, every
 * signature verified as this session's before anyone sees it), so `ndk.signer` can be that very
 * object — `instanceof` and identity hold — and every path to it, the app's own calls included,
 * goes through the gate. The gate calls the object's original methods, on the object itself.
 * Meanwhile the object serialises and prints as its kind and pubkey alone.
 *
 * A class instance gets a prototype of gated methods shared by its whole class, put in front of its
 * own (nothing is added to the object); an object with methods of its own gets the shared methods
 * as own properties instead.
 */
export function installGate(signer: NDKSigner, pubkey: string, timeoutMs: number, hooks: SessionSignerHooks): void {
  const target = signer as unknown as Record<PropertyKey, unknown>;
  const originals = Object.fromEntries(GATED.map((name) => [name, target[name] as Method])) as Record<Gated, Method>;
  const prototype = Object.getPrototypeOf(signer) as object | null;
  const ownsAny = SHARED_KEYS.some((key) => Object.prototype.hasOwnProperty.call(signer, key));
  if (prototype && prototype !== Object.prototype && !ownsAny && !isGatedPrototype.has(prototype) && Object.isExtensible(signer)) {
    const gated = gatedPrototypeOf(prototype);
    states.set(signer, { pubkey, timeoutMs, hooks, originals, gate: undefined, approvalShown: false, undo: { prototype, gated } });
    Object.setPrototypeOf(signer, gated);
    return;
  }
  // Own methods are replaced; a toJSON of the object's own is left alone.
  const replaced = SHARED_KEYS.filter((key) => (GATED as readonly PropertyKey[]).includes(key) || !Object.prototype.hasOwnProperty.call(signer, key));
  const own = new Map(replaced.map((key) => [key, Object.getOwnPropertyDescriptor(signer, key)] as const));
  states.set(signer, { pubkey, timeoutMs, hooks, originals, gate: undefined, approvalShown: false, undo: { own } });
  for (const key of replaced) Object.defineProperty(signer, key, { value: shared[key as keyof typeof shared], configurable: true, writable: true, enumerable: false });
}

/** Takes the gate off: the object has its own methods back (what was replaced since is left alone). */
export function removeGate(signer: NDKSigner): void {
  const state = states.get(signer);
  if (!state) return;
  states.delete(signer);
  const { undo } = state;
  if ("prototype" in undo) {
    if (Object.getPrototypeOf(signer) === undo.gated) Object.setPrototypeOf(signer, undo.prototype);
    return;
  }
  const target = signer as unknown as Record<PropertyKey, unknown>;
  for (const [key, descriptor] of undo.own) {
    if (target[key] !== shared[key as keyof typeof shared]) continue; // replaced since: not ours to undo
    if (descriptor) Object.defineProperty(signer, key, descriptor);
    else delete target[key];
  }
}

/** Stops a remote signer's listener and closes its own relay connections (logout, destroy, a failed login). */
export function releaseSigner(signer: NDKSigner | undefined): void {
  if (!(signer instanceof NDKNip46Signer)) return;
  signer.stop();
  closeBunkerRelays(signer);
}
