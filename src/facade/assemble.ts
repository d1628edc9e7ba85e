import type NDK from "@nostr-dev-kit/ndk";
import type { FetchPlan } from "../../machines";
import { createRuntime, createSessionEngine, type SessionEngine } from "../engine";
import { watchFocus } from "../effects/nip07";
import { StateLoader } from "../persistence/loader";
import { Persistence } from "../persistence/persistence";
import { hostOf, startTabSync } from "../persistence/tabSync";
import { engineStorageOf } from "../storage/stateStorage";
import { planFrom, runtimeOptionsFrom, type EventWrapper } from "./options";
import { readModelOf, type SessionReadModel } from "./readModel";
import type { SessionManagerOptions } from "./types";

/** Longest wait for a storage read during a restore. */
const STORAGE_MS = 10_000;

/** A manager's parts, built once, each from what was built before it. */
export interface Assembly {
  readonly engine: SessionEngine;
  readonly readModel: SessionReadModel;
  readonly persistence: Persistence | undefined;
  readonly plan: FetchPlan;
  readonly wrappers: Map<number, EventWrapper>;
  /** Stops auto-save, tab sync and the focus listener. */
  dispose(): void;
}

/**
 * Builds a manager from the peer's option shape: the effects' runtime (the app's configuration, the
 * keyring), the storage loader the manager's `loading` state runs, the read model fed by inspection,
 * the manager actor, then saving, tab sync and the page-focus check that hang off its read model.
 */
export function assemble(ndk: NDK, options: SessionManagerOptions): Assembly {
  const { plan, wrappers } = planFrom(options.fetches);
  const runtime = createRuntime(runtimeOptionsFrom(ndk, options, plan));
  // Read and written through the peer's save/load/clear (an app's own key-value store gets an adapter).
  const storage = options.storage && engineStorageOf(options.storage);
  const loader = storage ? new StateLoader(storage, runtime.keyring, STORAGE_MS) : undefined;
  const readModel = readModelOf(runtime, wrappers);
  const engine = createSessionEngine({
    runtime,
    load: loader?.load,
    inspect: [readModel.observe, ...(options.inspect ? [options.inspect].flat() : [])],
  });
  const { actor } = engine;
  readModel.attach(actor);
  const persistence =
    storage && loader
      ? new Persistence(storage, actor, runtime.keyring, loader, {
          debounceMs: options.saveDebounceMs ?? 500,
          unsafe: options.unsafePersistPrivateKeys ?? false,
        })
      : undefined;
  const disposers: Array<() => void> = [];
  if (persistence && (options.autoSave ?? true)) disposers.push(readModel.subscribe(() => persistence.scheduleSave()));
  // A NIP-07 extension can come back (or change account) while the page was away.
  disposers.push(watchFocus(() => actor.getSnapshot().status === "active" && actor.send({ type: "signers.recheck" })));
  const tabSync = startTabSync(options, hostOf(actor), (publish) => readModel.subscribe(publish));
  if (tabSync) disposers.push(tabSync);
  return {
    engine,
    readModel,
    persistence,
    plan,
    wrappers,
    dispose: () => disposers.splice(0).forEach((dispose) => dispose()),
  };
}
