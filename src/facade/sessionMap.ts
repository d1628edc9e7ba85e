import type { Hexpubkey } from "../../machines";
import { SessionError } from "../errors";

const readOnly = () => new SessionError("The state's sessions are read-only: change them through the manager", "read-only-state");

/**
 * Changed views a version keeps on top of its base before it is copied in full: about √N, so a
 * change costs O(√N) and the base holds at most that many superseded views (with the lists they
 * held) alive.
 */
const maxChanges = (size: number) => Math.max(8, Math.ceil(Math.sqrt(size)));

/**
 * The state's `sessions`: a new Map whenever a session's view changes (selectors compare by
 * identity), without copying every session for each change. A version made by `with()` keeps the
 * changed views on top of a shared base and answers `get`, `has` and `size` from them; it fills
 * itself (one copy) only when iterated, or when it has gathered √N of them. With a
 * thousand sessions each changing a few times in a restore, that is a few dozen copies instead of
 * thousands. The keys never change within one base: a session coming or going builds a new map.
 * Read-only, like the rest of the state.
 */
export class SessionMap<V> extends Map<Hexpubkey, V> {
  private base: ReadonlyMap<Hexpubkey, V> | undefined;
  private changes: Map<Hexpubkey, V> | undefined;

  static from<V>(entries: Iterable<readonly [Hexpubkey, V]>): SessionMap<V> {
    const map = new SessionMap<V>();
    for (const [key, value] of entries) Map.prototype.set.call(map, key, value);
    return map;
  }

  /** This map with `key` (already in it) now holding `value`. */
  with(key: Hexpubkey, value: V): SessionMap<V> {
    const next = new SessionMap<V>();
    const changes = this.changes ? new Map(this.changes) : new Map<Hexpubkey, V>();
    changes.set(key, value);
    if (changes.size > maxChanges(this.size)) {
      for (const [k, v] of this.base ?? this) Map.prototype.set.call(next, k, changes.has(k) ? changes.get(k) : v);
      return next;
    }
    next.base = this.base ?? this;
    next.changes = changes;
    return next;
  }

  override get(key: Hexpubkey): V | undefined {
    if (!this.base) return super.get(key);
    return this.changes!.has(key) ? this.changes!.get(key) : this.base.get(key);
  }

  override has(key: Hexpubkey): boolean {
    return this.base ? this.base.has(key) : super.has(key);
  }

  override get size(): number {
    return this.base ? this.base.size : super.size;
  }

  override entries(): MapIterator<[Hexpubkey, V]> {
    return this.filled().entries.call(this);
  }

  override keys(): MapIterator<Hexpubkey> {
    return this.filled().keys.call(this);
  }

  override values(): MapIterator<V> {
    return this.filled().values.call(this);
  }

  override [Symbol.iterator](): MapIterator<[Hexpubkey, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: Hexpubkey, map: Map<Hexpubkey, V>) => void, thisArg?: unknown): void {
    this.filled().forEach.call(this, callback, thisArg);
  }

  // Versions share their entries: a write to one would show in others. The state is the manager's to change.
  override set(_key: Hexpubkey, _value: V): this {
    throw readOnly();
  }

  override delete(_key: Hexpubkey): boolean {
    throw readOnly();
  }

  override clear(): void {
    throw readOnly();
  }

  /** Copies base and changes into this map's own entries (once); returns Map's own methods to call on it. */
  private filled(): Map<Hexpubkey, V> {
    const { base, changes } = this;
    if (base) {
      this.base = undefined;
      this.changes = undefined;
      for (const [k, v] of base) Map.prototype.set.call(this, k, changes!.has(k) ? changes!.get(k) : v);
    }
    return Map.prototype as Map<Hexpubkey, V>;
  }
}
