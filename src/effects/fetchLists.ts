import { NDKSubscriptionCacheUsage, type NDKEvent, type NDKSubscription } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { mergeEntries, type ListEntry, type ListsInput } from "../../machines";
import { failure } from "../errors";
import { ingest } from "./ingest";
import type { EngineRuntime } from "./runtime";
import { ingestContextFor } from "./signers";
import { startSubscription } from "./subscribe";
import { reviveNeverConnectedRelays } from "./reviveRelays";

/**
 * One REQ for a session's lists, sent at once (not grouped), closed on EOSE and bounded by
 * `timeouts.fetchMs`. Resolves with the newest verified entry of each slot.
 */
export function fetchLists(runtime: EngineRuntime, input: ListsInput, signal: AbortSignal): Promise<ListEntry[]> {
  return runtime.fetchGate.run(() => fetchOnce(runtime, input, signal), signal);
}

function fetchOnce(runtime: EngineRuntime, { pubkey, kinds }: ListsInput, signal: AbortSignal): Promise<ListEntry[]> {
  if (kinds.length === 0) return Promise.resolve([]);
  reviveNeverConnectedRelays(runtime.ndk);
  const context = ingestContextFor(runtime, pubkey, kinds);
  const pending: Array<Promise<ListEntry | undefined>> = [];
  let subscription: NDKSubscription | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  return new Promise<ListEntry[]>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
      subscription?.stop();
      outcome();
    };
    const collect = () =>
      Promise.all(pending).then((entries) => mergeEntries({}, entries.filter((e): e is ListEntry => !!e)));
    const abort = () => finish(() => reject(failure("aborted", "The fetch was cancelled")));
    signal.addEventListener("abort", abort, { once: true });

    timer = setTimeout(() => {
      const connected = runtime.ndk.pool.connectedRelays().length;
      finish(() =>
        reject(
          connected === 0
            ? failure("offline", "No relay is connected")
            : failure("relay-timeout", `No relay finished sending the lists within ${runtime.timeouts.fetchMs} ms`),
        ),
      );
    }, runtime.timeouts.fetchMs);

    subscription = startSubscription(runtime.ndk, [{ authors: [pubkey], kinds }], {
        closeOnEose: true,
        groupable: false, // a login's first fetch never waits on a grouping delay
        skipVerification: true, // ingest() verifies every event fully
      skipValidation: true,
        includeMuted: true,
        cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
        onEvent: (event: NDKEvent) => void pending.push(ingest(event.rawEvent() as NostrEvent, context)),
        onEose: () => finish(() => collect().then((slots) => resolve(Object.values(slots)), reject)),
    });
  });
}
