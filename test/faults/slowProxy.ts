/**
 * A TCP proxy on 127.0.0.1 that makes a relay slow: everything the relay sends is held `delayMs`
 * before the client gets it, in order (a later chunk never overtakes an earlier one, so lowering the
 * delay cannot reorder WebSocket frames). What the client sends goes through at once.
 */
import { createServer, Socket } from "node:net";

export interface SlowProxy {
  readonly url: string;
  /** The delay from now on (chunks already held keep theirs). */
  delayMs: number;
  close(): Promise<void>;
}

export async function startSlowProxy(relayUrl: string, delayMs: number): Promise<SlowProxy> {
  const target = Number(new URL(relayUrl).port);
  const pairs = new Set<[Socket, Socket]>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const proxy = { delayMs } as SlowProxy;

  const server = createServer((client) => {
    const upstream = new Socket();
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const held: Array<{ at: number; chunk: Buffer }> = []; // in arrival order, released in order
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pump = () => {
      timer = undefined;
      while (held.length && held[0]!.at <= performance.now()) {
        const { chunk } = held.shift()!;
        if (!client.destroyed) client.write(chunk);
      }
      if (held.length) {
        timer = setTimeout(pump, held[0]!.at - performance.now());
        timers.add(timer);
      }
    };
    const drop = () => {
      pairs.delete(pair);
      clearTimeout(timer);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    upstream.on("data", (chunk: Buffer) => {
      const at = Math.max(performance.now() + proxy.delayMs, held.at(-1)?.at ?? 0);
      if (held.length === 0 && at <= performance.now()) return void client.write(chunk);
      held.push({ at, chunk });
      if (timer === undefined) {
        timer = setTimeout(pump, at - performance.now());
        timers.add(timer);
      }
    });
    upstream.connect(target, "127.0.0.1", () => client.pipe(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  Object.defineProperty(proxy, "url", { value: `ws://127.0.0.1:${port}` });
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      server.close(() => resolve());
    });
  return proxy;
}
