/**
 * The real world the model paths run in, and the few knobs a test turns to make it produce an
 * event: a private-key signer that answers for its user, for someone else, or throws, and that
 * signs, forges or never answers; an app's own signer over the NIP-07 extension; a network that goes down and comes back; a NIP-46 bunker (NDK's
 * own backend, test/support/bunker.ts) that asks its user to approve every signature, and can ask
 * again, behind a relay address that can stop listening; a NIP-46 login saved by an earlier run
 * of the app (test/model/births.ts). The relays as the clients reach them are test/model/relayLink.ts;
 * the NIP-07 extension is test/support/nip07.ts, the one stand-in (Node has no extension).
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, NDKNostrRpc, NDKPrivateKeySigner, NDKUser, type NDKSigner, type NDKSubscription } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import type { WindowNostr } from "nostr-tools/nip07";
import { startBunker, type Bunker } from "../support/bunker";
import { eventually, publish } from "../support/env";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";

/** A real private-key signer whose answers the test scripts (what a buggy or hijacked signer does). */
export class ScriptedSigner extends NDKPrivateKeySigner {
  /** What `user()` does: name its own user, name a stranger, or throw. */
  answer: "self" | "other" | "throw" = "self";
  /** What `sign()` does: sign, sign with the stranger's key, or never answer. */
  signing: "ok" | "forge" | "hang" = "ok";
  private readonly stranger = NDKPrivateKeySigner.generate();

  static fresh(): ScriptedSigner {
    return new ScriptedSigner(NDKPrivateKeySigner.generate().privateKey);
  }

  override async user(): Promise<NDKUser> {
    if (this.answer === "throw") throw new Error("the signer is broken");
    return this.answer === "other" ? this.stranger.user() : super.user();
  }

  override async sign(event: NostrEvent): Promise<string> {
    if (this.signing === "hang") return new Promise<string>(() => {});
    if (this.signing === "forge") return this.stranger.sign({ ...event, pubkey: this.stranger.pubkey });
    return super.sign(event);
  }
}

/**
 * An app's own NIP-07 signer (a class of its own, not NDK's `NDKNip07Signer`), under NDK's "nip07"
 * payload type: it asks `window.nostr` (the extension stand-in) each time, so it names whichever
 * account the extension is on now, and fails at once when there is no extension.
 */
export class AppExtensionSigner implements NDKSigner {
  private known: NDKUser | undefined;

  private get nostr(): WindowNostr {
    const nostr = (globalThis as { window?: { nostr?: WindowNostr } }).window?.nostr;
    if (!nostr) throw new Error("no NIP-07 extension");
    return nostr;
  }

  get pubkey(): string {
    return this.userSync.pubkey;
  }

  get userSync(): NDKUser {
    if (!this.known) throw new Error("the signer has not named its user yet");
    return this.known;
  }

  blockUntilReady(): Promise<NDKUser> {
    return this.user();
  }

  async user(): Promise<NDKUser> {
    return (this.known = new NDKUser({ pubkey: await this.nostr.getPublicKey() }));
  }

  async sign(event: NostrEvent): Promise<string> {
    return (await this.nostr.signEvent(event)).sig;
  }

  async encrypt(recipient: NDKUser, value: string): Promise<string> {
    return this.nostr.nip44!.encrypt(recipient.pubkey, value);
  }

  async decrypt(sender: NDKUser, value: string): Promise<string> {
    return this.nostr.nip44!.decrypt(sender.pubkey, value);
  }

  toPayload(): string {
    return JSON.stringify({ type: "nip07", payload: "" });
  }
}

/** The client's network: `down()` closes its relay sockets (NDK does not redial those by itself), `up()` redials. */
export class Network {
  private isDown = false;
  constructor(private readonly ndk: NDK) {}

  down(): void {
    this.isDown = true;
    for (const relay of this.ndk.pool.relays.values()) relay.disconnect();
  }

  up(): void {
    if (!this.isDown) return;
    this.isDown = false;
    for (const relay of this.ndk.pool.relays.values()) relay.connect().catch(() => {});
  }
}

/** Signs a throw-away note with `signer`; resolves with the error, if any (faults are what we want here). */
export function signNote(ndk: NDK, signer: NDKSigner, content: string): Promise<unknown> {
  return new NDKEvent(ndk, { kind: 1, content, tags: [] }).sign(signer).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** A mute list whose private items are encrypted to its author (NIP-44): read without the signer, it is partial. */
export async function publishPrivateMutes(ndk: NDK, author: NDKPrivateKeySigner): Promise<void> {
  const secret = JSON.stringify([["p", NDKPrivateKeySigner.generate().pubkey]]);
  const content = await author.encrypt(new NDKUser({ pubkey: author.pubkey }), secret, "nip44");
  await publish(ndk, author, { kind: 10000, content, tags: [["p", NDKPrivateKeySigner.generate().pubkey]] });
}

/** An app's edit of a session's follows, as `updateSession(pubkey, followSetEdit())` takes it: a stranger followed. */
export const followSetEdit = () => ({ followSet: new Set([NDKPrivateKeySigner.generate().pubkey]) });

/** A contact list newer than any published before by this test process for `author`. */
export async function publishNewerList(ndk: NDK, author: NDKPrivateKeySigner, last: Map<string, number>): Promise<void> {
  const createdAt = Math.max(Math.floor(Date.now() / 1000), (last.get(author.pubkey) ?? 0) + 1);
  last.set(author.pubkey, createdAt);
  await publish(ndk, author, { kind: 3, tags: [["p", NDKPrivateKeySigner.generate().pubkey]], created_at: createdAt });
}

/**
 * Another client's version of the list `ours` is a version of, published while ours is on its way:
 * a second newer, so it wins (NIP-01), and holds none of our edit.
 */
export async function publishRival(ndk: NDK, author: NDKPrivateKeySigner, ours: { kind: number; created_at: number }, last: Map<string, number>): Promise<void> {
  const createdAt = ours.created_at + 1;
  last.set(author.pubkey, Math.max(last.get(author.pubkey) ?? 0, createdAt));
  await publish(ndk, author, { kind: ours.kind, tags: [["p", NDKPrivateKeySigner.generate().pubkey]], created_at: createdAt });
}

export const BUNKER_APPROVAL_MS = 900;

export interface ApprovingBunker {
  bunker: Bunker;
  /** The user key behind the bunker (it signs that user's lists too). */
  user: NDKPrivateKeySigner;
  /** The bunker asks its user again (a second `auth_url`) about the client's pending signature. */
  askAgain(clientPubkey: string, url: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A bunker that answers every `sign_event` with `auth_url` first and the signature
 * `approvalDelayMs` later, on `relay` as reached at `relayUrl` (its own address, or a RelayLink's).
 * `askAgain` speaks with the bunker's own key on its own RPC (on `ndk`): it reads the clients'
 * requests (NIP-46 is encrypted to that key) to learn the pending request id.
 */
export async function startApprovingBunker(
  relay: LoopbackRelay,
  ndk: NDK,
  authUrl: string,
  relayUrl = relay.url,
  approvalDelayMs = BUNKER_APPROVAL_MS,
): Promise<ApprovingBunker> {
  const user = NDKPrivateKeySigner.generate();
  const bunker = await startBunker(relayUrl, relay, { userKey: user, authUrl, approvalDelayMs });
  const voice = new NDKNostrRpc(ndk, user, ndk.debug.extend("model-bunker-voice"));
  const pending = new Map<string, string>();
  voice.on("request", (request: { id: string; pubkey: string; method: string }) => {
    if (request.method === "sign_event") pending.set(request.pubkey, request.id);
  });
  const subscription: NDKSubscription = await voice.subscribe({ kinds: [24133], "#p": [user.pubkey] });
  return {
    bunker,
    user,
    async askAgain(clientPubkey, url) {
      await eventually(() => pending.has(clientPubkey), 2000, "the pending sign_event request");
      await voice.sendResponse(pending.get(clientPubkey)!, clientPubkey, "auth_url", 24133, url);
    },
    async close() {
      subscription.stop();
      await bunker.close();
    },
  };
}
