import { afterAll, afterEach, beforeAll } from "vitest";
import type NDK from "@nostr-dev-kit/ndk";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import { connectedNdk, eventually, withRelay } from "./env";
import { disconnectAll, startBunker, type BunkerOptions } from "./bunker";

/**
 * The NIP-46 test rig of a file: one loopback relay, bunkers and client NDKs made per test and
 * closed after it, and a check at the end that every socket was closed.
 */
export function useBunkerRig() {
  let relay: LoopbackRelay | undefined;
  const cleanups: Array<() => unknown> = [];
  beforeAll(async () => {
    relay = await withRelay();
  });
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  afterAll(async () => {
    await eventually(() => relay!.connections() === 0, 3000, "all sockets closed");
    await relay?.close();
  });
  return {
    get relay(): LoopbackRelay {
      return relay!;
    },
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    async bunker(options?: BunkerOptions) {
      const started = await startBunker(relay!.url, relay!, options);
      cleanups.push(() => started.close());
      return started;
    },
    async client(): Promise<NDK> {
      const ndk = await connectedNdk([relay!.url]);
      cleanups.push(() => disconnectAll(ndk));
      return ndk;
    },
  };
}
