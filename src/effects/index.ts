import { fromCallback, fromPromise, type EventObject } from "xstate";
import type { Hexpubkey, ListEntry, ListsInput, SignerDescriptor } from "../../machines";
import { fetchLists } from "./fetchLists";
import type { EngineRuntime } from "./runtime";
import { authenticate, ingestContextFor, restoreSigner } from "./signers";
import { waitUntil } from "./waitUntil";
import { wireFilters, wireNdk } from "./ndkWiring";
import { releaseSigner } from "./sessionSigner";

/** The session machine's named actors, bound to one engine's runtime. */
export function createSessionActors(runtime: EngineRuntime) {
  return {
    restoreSigner: fromPromise<void, { pubkey: Hexpubkey; signer: SignerDescriptor }>(({ input }) => restoreSigner(runtime, input)),
    authenticate: fromPromise<void, { pubkey: Hexpubkey }>(({ input }) => authenticate(runtime, input)),
    fetchLists: fromPromise<ListEntry[], ListsInput>(({ input, signal }) => fetchLists(runtime, input, signal)),
    watchLists: fromCallback<EventObject, ListsInput>(({ input, sendBack }) =>
      runtime.hub.watch(input.pubkey, {
        kinds: new Set(input.kinds),
        context: ingestContextFor(runtime, input.pubkey, input.kinds),
        deliver: (entry) => sendBack({ type: "list.received", entries: [entry] }),
      }),
    ),
    waitUntil: fromPromise<void, { until: number | null; delayMs: number }>(({ input, signal }) =>
      waitUntil(input.until, input.delayMs, signal),
    ),
  };
}

/** The manager machine's named actions that touch NDK. */
export function createManagerActions(runtime: EngineRuntime) {
  return {
    wireNdk: ({ system }: { system: any }, params: { pubkey: Hexpubkey | null }) => wireNdk(runtime, system, params.pubkey),
    wireFilters: ({ system }: { system: any }, params: { pubkey: Hexpubkey }) => wireFilters(runtime, system, params.pubkey),
    releaseSession: (_: unknown, params: { pubkey: Hexpubkey }) => {
      releaseSigner(runtime.signers.get(params.pubkey));
      runtime.signers.delete(params.pubkey);
      runtime.vault.delete(params.pubkey);
      runtime.sealed.delete(params.pubkey);
    },
  };
}
