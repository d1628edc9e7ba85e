import type NDK from "@nostr-dev-kit/ndk";
import type { NDKSigner, NDKUser } from "@nostr-dev-kit/ndk";
import { createActor, type Actor, type InspectionEvent, type Observer } from "xstate";
import { managerMachine, sessionMachine, type FetchPlan, type Hexpubkey, type RetryPolicy } from "../machines";
import { SessionError } from "./errors";
import { loadFastVerifier } from "./lists/verify";
import { createManagerActions, createSessionActors } from "./effects";
import { Gate } from "./effects/gate";
import { RelayHub } from "./effects/relayHub";
import type { EngineRuntime, EngineTimeouts, NdkWiringOptions, SignerNews } from "./effects/runtime";
import { releaseSigner, SessionSigner } from "./effects/sessionSigner";
import { FetchBatcher } from "./effects/fetchBatch";

export type InspectionObserver = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

export interface EngineOptions {
  ndk: NDK;
  plan?: FetchPlan;
  retry?: RetryPolicy;
  timeouts?: Partial<EngineTimeouts>;
  wiring?: Partial<NdkWiringOptions>;
  /** Concurrent list fetches (each one REQ); keeps bursts under a relay's per-connection limit. */
  maxConcurrentFetches?: number;
  /** Inspection observers for the whole actor system (Stately inspector, the read model, …). */
  inspect?: InspectionObserver[];
  /** A persisted manager snapshot to rehydrate (validated by the caller). */
  snapshot?: unknown;
  /** An existing runtime to keep (its signers and vault), when an engine replaces another. */
  runtime?: EngineRuntime;
  /** Called on every signer fault and approval prompt (NIP-46 auth_url), beside the session's own state. */
  onSignerNews?: (pubkey: Hexpubkey, news: SignerNews) => void;
}

export const DEFAULT_TIMEOUTS: EngineTimeouts = { signerMs: 10_000, fetchMs: 5_000 };

export type ManagerActor = Actor<typeof managerMachine>;

export interface SessionEngine {
  readonly actor: ManagerActor;
  readonly runtime: EngineRuntime;
  /** Stops every actor and the shared subscription; the engine cannot be restarted. */
  stop(): void;
}

function assertWebSocket(): void {
  if (typeof globalThis.WebSocket !== "function")
    throw new SessionError(
      'NDK needs a global WebSocket; on Node 20 add: import { WebSocket } from "ws"; globalThis.WebSocket ??= WebSocket',
      "no-websocket",
    );
}

function toObserver(observer: InspectionObserver): (event: InspectionEvent) => void {
  return typeof observer === "function" ? observer : (event) => observer.next?.(event);
}

export function createRuntime(options: EngineOptions): EngineRuntime {
  const { ndk } = options;
  const users = new Map<Hexpubkey, NDKUser>();
  const gated = new Map<Hexpubkey, SessionSigner>();
  const runtime: EngineRuntime = {
    ndk,
    signers: new Map<Hexpubkey, NDKSigner>(),
    vault: new Map<Hexpubkey, string>(),
    sealed: new Map(),
    hub: new RelayHub(ndk),
    fetchGate: new Gate(options.maxConcurrentFetches ?? 8),
    fetchBatcher: new FetchBatcher(() => runtime),
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    wiring: { setMuteFilter: true, setRelayConnectionFilter: true, ...options.wiring },
    userOf(pubkey) {
      let user = users.get(pubkey);
      if (!user) users.set(pubkey, (user = ndk.getUser({ pubkey })));
      return user;
    },
    sessionSigner(pubkey) {
      const inner = runtime.signers.get(pubkey);
      if (!inner) return undefined;
      let signer = gated.get(pubkey);
      if (signer?.inner !== inner) {
        signer = new SessionSigner(inner, pubkey, runtime.timeouts.signerMs, {
          onFault: (error) => {
            const { code, message } = error as { code?: string; message?: string };
            // A forged signature ends the signer; an unanswered call (a bunker gone) is retried later.
            if (code === "signer-mismatch" || code === "signer-timeout")
              runtime.report(pubkey, { type: "fault", code, message: message ?? "", at: Date.now() });
          },
          onApproval: (url) => runtime.report(pubkey, { type: "approval", url }),
        });
        gated.set(pubkey, signer);
      }
      return signer;
    },
    report: () => {},
  };
  return runtime;
}

/** The manager actor with every effect provided, started. */
export function createSessionEngine(options: EngineOptions): SessionEngine {
  assertWebSocket();
  void loadFastVerifier();
  const runtime = options.runtime ?? createRuntime(options);
  const machine = managerMachine.provide({
    actors: { session: sessionMachine.provide({ actors: createSessionActors(runtime) }) },
    actions: createManagerActions(runtime),
  });
  const observers = (options.inspect ?? []).map(toObserver);
  const actor = createActor(machine, {
    systemId: "manager",
    input: { plan: options.plan, retry: options.retry },
    snapshot: options.snapshot as never,
    inspect: observers.length > 1 ? (event) => observers.forEach((observe) => observe(event)) : observers[0],
  });
  runtime.report = (pubkey, news) => {
    options.onSignerNews?.(pubkey, news);
    if (news.type === "fault" && news.code === "signer-mismatch") runtime.signers.delete(pubkey); // it signs no more
    if (actor.getSnapshot().status !== "active") return;
    if (news.type === "fault") actor.send({ type: "session.fault", pubkey, failure: { code: news.code, message: news.message, at: news.at } });
    else actor.send({ type: "session.approval", pubkey, url: news.url });
  };
  actor.start();
  return {
    actor,
    runtime,
    stop() {
      if (actor.getSnapshot().status === "active") actor.send({ type: "manager.stop" });
      actor.stop();
      runtime.hub.stop();
      for (const signer of runtime.signers.values()) releaseSigner(signer);
      runtime.signers.clear();
      runtime.vault.clear();
      runtime.sealed.clear();
    },
  };
}
