/**
 * Worker-thread entry: the loopback relay (src/demo/loopbackRelay.ts, @nostr-relay over in-memory
 * SQLite) runs here, so its work (validating, querying, serialising 1,000-tag events) is done on a
 * thread of its own and not on the clock of the client being measured. The main thread asks for
 * counters between marks and for the close at the end (see relayThread.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { startLoopbackRelay } from "../../../src/demo/loopbackRelay";

export interface RelayStats {
  /** REQ frames received since the relay started. */
  reqs: number;
  /** Open WebSocket connections. */
  connections: number;
  /** Subscriptions the relay holds over all connections. */
  openSubscriptions: number;
}

export type RelayRequest = { id: number; op: "stats" | "close" };
export type RelayReply = { id: number; stats?: RelayStats; error?: string } | { ready: string } | { failed: string };

const port = parentPort;
if (!port) throw new Error("relayWorker.ts runs in a worker thread");

try {
  const relay = await startLoopbackRelay({ maxSubscriptionsPerClient: (workerData as { maxSubs?: number } | undefined)?.maxSubs ?? 200 });
  // Counted incrementally: `frames` grows by every REQ, CLOSE and EVENT of the whole run.
  let scanned = 0;
  let reqs = 0;
  const stats = (): RelayStats => {
    for (; scanned < relay.frames.length; scanned++) if (relay.frames[scanned]!.type === "REQ") reqs++;
    if (scanned > 10_000) {
      relay.frames.splice(0, scanned); // only counts are asked for: old frames can go
      scanned = 0;
    }
    return { reqs, connections: relay.connections(), openSubscriptions: relay.openSubscriptions() };
  };
  port.on("message", async ({ id, op }: RelayRequest) => {
    try {
      if (op === "stats") port.postMessage({ id, stats: stats() } satisfies RelayReply);
      else {
        await relay.close();
        port.postMessage({ id } satisfies RelayReply);
        port.close();
      }
    } catch (error) {
      port.postMessage({ id, error: String(error) } satisfies RelayReply);
    }
  });
  port.postMessage({ ready: relay.url } satisfies RelayReply);
} catch (error) {
  port.postMessage({ failed: String((error as Error)?.stack ?? error) } satisfies RelayReply);
}
