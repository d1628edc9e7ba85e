/**
 * Worker-thread entry: the loopback relay (src/demo/loopbackRelay.ts, @nostr-relay over in-memory
 * SQLite) runs here, so its work (validating, querying, serialising 1,000-tag events) is done on a
 * thread of its own and not on the clock of the client being measured. The main thread asks for
 * counters and frames between marks, and for the close at the end (see relayThread.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { startLoopbackRelay, type RelayFrame } from "../../src/demo/loopbackRelay";

export interface RelayStats {
  /** REQ frames received since the relay started. */
  reqs: number;
  /** REQ, CLOSE and EVENT frames received since the relay started: a mark for `frames`. */
  frames: number;
  /** Open WebSocket connections. */
  connections: number;
  /** Subscriptions the relay holds over all connections. */
  openSubscriptions: number;
}

/** A received frame, told in a few fields (a REQ's filters can hold a thousand authors). */
export interface FrameInfo {
  type: RelayFrame["type"];
  subscriptionId?: string;
  /** When the relay received it: milliseconds since the Unix epoch, fractional. */
  epochMs: number;
  /** A REQ whose filters all have `limit: 0` (live updates only). */
  live?: boolean;
  /** A REQ with a filter that fetches stored kind 3 events (not `limit: 0`). */
  fetchesFollows?: boolean;
}

export type RelayRequest = { id: number; op: "stats" | "close" } | { id: number; op: "frames"; from: number };
export type RelayReply = { id: number; stats?: RelayStats; frames?: FrameInfo[]; error?: string } | { ready: string } | { failed: string };

const port = parentPort;
if (!port) throw new Error("relayWorker.ts runs in a worker thread");

const infoOf = (frame: RelayFrame): FrameInfo => ({
  type: frame.type,
  subscriptionId: frame.subscriptionId,
  epochMs: performance.timeOrigin + frame.at,
  ...(frame.type === "REQ"
    ? {
        live: frame.filters?.every((filter) => filter.limit === 0) ?? false,
        fetchesFollows: frame.filters?.some((filter) => filter.kinds?.includes(3) && filter.limit !== 0) ?? false,
      }
    : {}),
});

try {
  const relay = await startLoopbackRelay({ maxSubscriptionsPerClient: (workerData as { maxSubs?: number } | undefined)?.maxSubs ?? 200 });
  // Frames are kept as FrameInfo (small), counted incrementally as they arrive.
  const frames: FrameInfo[] = [];
  let reqs = 0;
  const collect = () => {
    for (const frame of relay.frames.splice(0)) {
      if (frame.type === "REQ") reqs++;
      frames.push(infoOf(frame));
    }
  };
  const stats = (): RelayStats => {
    collect();
    return { reqs, frames: frames.length, connections: relay.connections(), openSubscriptions: relay.openSubscriptions() };
  };
  port.on("message", async (request: RelayRequest) => {
    const { id } = request;
    try {
      if (request.op === "stats") port.postMessage({ id, stats: stats() } satisfies RelayReply);
      else if (request.op === "frames") {
        collect();
        port.postMessage({ id, frames: frames.slice(request.from) } satisfies RelayReply);
      } else {
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
