import type NDK from "@nostr-dev-kit/ndk";
import { createActor, fromPromise, type Actor, type InspectionEvent, type Observer } from "xstate";
import { managerMachine, sessionMachine, type FetchPlan, type Hexpubkey, type LoadedState, type RetryPolicy } from "../machines";
import { StorageError } from "./errors";
import { loadFastVerifier } from "./lists/verify";
import { managerActions, managerActors, sessionImplementations } from "./effects";
import { Configuration, DEFAULT_PLAN, DEFAULT_RETRY, DEFAULT_TIMEOUTS, type EngineTimeouts, type NdkWiringOptions, type RefreshOptions } from "./effects/configuration";
import { IntegrityCheck } from "./effects/integrity";
import { Keyring, type SignerNews } from "./effects/keyring";
import { NdkWiring } from "./effects/ndkWiring";
import { RelayHub } from "./effects/relayHub";
import type { EngineRuntime } from "./effects/runtime";
import { ingestContextFor } from "./effects/signers";
import { Users } from "./effects/users";
import { WriteRegistry } from "./effects/writeRegistry";
import { SecretsKeeper, type SecretsPolicy } from "./secrets/sealing";

export type InspectionObserver = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/** The app's configuration of an engine: none of it is ever stored. */
export interface RuntimeOptions {
  ndk: NDK;
  plan?: FetchPlan;
  retry?: RetryPolicy;
  timeouts?: Partial<EngineTimeouts>;
  wiring?: Partial<NdkWiringOptions>;
  refresh?: RefreshOptions;
  /** How secrets are kept at rest (NIP-49 passphrase and/or an AES-GCM key). */
  secrets?: SecretsPolicy;
  /** Every signer fault and approval prompt (NIP-46 auth_url), beside the session's own state. */
  onSignerNews?: (pubkey: Hexpubkey, news: SignerNews) => void;
}

/** The app's configuration, or a runtime built from it beforehand (so storage can share its keyring). */
export type EngineOptions = (RuntimeOptions | { runtime: EngineRuntime }) & {
  /** Inspection observers for the whole actor system (Stately inspector, the read model, …). */
  inspect?: InspectionObserver[];
  /** What `manager.restore` reads (see src/persistence); without it a restore finds no storage. */
  load?: () => Promise<LoadedState>;
};

export type ManagerActor = Actor<typeof managerMachine>;

export interface SessionEngine {
  readonly actor: ManagerActor;
  readonly runtime: EngineRuntime;
  /** Stops every actor, the shared subscription and every signer; the engine cannot be restarted. */
  stop(): void;
}

function toObserver(observer: InspectionObserver): (event: InspectionEvent) => void {
  return typeof observer === "function" ? observer : (event) => observer.next?.(event);
}

/** The effects' shared parts, each given what it needs when it is built: nothing is patched in later. */
export function createRuntime(options: RuntimeOptions): EngineRuntime {
  const { ndk } = options;
  const config = new Configuration(
    options.plan ?? DEFAULT_PLAN,
    options.retry ?? DEFAULT_RETRY,
    { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    { setMuteFilter: true, setRelayConnectionFilter: true, ...options.wiring },
    { ...options.refresh },
  );
  const keyring = new Keyring({ ndk, signerMs: config.timeouts.signerMs, keeper: new SecretsKeeper(options.secrets), onNews: options.onSignerNews });
  const users = new Users(ndk);
  const ingestContext = (pubkey: Hexpubkey, kinds: readonly number[]) => ingestContextFor(keyring, users, pubkey, kinds);
  return {
    ndk,
    config,
    keyring,
    users,
    hub: new RelayHub({ ndk, fetchMs: config.timeouts.fetchMs, tieWindowSec: config.refresh.tieWindowSec, ingestContext }),
    integrity: new IntegrityCheck(),
    wiring: new NdkWiring(ndk, keyring, users, config.wiring),
    writes: new WriteRegistry(),
  };
}

const noStorage = () => Promise.reject(new StorageError("No storage configured"));

/** The manager actor with every effect provided, started. */
export function createSessionEngine(options: EngineOptions): SessionEngine {
  void loadFastVerifier();
  const runtime = "runtime" in options ? options.runtime : createRuntime(options);
  const session = sessionMachine.provide(sessionImplementations(runtime));
  const machine = managerMachine.provide({
    actors: { ...managerActors(runtime), session, loadState: fromPromise<LoadedState>(options.load ?? noStorage) },
    actions: managerActions(runtime),
  });
  const observers = (options.inspect ?? []).map(toObserver);
  const actor = createActor(machine, {
    systemId: "manager",
    inspect: observers.length > 1 ? (event) => observers.forEach((observe) => observe(event)) : observers[0],
  });
  actor.start();
  return {
    actor,
    runtime,
    stop() {
      if (actor.getSnapshot().status === "active") actor.send({ type: "manager.stop" });
      actor.stop();
      runtime.writes.clear();
      runtime.hub.stop();
      runtime.keyring.clear();
    },
  };
}
