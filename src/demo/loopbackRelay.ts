/**
 * A real Nostr relay (CodyTseng's @nostr-relay engine with an in-memory SQLite store) on 127.0.0.1.
 * It backs the tests, the benchmark and `npm start`; it is not part of the published library.
 */
import { WebSocketServer, type WebSocket } from "ws";
import { NostrRelay } from "@nostr-relay/core";
import { Validator } from "@nostr-relay/validator";
import { EventRepositorySqlite } from "@nostr-relay/event-repository-sqlite";
import { LogLevel, type Filter, type HandleMessagePlugin } from "@nostr-relay/common";

export interface LoopbackRelayOptions {
  /** The relay's own default is 20, and the 21st REQ on a connection silently evicts the oldest. */
  maxSubscriptionsPerClient?: number;
  port?: number;
  /** Events a filter without `limit` gets at most (1,000 here; real relays use as few as 100). */
  defaultLimit?: number;
}

export interface RelayFrame {
  type: "REQ" | "CLOSE" | "EVENT";
  subscriptionId?: string;
  filters?: Filter[];
  at: number;
}

export interface LoopbackRelay {
  readonly url: string;
  /** Every REQ, CLOSE and EVENT frame received, in order. */
  readonly frames: RelayFrame[];
  /** Subscriptions the relay currently holds, over all connections. */
  openSubscriptions(): number;
  /** Open WebSocket connections. */
  connections(): number;
  /** Resolves when a REQ whose filters satisfy `match` has been received (bounded). */
  waitForReq(match: (filter: Filter) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface ClientContextView {
  subscriptions: Map<string, unknown>;
}

export async function startLoopbackRelay(options: LoopbackRelayOptions = {}): Promise<LoopbackRelay> {
  const repository = new EventRepositorySqlite(":memory:", { defaultLimit: options.defaultLimit ?? 1000 });
  await repository.init();
  const relay = new NostrRelay(repository, {
    maxSubscriptionsPerClient: options.maxSubscriptionsPerClient ?? 200,
    filterResultCacheTtl: 0,
    logLevel: LogLevel.ERROR, // the demo's output is ours to print
  });
  const validator = new Validator({ maxNumberOfTags: 20_000 });

  const frames: RelayFrame[] = [];
  const reqWaiters = new Set<{ match: (f: Filter) => boolean; resolve: () => void }>();
  const recorder: HandleMessagePlugin = {
    async handleMessage(_ctx, message, next) {
      const [type] = message;
      if (type === "REQ") {
        const [, subscriptionId, ...filters] = message as unknown as [string, string, ...Filter[]];
        frames.push({ type, subscriptionId, filters, at: performance.now() });
        for (const waiter of reqWaiters) if (filters.some(waiter.match)) waiter.resolve();
      } else if (type === "CLOSE") {
        frames.push({ type, subscriptionId: message[1] as string, at: performance.now() });
      } else if (type === "EVENT") {
        frames.push({ type, at: performance.now() });
      }
      return next();
    },
  };
  relay.register(recorder);

  const server = new WebSocketServer({ host: "127.0.0.1", port: options.port ?? 0 });
  const sockets = new Set<WebSocket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    relay.handleConnection(socket, "127.0.0.1");
    socket.on("message", async (data) => {
      try {
        const message = await validator.validateIncomingMessage(data);
        await relay.handleMessage(socket, message);
      } catch (error) {
        socket.send(JSON.stringify(["NOTICE", `invalid: ${(error as Error).message}`]));
      }
    });
    socket.on("close", () => {
      sockets.delete(socket);
      relay.handleDisconnect(socket);
    });
    socket.on("error", () => socket.terminate());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("relay did not bind");
  const url = `ws://127.0.0.1:${address.port}`;

  // The relay keeps its client contexts private; reading them is the only way to count what it holds.
  const contexts = () => (relay as unknown as { clientContexts: Map<unknown, ClientContextView> }).clientContexts;

  return {
    url,
    frames,
    openSubscriptions: () => [...contexts().values()].reduce((n, ctx) => n + ctx.subscriptions.size, 0),
    connections: () => sockets.size,
    waitForReq(match, timeoutMs = 5000) {
      if (frames.some((f) => f.type === "REQ" && f.filters?.some(match))) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          match,
          resolve: () => {
            clearTimeout(timer);
            reqWaiters.delete(waiter);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          reqWaiters.delete(waiter);
          reject(new Error(`no matching REQ within ${timeoutMs} ms`));
        }, timeoutMs);
        reqWaiters.add(waiter);
      });
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await relay.destroy();
      await repository.destroy();
    },
  };
}
