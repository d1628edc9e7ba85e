/**
 * The main thread's handle on the relay worker (relayWorker.ts): started through tsx's ESM
 * register() in a tiny bootstrap (Node 20 does not pass tsx's loader to a worker given
 * `execArgv: ["--import", "tsx"]`), asked for counters between marks, closed at the end.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { FrameInfo, RelayReply, RelayRequest, RelayStats } from "./relayWorker";

export type { RelayStats };

/** A frame the relay received; `at` on this thread's `performance.now()` clock. */
export type ReceivedFrame = Omit<FrameInfo, "epochMs"> & { at: number };

export interface RelayThread {
  readonly url: string;
  stats(): Promise<RelayStats>;
  /** Frames received from mark `from` on (a mark is `stats().frames`). */
  frames(from: number): Promise<ReceivedFrame[]>;
  /** Polls until no client is connected (NDKs of earlier runs have gone), bounded. */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const ASK_TIMEOUT_MS = 5000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The relay thread failed: the bench is broken, whichever library was running. */
export class RelayThreadError extends Error {}

function bootstrapUrl(entry: URL): URL {
  const api = createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs");
  const code = `import { register } from ${JSON.stringify(pathToFileURL(api).href)};
register();
await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

export async function startRelayThread(startTimeoutMs = 20_000): Promise<RelayThread> {
  const worker = new Worker(bootstrapUrl(new URL("./relayWorker.ts", import.meta.url)), { workerData: { maxSubs: 200 } });
  const pending = new Map<number, { resolve: (reply: RelayReply & { id: number }) => void; reject: (error: Error) => void }>();
  let exited: Error | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bench: the relay worker did not start")), startTimeoutMs);
    worker.on("message", (reply: RelayReply) => {
      if ("ready" in reply) (clearTimeout(timer), resolve(reply.ready));
      else if ("failed" in reply) (clearTimeout(timer), reject(new Error(`bench: relay worker: ${reply.failed}`)));
      else pending.get(reply.id)?.resolve(reply);
    });
    worker.on("error", (error) => (clearTimeout(timer), reject(error)));
    worker.on("exit", (code) => {
      exited = new RelayThreadError(`bench: the relay worker exited (code ${code})`);
      for (const waiter of pending.values()) waiter.reject(exited);
      pending.clear();
    });
  });

  let nextId = 0;
  const ask = (request: DistributiveOmit<RelayRequest, "id">) =>
    new Promise<RelayReply & { id: number }>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = ++nextId;
      const timer = setTimeout(() => (pending.delete(id), reject(new RelayThreadError(`bench: the relay worker did not answer "${request.op}"`))), ASK_TIMEOUT_MS);
      const done = (fn: () => void) => (clearTimeout(timer), pending.delete(id), fn());
      pending.set(id, { resolve: (reply) => done(() => resolve(reply)), reject: (error) => done(() => reject(error)) });
      worker.postMessage({ ...request, id } satisfies RelayRequest);
    });

  const stats = async () => {
    const reply = await ask({ op: "stats" });
    if ("error" in reply && reply.error) throw new RelayThreadError(`bench: relay worker: ${reply.error}`);
    if (!("stats" in reply) || !reply.stats) throw new RelayThreadError("bench: the relay worker sent no stats");
    return reply.stats;
  };

  return {
    url,
    stats,
    async frames(from) {
      const reply = await ask({ op: "frames", from });
      if ("error" in reply && reply.error) throw new RelayThreadError(`bench: relay worker: ${reply.error}`);
      if (!("frames" in reply) || !reply.frames) throw new RelayThreadError("bench: the relay worker sent no frames");
      return reply.frames.map(({ epochMs, ...frame }) => ({ ...frame, at: epochMs - performance.timeOrigin }));
    },
    async idle(timeoutMs = 3000) {
      const deadline = performance.now() + timeoutMs;
      while ((await stats()).connections > 0) {
        if (performance.now() > deadline) throw new RelayThreadError("bench: earlier connections to the relay did not close");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    async close() {
      if (exited) return;
      await ask({ op: "close" }).catch(() => undefined);
      await worker.terminate(); // ends the thread we started (its event loop may hold SQLite or timers)
    },
  };
}
