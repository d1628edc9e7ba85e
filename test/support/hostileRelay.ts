/**
 * A relay that lies: it answers every REQ with events chosen by the test (forged signatures,
 * tampered content under a genuine id, other authors) and then EOSE. Real relays reject such
 * events on publish, so a lying relay is the only way they reach a client.
 */
import { WebSocketServer } from "ws";
import type { NostrEvent } from "nostr-tools/pure";

export interface HostileRelay {
  url: string;
  close(): Promise<void>;
}

export async function startHostileRelay(eventsFor: (filters: Array<Record<string, unknown>>) => NostrEvent[]): Promise<HostileRelay> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => {
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as unknown[];
      if (message[0] !== "REQ") return;
      const [, subId, ...filters] = message as [string, string, ...Array<Record<string, unknown>>];
      for (const event of eventsFor(filters)) socket.send(JSON.stringify(["EVENT", subId, event]));
      socket.send(JSON.stringify(["EOSE", subId]));
    });
  });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const address = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
