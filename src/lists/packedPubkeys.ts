import { base64urlnopad } from "@scure/base";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

/**
 * Follow lists are the bulk of a session's memory: 1,000 hex pubkeys held as strings cost about
 * 100 KiB in V8. A packed list keeps each pubkey as 43 base64url characters, sorted, in one string
 * (42 KiB per 1,000) that is plain JSON for snapshots and is searched in place.
 */
const WIDTH = 43;
const HEX64 = /^[0-9a-f]{64}$/;

// Node's Buffer codecs are native and about 10× faster than the portable ones; browsers use @scure/base.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const encode = NodeBuffer
  ? (hex: string) => NodeBuffer.from(hex, "hex").toString("base64url")
  : (hex: string) => base64urlnopad.encode(hexToBytes(hex));
const decode = NodeBuffer
  ? (packed: string) => NodeBuffer.from(packed, "base64url").toString("hex")
  : (packed: string) => bytesToHex(base64urlnopad.decode(packed));

export interface PackedPubkeys {
  /** Concatenated 43-character base64url pubkeys, in ascending order, without duplicates. */
  packed: string;
  count: number;
}

export const isHexPubkey = (value: unknown): value is string => typeof value === "string" && HEX64.test(value);

/** Many at once: one native hex decode for the whole list, then a slice per pubkey. */
const encodeAll = NodeBuffer
  ? (hexes: string[]) => {
      const bytes = NodeBuffer.from(hexes.join(""), "hex");
      return hexes.map((_, i) => bytes.toString("base64url", i * 32, i * 32 + 32));
    }
  : (hexes: string[]) => hexes.map(encode);

export function packPubkeys(hexPubkeys: Iterable<string>): PackedPubkeys {
  const unique = new Set<string>();
  for (const hex of hexPubkeys) if (isHexPubkey(hex)) unique.add(hex);
  const sorted = encodeAll([...unique]).sort();
  return { packed: sorted.join(""), count: sorted.length };
}

function indexOf(list: PackedPubkeys, hex: string): number {
  if (!isHexPubkey(hex)) return -1;
  const needle = encode(hex);
  let lo = 0;
  let hi = list.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const probe = list.packed.slice(mid * WIDTH, mid * WIDTH + WIDTH);
    if (probe === needle) return mid;
    if (probe < needle) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const hexAt = (list: PackedPubkeys, index: number) => decode(list.packed.slice(index * WIDTH, index * WIDTH + WIDTH));

/** A read-only `Set<string>` of hex pubkeys over a packed list; iteration decodes on the fly. */
export class PubkeySet implements ReadonlySet<string> {
  constructor(private readonly list: PackedPubkeys) {}

  get size(): number {
    return this.list.count;
  }

  has(pubkey: string): boolean {
    return indexOf(this.list, pubkey) >= 0;
  }

  *values(): SetIterator<string> {
    for (let i = 0; i < this.list.count; i++) yield hexAt(this.list, i);
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const value of this.values()) yield [value, value];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const value of this.values()) callback.call(thisArg, value, value, this);
  }

  get [Symbol.toStringTag]() {
    return "PubkeySet";
  }
}
