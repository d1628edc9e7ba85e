import { WebSocket } from "ws";
import NDK, { NDKEvent, NDKPrivateKeySigner, type NDKSigner } from "@nostr-dev-kit/ndk";
import { startLoopbackRelay, type LoopbackRelay, type LoopbackRelayOptions } from "../../src/demo/loopbackRelay";

globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

export { NDK, NDKEvent, NDKPrivateKeySigner };

/** An NDK that talks only to the given loopback relays, with no outbox pool and full signature checks. */
export async function connectedNdk(relays: string[]): Promise<NDK> {
  const ndk = new NDK({
    explicitRelayUrls: relays,
    enableOutboxModel: false,
    autoConnectUserRelays: false,
    initialValidationRatio: 1,
    lowestValidationRatio: 1,
  });
  await ndk.connect(2000);
  return ndk;
}

/** Closes every relay socket NDK opened (NDK has no destroy()). */
export function disconnect(ndk: NDK): void {
  for (const relay of ndk.pool.relays.values()) relay.disconnect();
}

export async function publish(ndk: NDK, signer: NDKSigner, template: { kind: number; content?: string; tags?: string[][]; created_at?: number }) {
  const event = new NDKEvent(ndk, { content: "", tags: [], ...template });
  await event.sign(signer);
  await event.publish();
  return event;
}

export async function withRelay(options?: LoopbackRelayOptions): Promise<LoopbackRelay> {
  return startLoopbackRelay(options);
}

/** Polls `check` until it holds, at most `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
