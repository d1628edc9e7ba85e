/**
 * A relay that answers reads and refuses writes: REQs get the newest stored event of each kind and
 * author that matches (then EOSE); an EVENT is refused with `["OK", id, false, reason]` when
 * `refuse` gives a reason — by default always (a paid or read-only relay), or, with `olderThanStored`,
 * when it holds a newer version (as strict relays answer a replaceable event that lost).
 */
import { WebSocketServer } from "ws";
import type { NostrEvent } from "nostr-tools/pure";

export interface RefusingRelay {
  url: string;
  /** EVENT frames it refused. */
  readonly refused: NostrEvent[];
  /** Stores an event as if another client had published it. */
  add(event: NostrEvent): void;
  close(): Promise<void>;
}

export const REFUSAL = "blocked: this relay takes no events";
export const OLDER = "replaced: have a newer version";

type Refuse = (event: NostrEvent, stored: NostrEvent | undefined) => string | undefined;
export const always: Refuse = () => REFUSAL;
export const olderThanStored: Refuse = (event, stored) =>
  stored && (stored.created_at > event.created_at || (stored.created_at === event.created_at && stored.id < event.id)) ? OLDER : undefined;

export async function startRefusingRelay(initial: NostrEvent[], refuse: Refuse = always): Promise<RefusingRelay> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const refused: NostrEvent[] = [];
  const newest = new Map<string, NostrEvent>();
  const add = (event: NostrEvent) => void newest.set(`${event.kind}:${event.pubkey}`, event);
  initial.forEach(add);
  server.on("connection", (socket) => {
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as unknown[];
      if (message[0] === "EVENT") {
        const event = message[1] as NostrEvent;
        const reason = refuse(event, newest.get(`${event.kind}:${event.pubkey}`));
        if (reason) refused.push(event);
        else add(event);
        socket.send(JSON.stringify(["OK", event.id, !reason, reason ?? ""]));
        return;
      }
      if (message[0] !== "REQ") return;
      const [, subId, ...filters] = message as [string, string, ...Array<{ kinds?: number[]; authors?: string[] }>];
      const matches = (e: NostrEvent) => filters.some((f) => (!f.kinds || f.kinds.includes(e.kind)) && (!f.authors || f.authors.includes(e.pubkey)));
      for (const event of [...newest.values()].filter(matches)) socket.send(JSON.stringify(["EVENT", subId, event]));
      socket.send(JSON.stringify(["EOSE", subId]));
    });
  });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const address = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${address.port}`,
    refused,
    add,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
