import type { NDKSigner } from "@nostr-dev-kit/ndk";
import type { Hexpubkey } from "../../machines";

/** The private key (hex) of a local-key payload (`{"type":"private-key","payload":hex}`), or undefined for any other payload. */
export function localKeyOf(payload: string | undefined): string | undefined {
  if (!payload) return undefined;
  try {
    const parsed = JSON.parse(payload) as { type?: unknown; payload?: unknown };
    return parsed.type === "private-key" && typeof parsed.payload === "string" && /^[0-9a-f]{64}$/i.test(parsed.payload) ? parsed.payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signers map handed to the app: a Map of every session's signer, where a restored key that
 * was never asked for is built (and checked) when its entry is first read. Keys, `has` and `size`
 * need no signer; `get` builds one, iterating builds them all.
 */
export class SignerMap extends Map<Hexpubkey, NDKSigner> {
  private readonly pending: Set<Hexpubkey>;

  constructor(built: ReadonlyMap<Hexpubkey, NDKSigner>, dormant: ReadonlySet<Hexpubkey>, private readonly wake: (pubkey: Hexpubkey) => NDKSigner | undefined) {
    super(built);
    this.pending = new Set([...dormant].filter((pubkey) => !built.has(pubkey)));
  }

  /** The keyring built this pending signer (read through another path): this map now holds it too. */
  built(pubkey: Hexpubkey, signer: NDKSigner): void {
    if (this.pending.delete(pubkey)) super.set(pubkey, signer);
  }

  override get(pubkey: Hexpubkey): NDKSigner | undefined {
    if (this.pending.has(pubkey)) this.settle(pubkey);
    return super.get(pubkey);
  }

  override has(pubkey: Hexpubkey): boolean {
    return this.pending.has(pubkey) || super.has(pubkey);
  }

  override get size(): number {
    return super.size + this.pending.size;
  }

  override keys(): MapIterator<Hexpubkey> {
    this.settleAll();
    return super.keys();
  }

  override values(): MapIterator<NDKSigner> {
    this.settleAll();
    return super.values();
  }

  override entries(): MapIterator<[Hexpubkey, NDKSigner]> {
    this.settleAll();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[Hexpubkey, NDKSigner]> {
    return this.entries();
  }

  override forEach(callback: (value: NDKSigner, key: Hexpubkey, map: Map<Hexpubkey, NDKSigner>) => void, thisArg?: unknown): void {
    this.settleAll();
    super.forEach(callback, thisArg);
  }

  private settle(pubkey: Hexpubkey): void {
    if (!this.pending.delete(pubkey)) return;
    const signer = this.wake(pubkey);
    if (signer) super.set(pubkey, signer);
  }

  private settleAll(): void {
    for (const pubkey of [...this.pending]) this.settle(pubkey);
  }
}
