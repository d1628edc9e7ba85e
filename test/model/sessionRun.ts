/**
 * Runs one session-model path against the real engine: a fresh NDK on the loopback relay, a real
 * NDKSessionManager, and one session whose signer is real (a private key, the NIP-07 extension
 * stand-in, a NIP-46 bunker, or none), or a NIP-46 session restored from what an earlier manager
 * saved to the same storage.
 *
 * - A command step (stop, lock, refresh, …) is done as an app does it, through the manager.
 * - A step the world produces (an effect's outcome, a bunker's answer) is armed beforehand: as
 *   soon as the real session takes step k, this run sets the world up for step k+1 (the signer's
 *   next answer, the extension, the network, the bunker's relay). That happens inside the inspection
 *   callback, which XState calls before it starts the next state's effects, so the effect meets the
 *   world it must; the bunker's relay, which takes a moment to listen again, is set one retry early.
 * - A step is reached when the real session takes the very transitions the model took for it and
 *   lands in the model's state; resting states are also read back from the manager's snapshot.
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer, NDKPrivateKeySigner, type NDKSigner } from "@nostr-dev-kit/ndk";
import { bytesToHex } from "@noble/hashes/utils";
import { generateSecretKey } from "nostr-tools/pure";
import type { AnyActorRef, AnyMachineSnapshot, AnyTransitionDefinition, InspectionEvent } from "xstate";
import type { TestParam } from "xstate/graph";
import { sessionId } from "../../machines";
import { MemoryStorage, NDKSessionManager } from "../../src";
import { nip07SignerFor } from "../../src/effects/nip07";
import { generateSealingKey } from "../../src/secrets/aesGcm";
import { createFakeNip07, type FakeNip07 } from "../support/nip07";
import { settlesWithin } from "../support/bounded";
import { eventually } from "../support/env";
import { transitionKey, type CoverageRecorder } from "./coverage";
import type { PlannedPath } from "./paths";
import { APPROVE_AGAIN_URL, MONITORED_KIND, isWorldDriven, type ModelEvent } from "./sessionModel";
import { Network, publishNewerList, savedNip46Login, ScriptedSigner, signNote, type ApprovingBunker, type RelayLink } from "./world";

export const TIMEOUTS = { signerMs: 400, fetchMs: 300 };
export const RETRY = { baseMs: 150, maxMs: 600 };
const PASSPHRASE = "model passphrase";
const STEP_MS = 4000;

type Path = PlannedPath<any, ModelEvent>;
type Mode = "ok" | "missing" | "other" | "silent";

export interface SessionRig {
  relay: { url: string };
  /** An NDK of the test's own, to publish as the session's user. */
  ndk: NDK;
  bunker: ApprovingBunker;
  /** The bunker's relay as the clients reach it: an address that can stop listening. */
  link: RelayLink;
  recorder: CoverageRecorder;
  /** Newest created_at published per author, so each list is newer. */
  published: Map<string, number>;
  ndkOn(url: string): Promise<NDK>;
}

const resting = (s: AnyMachineSnapshot) =>
  ["locked", "idle", { live: "ready" }, { live: "awaitingApproval" }, { error: "needsLogin" }, { error: "extensionUnavailable" }].some((v) => s.matches(v as never));

export class SessionRun {
  private ndk!: NDK;
  private manager!: NDKSessionManager;
  private network!: Network;
  private pubkey = "";
  /** The user's key, to publish their lists (the session's own signer may be remote or scripted). */
  private author!: NDKPrivateKeySigner;
  private scripted: ScriptedSigner | undefined;
  private extension: FakeNip07 | undefined;
  private extensionKey: Uint8Array | undefined;
  private remote: NDKNip46Signer | undefined;
  private signing: Promise<unknown> | undefined;
  /** persist() is how a test waits for the NIP-49 sealing to finish; a restored login was saved here. */
  private readonly storage = new MemoryStorage();
  private key: CryptoKey | undefined;
  private cursor = 0;
  private current = 0;
  private readonly reached: AnyMachineSnapshot[] = [];
  private readonly trace: string[] = [];
  private divergence: string | undefined;

  constructor(
    private readonly rig: SessionRig,
    private readonly path: Path,
  ) {}

  /** TestModel.testPath's executors: one per event type, one state check. */
  get params(): TestParam<any, any> {
    const exec = (step: { event: ModelEvent }) => {
      this.current = this.path.statePath.steps.indexOf(step as never);
      return this.exec(step);
    };
    return {
      events: new Proxy({}, { get: () => exec }) as TestParam<any, any>["events"],
      states: { "*": () => this.check(this.current) },
    };
  }

  private get birth() {
    return this.path.steps[0]!.event as Extract<ModelEvent, { type: "birth" }>;
  }

  private step(k: number) {
    return this.path.steps[k - 1]; // planned steps are 1-based here: step 0 is xstate.init
  }

  private readonly observe = (event: InspectionEvent) => {
    const actor = event.actorRef as AnyActorRef;
    if (!this.pubkey || actor.id !== sessionId(this.pubkey)) return;
    const snapshot = (event as { snapshot?: unknown }).snapshot as AnyMachineSnapshot;
    if (event.type === "@xstate.snapshot" && this.cursor === 0 && snapshot.matches("restoring")) return this.reach(1, snapshot);
    if (event.type !== "@xstate.microstep") return;
    const keys = ((event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []).map(transitionKey);
    if (keys.length === 0) return;
    this.trace.push(`${JSON.stringify(snapshot.value)} ← ${keys.join(" + ")}`);
    const next = this.step(this.cursor + 1);
    if (next && keys.join() === next.keys.join() && snapshot.matches(next.state.context.machine.value)) return this.reach(this.cursor + 1, snapshot);
    // Transitions that keep the state (a list arriving while fetching, an approval answered) may
    // happen between steps; a change of state the model did not take is a divergence.
    const last = this.reached[this.cursor];
    if (next && last && JSON.stringify(snapshot.value) !== JSON.stringify(last.value))
      this.divergence ??= `after step ${this.cursor} the real session went to ${JSON.stringify(snapshot.value)} by ${keys.join(" + ")}`;
  };

  private reach(k: number, snapshot: AnyMachineSnapshot) {
    this.cursor = k;
    this.reached[k] = snapshot;
    this.setWorld("ok", "self");
    this.network.up();
    this.setLink(k);
    const next = this.step(k + 1)?.event;
    if (next && isWorldDriven(next)) this.arm(next);
  }

  /**
   * A signer rebuilt from storage misses the bunker's relay if it is down: it is down from step k on
   * when the next restore (after a retry timer, if that comes first) is to fail, and up otherwise.
   */
  private setLink(k: number) {
    if (!this.birth.restored) return;
    const skip = this.step(k + 1)?.event.type === "xstate.done.actor.retryTimer" ? 2 : 1;
    if (this.step(k + skip)?.event.type === "xstate.error.actor.restoreSigner") return this.rig.link.down();
    this.rig.link.up().catch((error: Error) => (this.divergence ??= `the bunker's relay did not listen again: ${error.message}`));
  }

  /** Sets the world up so that the effect now starting ends as `event` says. */
  private arm(event: ModelEvent) {
    const code = "error" in event ? (event as { error: { code: string } }).error.code : undefined;
    if (event.type.endsWith(".fetchLists") && code) this.network.down();
    if (!event.type.endsWith(".authenticate") && !event.type.endsWith(".reverify")) return;
    if (code === "signer-mismatch") this.setWorld("ok", "other");
    else if (code === "signer-failed") this.setWorld("ok", "throw");
    else if (code === "extension-missing") this.setWorld("missing", "self");
    else if (code === "extension-other-account") this.setWorld("other", "self");
    else if (code === "signer-timeout") this.setWorld("silent", "self");
  }

  private setWorld(extension: Mode, answer: ScriptedSigner["answer"]) {
    if (this.scripted) this.scripted.answer = answer;
    const fake = this.extension;
    if (!fake || !this.extensionKey) return;
    if (extension === "missing") return fake.remove();
    fake.install();
    fake.switchAccount(extension === "other" ? generateSecretKey() : this.extensionKey);
    fake.getPublicKeyDelayMs = extension === "silent" ? Infinity : 0;
  }

  private async exec({ event }: { event: ModelEvent }): Promise<void> {
    const { manager, pubkey } = this;
    if ((event.type as string) === "xstate.init") return this.open();
    switch (event.type) {
      case "birth":
        return this.birth.restored ? this.restoreSaved() : this.login();
      case "session.reauthenticate":
        return this.login();
      case "session.preferences.set":
        return manager.enableWallet(pubkey);
      case "session.monitor":
        return manager.addMonitor([MONITORED_KIND]);
      case "session.start":
        return manager.startSession(pubkey, { follows: true });
      case "session.stop":
        return manager.stopSession(pubkey);
      case "session.resume":
        return manager.actor.send({ type: "session.resume", pubkey });
      case "session.lock":
        return manager.lock(pubkey);
      case "session.unlock":
        return manager.unlock(pubkey, PASSPHRASE);
      case "session.refresh":
        return manager.refresh(pubkey);
      case "session.retry":
        return manager.retry(pubkey);
      case "signer.recheck":
        return manager.actor.send({ type: "signers.recheck" }); // what the page regaining focus sends
      case "list.received":
        return publishNewerList(this.rig.ndk, this.author, this.rig.published);
      case "session.fault": {
        this.scripted!.signing = event.failure.code === "signer-mismatch" ? "forge" : "hang";
        await signNote(this.ndk, manager.getCurrentState().signers.get(pubkey)!, "a fault");
        this.scripted!.signing = "ok";
        return;
      }
      case "session.approval":
        if (event.url === null) return void (await this.signing); // the bunker answers by itself
        if (event.url === APPROVE_AGAIN_URL) return this.rig.bunker.askAgain(this.remoteSigner().localSigner.pubkey, event.url);
        this.signing = signNote(this.ndk, manager.getCurrentState().signers.get(pubkey)!, "needs approval");
        return;
      default:
        if (!isWorldDriven(event)) throw new Error(`no executor for ${event.type}`);
    }
  }

  private async open(): Promise<void> {
    this.ndk = await this.rig.ndkOn(this.rig.relay.url);
    this.network = new Network(this.ndk);
    if (this.birth.restored) this.key = await generateSealingKey(); // what keeps a NIP-46 payload at rest
    this.manager = new NDKSessionManager(this.ndk, {
      storage: this.storage,
      autoSave: false,
      secrets: this.key ? { logn: 8, key: this.key } : { logn: 8 },
      timeouts: TIMEOUTS,
      retry: RETRY,
      inspect: [this.rig.recorder.observe, this.observe],
    });
  }

  /** The NIP-46 signer the session signs with now (rebuilt from storage, or handed over at login). */
  private remoteSigner(): NDKNip46Signer {
    const signer = this.manager.getCurrentState().signers.get(this.pubkey) as unknown as { inner: NDKSigner };
    return signer.inner as NDKNip46Signer;
  }

  /** The birth of a restored session: an earlier manager saved its login here; this one restores it. */
  private async restoreSaved(): Promise<void> {
    const earlierNdk = await this.rig.ndkOn(this.rig.relay.url);
    this.pubkey = await savedNip46Login(earlierNdk, this.rig.bunker.bunker.bunkerUri(false), this.storage, this.key!, TIMEOUTS);
    this.author = this.rig.bunker.user;
    this.setLink(1);
    await this.manager.restore();
  }

  /** The birth's login, or the same login again (a re-login: `session.reauthenticate`). */
  private async login(): Promise<void> {
    const { birth, manager, ndk } = this;
    if (birth.kind === "private-key") {
      this.scripted ??= ScriptedSigner.fresh();
      this.author = this.scripted;
      this.pubkey = this.scripted.pubkey;
      await manager.login(this.scripted, birth.sealed ? { passphrase: PASSPHRASE } : {});
      if (birth.sealed) await manager.persist();
    } else if (birth.kind === "nip07") {
      this.extensionKey ??= generateSecretKey();
      this.extension ??= createFakeNip07(this.extensionKey);
      this.author = new NDKPrivateKeySigner(bytesToHex(this.extensionKey));
      this.pubkey = this.author.pubkey;
      await manager.login(nip07SignerFor(ndk, TIMEOUTS.signerMs));
    } else if (birth.kind === "nip46") {
      this.remote ??= NDKNip46Signer.bunker(ndk, this.rig.bunker.bunker.bunkerUri(false));
      this.author = this.rig.bunker.user;
      this.pubkey = this.author.pubkey;
      await manager.login(this.remote);
    } else {
      this.author ??= NDKPrivateKeySigner.generate();
      this.pubkey = this.author.pubkey;
      await manager.login(ndk.getUser({ pubkey: this.pubkey }));
    }
  }

  /** The state check of step k: the real session took step k, and, resting, is there now. */
  private async check(k: number): Promise<void> {
    if (k === 0) return;
    const expected = this.step(k)!.state.context.machine.value;
    try {
      await eventually(() => this.cursor >= k || this.divergence !== undefined, STEP_MS, `step ${k}`);
    } catch {
      // reported below, with what the session did instead
    }
    if (this.cursor < k)
      throw new Error(
        `the real session did not reach ${JSON.stringify(expected)} at step ${k}${this.divergence ? ` (${this.divergence})` : ""}; it went:\n  ${this.trace.slice(-12).join("\n  ")}`,
      );
    if (!this.reached[k]!.matches(expected)) throw new Error(`step ${k}: reached ${JSON.stringify(this.reached[k]!.value)}`);
    // An effect's failure is the one the model named (a restore that missed the bunker's relay: `signer-timeout`).
    const { event } = this.step(k)!;
    const failure = (this.reached[k]!.context as { failure: { code: string } | null }).failure;
    if ("error" in event && this.reached[k]!.matches("error") && failure?.code !== event.error.code)
      throw new Error(`step ${k}: failed with ${failure?.code}, the model says ${event.error.code}`);
    if (k === this.cursor && resting(this.reached[k]!)) {
      const live = () => (this.manager.actor.getSnapshot().children[sessionId(this.pubkey)] as AnyActorRef).getSnapshot() as AnyMachineSnapshot;
      await eventually(() => live().matches(expected), STEP_MS, `the manager's snapshot of step ${k}`);
    }
  }

  async close(): Promise<void> {
    if (this.signing) await settlesWithin(this.signing, 2000); // a bunker still to answer an approval
    await this.manager?.destroy();
    this.extension?.remove();
    this.network?.up();
    await this.rig.link.up();
  }
}
