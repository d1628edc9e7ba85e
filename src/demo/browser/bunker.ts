/**
 * The demo's remote signer: NDK's own `NDKNip46Backend` for one account, on its own NDK, over the
 * loopback relay. It approves every client: the relay is on 127.0.0.1 and the key a demo key, and
 * a bunker URI without a single-use secret can be used again after a logout or from a second tab.
 */
import NDK, { NDKNip46Backend, NDKRelayStatus, type NDKPrivateKeySigner, type NDKRelay } from "@nostr-dev-kit/ndk";
import type { LoopbackRelay } from "../loopbackRelay";
import { waitFor, within } from "../observe";

export interface DemoBunker {
  /** `bunker://<pubkey>?relay=<loopback relay>` */
  readonly uri: string;
  close(): Promise<void>;
}

/** Every relay this NDK opened: its pool and the NIP-46 RPC's own pools (responses go out through one). */
function relaysOf(ndk: NDK): NDKRelay[] {
  const relays = new Set<NDKRelay>(ndk.pool.relays.values());
  for (const pool of ndk.pools) for (const relay of pool.relays.values()) relays.add(relay);
  return [...relays];
}

export async function startDemoBunker(relay: LoopbackRelay, key: NDKPrivateKeySigner): Promise<DemoBunker> {
  const ndk = new NDK({ explicitRelayUrls: [relay.url], enableOutboxModel: false, autoConnectUserRelays: false });
  const close = async () => {
    const relays = relaysOf(ndk);
    for (const r of relays) r.disconnect();
    await waitFor(() => relays.every((r) => r.status === NDKRelayStatus.DISCONNECTED), "the bunker's sockets to close", 2000);
  };
  try {
    await within(ndk.connect(2000), "connecting the bunker's NDK");
    const backend = new NDKNip46Backend(ndk, key, async () => true, [relay.url]);
    // start() returns before its REQ reaches the relay; a login made before that would go unheard
    // (kind 24133 is ephemeral), so the server says it is ready only once the relay has the REQ and NDK its EOSE.
    const listening = (f: { kinds?: number[]; "#p"?: string[] }) => Boolean(f.kinds?.includes(24133) && f["#p"]?.includes(key.pubkey));
    await within(backend.start(), "starting the bunker");
    await relay.waitForReq(listening, 5000);
    await waitFor(
      () => [...ndk.subManager.subscriptions.values()].some((s) => s.filters.some(listening) && s.eosesSeen.size > 0),
      "the bunker's subscription to be live",
      5000,
    );
    await waitFor(() => relaysOf(ndk).every((r) => r.status >= NDKRelayStatus.CONNECTED), "the bunker's RPC relay", 5000);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return { uri: `bunker://${key.pubkey}?relay=${encodeURIComponent(relay.url)}`, close };
}
