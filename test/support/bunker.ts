/**
 * A real NIP-46 remote signer for tests: NDK's own `NDKNip46Backend` on its own NDK, in the test
 * process, over the loopback relay. Only the policy is ours (secret, approval delay, auth_url,
 * a user key other than the bunker key); the protocol, encryption and responses are NDK's.
 */
import type NDK from "@nostr-dev-kit/ndk";
import {
  NDKEvent,
  NDKNip46Backend,
  NDKPrivateKeySigner,
  NDKRelayStatus,
  NDKUser,
  type IEventHandlingStrategy,
  type NDKEncryptionScheme,
  type NDKRelay,
  type NIP46Method,
  type Nip46PermitCallbackParams,
} from "@nostr-dev-kit/ndk";
import type { Filter } from "@nostr-relay/common";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import { connectedNdk } from "./env";

export interface BunkerOptions {
  /** The key events are signed with and `get_public_key` answers (default: a fresh key). */
  userKey?: NDKPrivateKeySigner;
  /** The key NIP-46 traffic is addressed to (default: `userKey`, as a stock NDK backend does). */
  bunkerKey?: NDKPrivateKeySigner;
  /** `secret=` of the bunker URI: accepted once, from one client; rejected on every later connect. */
  secret?: string;
  /** A request needing approval waits this long for "the user" before it is answered. */
  approvalDelayMs?: number;
  /** A request needing approval is first answered with NIP-46 `result: "auth_url"`, `error: authUrl`. */
  authUrl?: string;
  /** The methods that need the user's approval (default: sign_event only). */
  approvalOn?: string[];
}

export interface BunkerRequest {
  method: string;
  /** The client's (local signer's) pubkey. */
  client: string;
  /** `performance.now()`, comparable with `relay.frames[].at`. */
  at: number;
  /** For `connect`: whether the client sent a secret. */
  withSecret?: boolean;
}

export interface Bunker {
  readonly bunkerPubkey: string;
  readonly userPubkey: string;
  /** `bunker://<bunkerPubkey>?relay=…[&secret=…]`; the secret is included unless `withSecret` is false. */
  bunkerUri(withSecret?: boolean): string;
  /** Every request the running backends parsed (any method, allowed or not), in arrival order. */
  readonly requests: BunkerRequest[];
  /** Answers a client's `nostrconnect://` URI and authorises that client; resolves once the client has sent its first request. */
  answerNostrConnect(uri: string): Promise<void>;
  /** Goes silent: both of its relay sockets close; requests sent meanwhile are lost (kind 24133 is ephemeral). */
  stop(): Promise<void>;
  /** A fresh NDK and backend with the same keys and secret state, listening again before it resolves. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface Generation {
  ndk: NDK;
  backend: NDKNip46Backend;
  silent: boolean;
}

const poll = (ms = 5) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bunker: timed out waiting for ${what}`);
    await poll();
  }
}

const listensTo = (pubkey: string) => (f: Filter) => Boolean(f.kinds?.includes(24133) && f["#p"]?.includes(pubkey));

/** Every relay of every pool an NDK made (its own, and each NIP-46 RPC pool). */
export function allRelays(ndk: NDK): NDKRelay[] {
  const relays = new Set<NDKRelay>(ndk.pool.relays.values());
  for (const pool of ndk.pools) for (const relay of pool.relays.values()) relays.add(relay);
  return [...relays];
}

/** Closes every socket the NDK (and NIP-46 signers on it) opened, and waits until they are closed. */
export async function disconnectAll(ndk: NDK, timeoutMs = 2000): Promise<void> {
  const relays = allRelays(ndk);
  for (const relay of relays) relay.disconnect();
  await until(() => relays.every((r) => r.status === NDKRelayStatus.DISCONNECTED), timeoutMs, "sockets to close");
}

/** sign_event, get_public_key and encryption with a user key other than the bunker's transport key. */
function userKeyStrategies(userKey: NDKPrivateKeySigner): Record<string, IEventHandlingStrategy> {
  const crypt = (method: NIP46Method, scheme: NDKEncryptionScheme, op: "encrypt" | "decrypt"): IEventHandlingStrategy => ({
    async handle(backend, id, remotePubkey, [peer, payload]) {
      if (!peer || payload === undefined) return undefined;
      if (!(await backend.pubkeyAllowed({ id, pubkey: remotePubkey, method, params: payload }))) return undefined;
      return userKey[op](new NDKUser({ pubkey: peer }), payload, scheme);
    },
  });
  return {
    get_public_key: { handle: async () => userKey.pubkey },
    sign_event: {
      async handle(backend, id, remotePubkey, [json]) {
        const event = new NDKEvent(backend.ndk, JSON.parse(json ?? "{}"));
        if (!(await backend.pubkeyAllowed({ id, pubkey: remotePubkey, method: "sign_event", params: event }))) return undefined;
        await event.sign(userKey);
        return JSON.stringify(await event.toNostrEvent());
      },
    },
    nip04_encrypt: crypt("nip04_encrypt", "nip04", "encrypt"),
    nip04_decrypt: crypt("nip04_decrypt", "nip04", "decrypt"),
    nip44_encrypt: crypt("nip44_encrypt", "nip44", "encrypt"),
    nip44_decrypt: crypt("nip44_decrypt", "nip44", "decrypt"),
  };
}

export async function startBunker(relayUrl: string, relay: LoopbackRelay, options: BunkerOptions = {}): Promise<Bunker> {
  const userKey = options.userKey ?? NDKPrivateKeySigner.generate();
  const bunkerKey = options.bunkerKey ?? userKey;
  const requests: BunkerRequest[] = [];
  const authorised = new Set<string>(); // clients that presented the secret (or were answered by nostrconnect)
  const approvals = new Set<ReturnType<typeof setTimeout>>();
  let secretUsed = false;
  let current: Generation | undefined;
  let closed = false;

  /** Resolves after `ms`, unless the bunker is stopped first: then never (a silent bunker answers nothing). */
  const approvalWait = (gen: Generation, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        approvals.delete(timer);
        if (!gen.silent) resolve();
      }, ms);
      approvals.add(timer);
    });

  async function permit(gen: Generation, { id, pubkey: client, method }: Nip46PermitCallbackParams): Promise<boolean> {
    if (gen.silent) return new Promise<boolean>(() => {});
    if (options.secret !== undefined && !authorised.has(client)) return false;
    if ((options.approvalOn ?? ["sign_event"]).includes(method)) {
      // NIP-46: a `result: "auth_url"` response with the URL in `error`, then the real answer on the same id.
      if (options.authUrl) await gen.backend.rpc.sendResponse(id, client, "auth_url", undefined, options.authUrl);
      if (options.approvalDelayMs) await approvalWait(gen, options.approvalDelayMs);
    }
    return true;
  }

  async function launch(): Promise<Generation> {
    const ndk = await connectedNdk([relayUrl]);
    const gen = { ndk, silent: false } as Generation;
    const backend = new NDKNip46Backend(ndk, bunkerKey, (params) => permit(gen, params), [relayUrl]);
    gen.backend = backend;
    backend.applyToken = async (client, token) => {
      if (token !== options.secret || secretUsed) throw new Error("invalid or already used secret");
      secretUsed = true;
      authorised.add(client);
    };
    if (userKey !== bunkerKey) for (const [method, strategy] of Object.entries(userKeyStrategies(userKey))) backend.setStrategy(method, strategy);
    // Record every parsed request, unknown methods included (the backend parses before it dispatches).
    const parse = backend.rpc.parseEvent.bind(backend.rpc);
    backend.rpc.parseEvent = async (event) => {
      const parsed = await parse(event);
      if ("method" in parsed && parsed.method) {
        const entry: BunkerRequest = { method: parsed.method, client: event.pubkey, at: performance.now() };
        if (parsed.method === "connect") entry.withSecret = Boolean(parsed.params?.[1]);
        requests.push(entry);
      }
      return parsed;
    };

    const mark = relay.frames.length;
    await backend.start();
    // start() returns before its REQ is live (notes §2.1). The relay records a REQ before it registers
    // it and registers it right after sending EOSE, so wait for the frame, then for NDK's EOSE.
    const listening = listensTo(bunkerKey.pubkey);
    await until(() => relay.frames.slice(mark).some((f) => f.type === "REQ" && f.filters?.some(listening)), 5000, "the backend's REQ");
    await until(
      () => [...ndk.subManager.subscriptions.values()].some((s) => s.filters.some((f) => listening(f as Filter)) && s.eosesSeen.size > 0),
      5000,
      "the backend's EOSE",
    );
    // Responses go out through the RPC's own pool (a second socket): have it connected too.
    await until(() => allRelays(ndk).every((r) => r.status >= NDKRelayStatus.CONNECTED), 5000, "the RPC relay");
    return gen;
  }

  async function stop(): Promise<void> {
    const gen = current;
    current = undefined;
    if (!gen) return;
    gen.silent = true;
    for (const timer of approvals) clearTimeout(timer);
    approvals.clear();
    await disconnectAll(gen.ndk);
  }

  current = await launch();
  const running = () => {
    if (!current) throw new Error("bunker is stopped");
    return current;
  };

  return {
    bunkerPubkey: bunkerKey.pubkey,
    userPubkey: userKey.pubkey,
    requests,
    bunkerUri(withSecret = true) {
      const secret = withSecret && options.secret !== undefined ? `&secret=${encodeURIComponent(options.secret)}` : "";
      return `bunker://${bunkerKey.pubkey}?relay=${encodeURIComponent(relayUrl)}${secret}`;
    },
    async answerNostrConnect(uri) {
      const parsed = new URL(uri);
      const client = parsed.hostname || parsed.pathname.replace(/^\/\//, "");
      const secret = parsed.searchParams.get("secret");
      if (parsed.protocol !== "nostrconnect:" || !/^[0-9a-f]{64}$/.test(client) || !secret) throw new Error("not a nostrconnect URI");
      // Our answer is ephemeral too, so the client's REQ must be live. Seeing its frame is not quite
      // enough (the relay registers a REQ only after answering it), so the answer is repeated until
      // the client's first request (get_public_key) arrives; a repeat is ignored by the client.
      await relay.waitForReq(listensTo(client), 5000);
      authorised.add(client);
      for (let attempt = 1; ; attempt++) {
        const sentAt = performance.now();
        await running().backend.rpc.sendResponse(crypto.randomUUID(), client, secret);
        try {
          return await until(() => requests.some((r) => r.client === client && r.at > sentAt), 1000, "the client's first request");
        } catch (error) {
          if (attempt === 4) throw error;
        }
      }
    },
    stop,
    async restart() {
      if (closed) throw new Error("bunker is closed");
      await stop();
      current = await launch();
    },
    async close() {
      closed = true;
      await stop();
    },
  };
}
