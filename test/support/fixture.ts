import { afterAll, afterEach, beforeAll } from "vitest";
import type { LoopbackRelay, LoopbackRelayOptions } from "../../src/demo/loopbackRelay";
import { connectedNdk, disconnect, withRelay, type NDK } from "./env";

/**
 * One loopback relay and one NDK on it for a test file, plus cleanups that run (last first) after
 * each test: managers to destroy, extra NDKs and relays to close.
 */
export function useRelay(options?: LoopbackRelayOptions) {
  let relay: LoopbackRelay | undefined;
  let ndk: NDK | undefined;
  const cleanups: Array<() => unknown> = [];
  beforeAll(async () => {
    relay = await withRelay(options);
    ndk = await connectedNdk([relay.url]);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    if (ndk) disconnect(ndk);
    await relay?.close();
  });
  return {
    get relay(): LoopbackRelay {
      return relay!;
    },
    get ndk(): NDK {
      return ndk!;
    },
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    /** An extra NDK on the given relays, disconnected after the test. */
    async ndkOn(...urls: string[]): Promise<NDK> {
      const extra = await connectedNdk(urls);
      cleanups.push(() => disconnect(extra));
      return extra;
    },
  };
}
