/**
 * A TCP proxy on 127.0.0.1 in front of a relay: the network between one client and the relay,
 * which a test can cut (every socket dropped, new ones refused) and restore on the same port. The
 * relay itself stays up, so another client can publish to it while the proxied one is away.
 */
import { createServer, Socket, type Server } from "node:net";

export interface RelayProxy {
  /** `ws://127.0.0.1:<port>`: give this to the client that should be cut off. */
  readonly url: string;
  /** Drops every connection; with `refuse`, new ones are refused until `restore()`. */
  cut(options?: { refuse?: boolean }): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  /** Connections opened through the proxy so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startRelayProxy(relayUrl: string): Promise<RelayProxy> {
  const target = Number(new URL(relayUrl).port);
  const pairs = new Set<[Socket, Socket]>();
  let accepted = 0;
  let server: Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        accepted++;
        const upstream = new Socket();
        const pair: [Socket, Socket] = [client, upstream];
        pairs.add(pair);
        const drop = () => {
          pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
        upstream.connect(target, "127.0.0.1", () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
      });
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        port = (next.address() as { port: number }).port;
        server = next;
        resolve();
      });
    });

  const dropAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  const stopListening = () =>
    new Promise<void>((resolve) => {
      const current = server;
      server = undefined;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  await listen();
  return {
    get url() {
      return `ws://127.0.0.1:${port}`;
    },
    get accepted() {
      return accepted;
    },
    async cut({ refuse = true } = {}) {
      if (refuse) {
        const closing = stopListening();
        dropAll();
        await closing;
      } else {
        dropAll();
      }
    },
    async restore() {
      if (!server) await listen();
    },
    async close() {
      const closing = stopListening();
      dropAll();
      await closing;
    },
  };
}
