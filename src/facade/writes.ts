import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import { NoActiveSessionError, SessionNotFoundError } from "../errors";
import type { WriteResult } from "../effects/writeRegistry";
import * as build from "../lists/listEdit";
import type { ListEdit, ListTarget, ListWrite, MuteItem, RelayMarkers } from "../lists/listEdit";
import { ListWriteError } from "../lists/listWriteErrors";
import { SessionReads } from "./reads";

/** Which session writes, and how long the caller waits. */
export interface WriteOptions {
  /** The session whose list is edited (default: the active one). */
  pubkey?: Hexpubkey;
  /** Stops waiting (rejects with `write-aborted`); the write itself goes on, as relays may already hold it. */
  signal?: AbortSignal;
}

/**
 * The writing half of the drop-in face (issue 13): edits of the session's own lists that never lose
 * what they do not touch. Each call builds an intent (src/lists/listEdit.ts, checked at once) and
 * sends it to the session, which reads the relays' newest version of the list, publishes the edit
 * on top of it, and settles the promise with the relays that accepted it.
 */
export abstract class SessionWrites extends SessionReads {
  protected abstract requireAlive(): void;

  /**
   * Any list write: a builder's, or several merged (`mergeWrites`). Rejects before anything is built
   * when the session cannot sign (ListWriteError `write-cannot-sign`) or the write is malformed
   * (ListEditError); later with the reason it did not reach a relay.
   */
  async write(write: ListWrite, options: WriteOptions = {}): Promise<WriteResult> {
    this.requireAlive();
    const pubkey = options.pubkey ?? this.activePubkey;
    if (!pubkey) throw new NoActiveSessionError();
    const session = this.getSession(pubkey);
    if (!session) throw new SessionNotFoundError(pubkey);
    build.validateWrite(write);
    if (!session.canSign) throw new ListWriteError(`The session cannot sign (its signer is ${session.signerState}); nothing was written`, "write-cannot-sign");
    if (options.signal?.aborted) throw new ListWriteError("The signal was aborted before the write was asked for; nothing was written", "write-aborted");
    const { writes } = this.parts.engine.runtime;
    const requestId = writes.nextId();
    const outcome = writes.wait(requestId, pubkey, options.signal);
    this.actor.send({ type: "list.write", pubkey, write, requestId });
    return outcome;
  }

  /** Kind 3: adds `["p", pubkey, relay?, petname?]` unless that pubkey is followed already. */
  follow(pubkey: Hexpubkey, options: WriteOptions & { relay?: string; petname?: string } = {}): Promise<WriteResult> {
    return this.submit(() => build.follow(pubkey, options), options);
  }

  unfollow(pubkey: Hexpubkey, options: WriteOptions = {}): Promise<WriteResult> {
    return this.submit(() => build.unfollow(pubkey), options);
  }

  /** Kind 10000: a pubkey, word, hashtag or event; `private: true` among the encrypted items. */
  mute(item: MuteItem, options: WriteOptions & { private?: boolean } = {}): Promise<WriteResult> {
    return this.submit(() => build.mute(item, scope(options)), options);
  }

  /** Removes the item from the public tags and the private items, unless `private` says which. */
  unmute(item: MuteItem, options: WriteOptions & { private?: boolean } = {}): Promise<WriteResult> {
    return this.submit(() => build.unmute(item, scope(options)), options);
  }

  /** Kind 10001 (NIP-51 pinned notes). */
  pin(eventId: string, options: WriteOptions & { relay?: string; private?: boolean } = {}): Promise<WriteResult> {
    return this.submit(() => build.pin(eventId, { relay: options.relay, ...scope(options) }), options);
  }

  unpin(eventId: string, options: WriteOptions & { private?: boolean } = {}): Promise<WriteResult> {
    return this.submit(() => build.unpin(eventId, scope(options)), options);
  }

  /** Kind 10006 (NIP-51 blocked relays). */
  blockRelay(url: string, options: WriteOptions & { private?: boolean } = {}): Promise<WriteResult> {
    return this.submit(() => build.blockRelay(url, scope(options)), options);
  }

  unblockRelay(url: string, options: WriteOptions & { private?: boolean } = {}): Promise<WriteResult> {
    return this.submit(() => build.unblockRelay(url, scope(options)), options);
  }

  /** Kind 10002: each named relay's markers set in place (neither read nor write removes it); others are left alone. */
  setRelays(relays: Iterable<RelayMarkers>, options: WriteOptions = {}): Promise<WriteResult> {
    return this.submit(() => build.setRelays(relays), options);
  }

  /** Any replaceable or addressable list, e.g. `editList({ kind: 30000, d: "friends" }, [{ op: "add", tag: ["p", pk] }])`. */
  editList(target: ListTarget, edits: ListEdit[], options: WriteOptions = {}): Promise<WriteResult> {
    return this.submit(() => build.editList(target, edits), options);
  }

  /** A builder's error (a bad pubkey, URL, tag) as a rejection, like every other refusal. */
  private async submit(make: () => ListWrite, options: WriteOptions): Promise<WriteResult> {
    return this.write(make(), options);
  }
}

const scope = (options: { private?: boolean }) => (options.private === undefined ? {} : { private: options.private });

export type { WriteResult };
