/**
 * The real world the model paths run in, and the few knobs a test turns to make it produce an
 * event: a private-key signer that answers for its user, for someone else, or throws, and that
 * signs, forges or never answers; a network that goes down and comes back; a NIP-46 bunker (NDK's
 * own backend, test/support/bunker.ts) that asks its user to approve every signature, and can ask
 * again, behind a relay address that can stop listening; a NIP-46 login saved by an earlier run
 * of the app. The NIP-07 extension is test/support/nip07.ts, the one stand-in (Node has no extension).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, NDKNip46Signer, NDKNostrRpc, NDKPrivateKeySigner, type NDKSigner, type NDKSubscription, type NDKUser } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { NDKSessionManager, type MemoryStorage } from "../../src";
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

/** A contact list newer than any published before by this test process for `author`. */
export async function publishNewerList(ndk: NDK, author: NDKPrivateKeySigner, last: Map<string, number>): Promise<void> {
  const createdAt = Math.max(Math.floor(Date.now() / 1000), (last.get(author.pubkey) ?? 0) + 1);
  last.set(author.pubkey, createdAt);
  await publish(ndk, author, { kind: 3, tags: [["p", NDKPrivateKeySigner.generate().pubkey]], created_at: createdAt });
}

/**
 * The bunker's relay as its clients reach it: a loopback address of its own, forwarded to the test
 * relay. `down()` stops listening, so a connection attempt is refused as by a relay that is not
 * running; connections made before (the bunker's own: a bunker elsewhere keeps its relay) stay.
 * `up()` listens again on the same port.
 */
export class RelayLink {
  private server: Server | undefined;
  private listening: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private constructor(private readonly target: URL) {}

  static async open(targetUrl: string): Promise<RelayLink> {
    const link = new RelayLink(new URL(targetUrl));
    await link.up();
    return link;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  up(): Promise<void> {
    if (this.listening) return this.listening;
    const server = createServer((socket) => this.forward(socket));
    this.server = server;
    return (this.listening = new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    }));
  }

  down(): void {
    this.server?.close();
    this.server = this.listening = undefined;
  }

  /** Stops listening and cuts every connection it carried. */
  async close(): Promise<void> {
    this.down();
    for (const socket of this.sockets) socket.destroy();
    await eventually(() => this.sockets.size === 0, 2000, "the link's sockets to close");
  }

  private forward(client: Socket): void {
    const relay = connect(Number(this.target.port), this.target.hostname);
    for (const [from, to] of [[client, relay], [relay, client]] as const) {
      this.sockets.add(from);
      from.on("close", () => (this.sockets.delete(from), to.destroy()));
      from.on("error", () => to.destroy());
      from.pipe(to);
    }
  }
}

/**
 * What an earlier run of the app left in `storage`: a NIP-46 login that was live, saved with its
 * payload sealed under `key`; that manager is gone. Resolves with the session's pubkey.
 */
export async function savedNip46Login(ndk: NDK, bunkerUri: string, storage: MemoryStorage, key: CryptoKey, timeouts: { signerMs: number }): Promise<string> {
  const earlier = new NDKSessionManager(ndk, { storage, autoSave: false, secrets: { key }, timeouts });
  try {
    const pubkey = await earlier.login(NDKNip46Signer.bunker(ndk, bunkerUri));
    await eventually(() => earlier.getSession(pubkey)?.status === "ready", 4000, "the earlier run's session ready");
    await earlier.persist();
    return pubkey;
  } finally {
    await earlier.destroy();
  }
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
 * `BUNKER_APPROVAL_MS` later, on `relay` as reached at `relayUrl` (its own address, or a RelayLink's).
 * `askAgain` speaks with the bunker's own key on its own RPC (on `ndk`): it reads the clients'
 * requests (NIP-46 is encrypted to that key) to learn the pending request id.
 */
export async function startApprovingBunker(relay: LoopbackRelay, ndk: NDK, authUrl: string, relayUrl = relay.url): Promise<ApprovingBunker> {
  const user = NDKPrivateKeySigner.generate();
  const bunker = await startBunker(relayUrl, relay, { userKey: user, authUrl, approvalDelayMs: BUNKER_APPROVAL_MS });
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
