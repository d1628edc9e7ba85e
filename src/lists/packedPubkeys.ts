import { base64urlnopad } from "@scure/base";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

/**
 * Follow lists are the bulk of a session's memory: 1,000 hex pubkeys held as strings cost about
 * 100 KiB in V8. A packed list keeps them as their bytes, 32 each, sorted bytewise (which is also
 * the order of their hex), in one Uint8Array (31 KiB per 1,000) that is searched in place. Stored,
 * it is the same bytes as one base64url text (`toJSON`), so a snapshot stays plain JSON.
 */
const KEY = 32;
const HEX64 = /^[0-9a-f]{64}$/;

/** The stored form of a packed list: `packed` is base64url (unpadded) of `count` × 32 sorted bytes. */
export interface StoredPubkeys {
  packed: string;
  count: number;
}

type Base64Native = {
  fromBase64?: (text: string, options: { alphabet: "base64url" }) => Uint8Array;
};
type Base64Bytes = Uint8Array & { toBase64?: (options: { alphabet: "base64url"; omitPadding: boolean }) => string };

// Node's Buffer codecs and the newer Uint8Array base64 methods are native; older browsers use @scure/base.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const NativeBase64 = Uint8Array as unknown as Base64Native;
const toText: (bytes: Uint8Array) => string = NodeBuffer
  ? (bytes) => NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url")
  : typeof (Uint8Array.prototype as Base64Bytes).toBase64 === "function"
    ? (bytes) => (bytes as Base64Bytes).toBase64!({ alphabet: "base64url", omitPadding: true })
    : (bytes) => base64urlnopad.encode(bytes);
/** The bytes of base64url `text`, expected to be `length` long (another length means damage). */
const fromText: (text: string, length: number) => Uint8Array = NodeBuffer
  ? (text, length) => {
      // Decoded straight into the list's own array: one allocation, no copy.
      const bytes = new Uint8Array(length);
      const written = NodeBuffer.from(bytes.buffer, 0, length).write(text, 0, length, "base64url");
      return written === length && NodeBuffer.byteLength(text, "base64url") === length ? bytes : new Uint8Array(0);
    }
  : typeof NativeBase64.fromBase64 === "function"
    ? (text) => NativeBase64.fromBase64!(text, { alphabet: "base64url" })
    : (text) => base64urlnopad.decode(text);
/** Bytes used once and let go (a key to search for, keys about to be sorted into a list's own array): no copy. */
const transientBytes: (hex: string) => Uint8Array = NodeBuffer ? (hex) => NodeBuffer.from(hex, "hex") : hexToBytes;

/** The length of unpadded base64 text for `bytes` bytes. */
const textLength = (bytes: number) => Math.ceil((bytes * 4) / 3);

export const isHexPubkey = (value: unknown): value is string => typeof value === "string" && HEX64.test(value);

/** < 0, 0 or > 0 as the key at `a` in `left` sorts before, as or after the key at `b` in `right`. */
function compareKeys(left: Uint8Array, a: number, right: Uint8Array, b: number): number {
  for (let i = 0; i < KEY; i++) {
    const difference = left[a + i]! - right[b + i]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Each key strictly after the one before it: sorted, no duplicates. */
function strictlyAscending(bytes: Uint8Array): boolean {
  for (let at = KEY; at < bytes.length; at += KEY) if (compareKeys(bytes, at, bytes, at - KEY) <= 0) return false;
  return true;
}

export class PackedPubkeys {
  /** `bytes`: `count` × 32 bytes, strictly ascending (see packPubkeys and fromStored). */
  constructor(readonly bytes: Uint8Array) {}

  get count(): number {
    return this.bytes.length / KEY;
  }

  /** The stored form (JSON.stringify calls this). */
  toJSON(): StoredPubkeys {
    return { packed: toText(this.bytes), count: this.count };
  }

  /** A stored packed list, or undefined when it is not one (wrong shape, length, or order: damage). */
  static fromStored(value: unknown): PackedPubkeys | undefined {
    if (value instanceof PackedPubkeys) return value;
    const { packed, count } = (value ?? {}) as Partial<StoredPubkeys>;
    if (typeof packed !== "string" || typeof count !== "number" || !Number.isInteger(count) || count < 0) return undefined;
    if (packed.length !== textLength(count * KEY)) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = fromText(packed, count * KEY);
    } catch {
      return undefined;
    }
    return bytes.length === count * KEY && strictlyAscending(bytes) ? new PackedPubkeys(bytes) : undefined;
  }

  indexOf(hex: string): number {
    if (!isHexPubkey(hex)) return -1;
    const needle = transientBytes(hex);
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const order = compareKeys(this.bytes, mid * KEY, needle, 0);
      if (order === 0) return mid;
      if (order < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  hexAt(index: number): string {
    return bytesToHex(this.bytes.subarray(index * KEY, index * KEY + KEY));
  }
}

/** The bytes of lower-case hex text, or undefined when any character is not one. */
const strictHex: (hex: string) => Uint8Array | undefined = NodeBuffer
  ? (hex) => {
      if (hex !== hex.toLowerCase()) return undefined;
      // Node's decoder stops at the first pair that is not hex: a shorter result means a bad character.
      const bytes = NodeBuffer.from(hex, "hex");
      return bytes.length * 2 === hex.length ? bytes : undefined;
    }
  : (hex) => (/^[0-9a-f]*$/.test(hex) ? hexToBytes(hex) : undefined);

/** Valid hex pubkeys, deduplicated and sorted (hex order is byte order), as one packed list. */
export function packPubkeys(hexPubkeys: Iterable<string>): PackedPubkeys {
  const candidates: string[] = [];
  for (const hex of hexPubkeys) if (typeof hex === "string" && hex.length === 64) candidates.push(hex);
  // One check of all of them at once (a list is nearly always clean); key by key only when it is not.
  const bytes = strictHex(candidates.join("")) ?? transientBytes(candidates.filter(isHexPubkey).join(""));
  return new PackedPubkeys(sortedUnique(bytes));
}

/**
 * Above this many keys the sort below runs out of index bits: 64 MiB of keys, a list no relay
 * would carry (an event of it would be 140 MB), refused rather than sorted another way.
 */
const MAX_INDEXED = 2 ** 21;

/**
 * The keys of `bytes` sorted and without repeats, in a new array. Each key is sorted as its first
 * four bytes and its index packed in one float (a native numeric sort of a Float64Array, several
 * times faster than sorting 64-character strings); keys whose first four bytes are equal — rare,
 * and always the case for a repeated key — are then ordered by all their bytes.
 */
function sortedUnique(bytes: Uint8Array): Uint8Array {
  const count = bytes.length / KEY;
  if (count > MAX_INDEXED) throw new RangeError(`A follow list of ${count} keys is more than ${MAX_INDEXED} can be packed`);
  const order = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * KEY;
    const prefix = bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
    order[i] = prefix * MAX_INDEXED + i;
  }
  order.sort();
  const offsetAt = (position: number) => (order[position]! % MAX_INDEXED) * KEY;
  const prefixAt = (position: number) => Math.floor(order[position]! / MAX_INDEXED);
  const out = new Uint8Array(bytes.length);
  let written = 0;
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && prefixAt(end) === prefixAt(start)) end++;
    if (end - start > 1) sortByWholeKey(order, start, end, bytes);
    for (let position = start; position < end; position++) {
      const at = offsetAt(position);
      if (position > start && compareKeys(bytes, at, bytes, offsetAt(position - 1)) === 0) continue; // a repeat
      for (let i = 0; i < KEY; i++) out[written + i] = bytes[at + i]!;
      written += KEY;
    }
    start = end;
  }
  return written === out.length ? out : out.slice(0, written);
}

/** Orders `order[start..end)` (keys sharing their first four bytes: a handful) by their whole keys. */
function sortByWholeKey(order: Float64Array, start: number, end: number, bytes: Uint8Array): void {
  const run = Array.from(order.subarray(start, end)).sort((a, b) => compareKeys(bytes, (a % MAX_INDEXED) * KEY, bytes, (b % MAX_INDEXED) * KEY));
  order.set(run, start);
}

/** A read-only `Set<string>` of hex pubkeys over a packed list; iteration decodes on the fly. */
export class PubkeySet implements ReadonlySet<string> {
  constructor(private readonly list: PackedPubkeys) {}

  get size(): number {
    return this.list.count;
  }

  has(pubkey: string): boolean {
    return this.list.indexOf(pubkey) >= 0;
  }

  *values(): SetIterator<string> {
    for (let i = 0; i < this.list.count; i++) yield this.list.hexAt(i);
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
