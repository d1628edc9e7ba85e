/**
 * The relay as NDK's pool sees it. Read from the pool itself (its events, and a once-a-second look,
 * since a socket can drop without an event reaching us), not from the sessions: a relay outage is
 * exactly when their lists stop telling anything new.
 */
import { useEffect, useState } from "react";
import { NDKRelayStatus, type default as NDK } from "@nostr-dev-kit/ndk";

const WORDS: Record<number, string> = {
  [NDKRelayStatus.DISCONNECTING]: "disconnecting",
  [NDKRelayStatus.DISCONNECTED]: "disconnected",
  [NDKRelayStatus.RECONNECTING]: "reconnecting",
  [NDKRelayStatus.FLAPPING]: "flapping",
  [NDKRelayStatus.CONNECTING]: "connecting",
};

function describe(ndk: NDK, relayUrl: string): { up: boolean; text: string } {
  const relays = [...ndk.pool.relays.values()];
  const connected = ndk.pool.connectedRelays().length;
  if (connected > 0) return { up: true, text: `relay ${relayUrl} connected` };
  const state = relays.map((r) => WORDS[r.status] ?? "connecting").join(", ") || "not in NDK's pool";
  return {
    up: false,
    text: `relay ${relayUrl} is down (${state}): sessions keep their last lists and retry; NDK reconnects by itself`,
  };
}

export function RelayStatus({ ndk, relayUrl }: { ndk: NDK; relayUrl: string }) {
  const [status, setStatus] = useState(() => describe(ndk, relayUrl));
  useEffect(() => {
    const update = () => setStatus(describe(ndk, relayUrl));
    const events = ["relay:connect", "relay:ready", "relay:disconnect", "flapping"] as const;
    for (const event of events) ndk.pool.on(event, update);
    const timer = setInterval(update, 1000);
    update();
    return () => {
      for (const event of events) ndk.pool.off(event, update);
      clearInterval(timer);
    };
  }, [ndk, relayUrl]);
  return (
    <p className={status.up ? "relay up" : "relay down"} data-testid="relay-status" data-up={status.up}>
      {status.up ? "●" : "○"} {status.text}
    </p>
  );
}
