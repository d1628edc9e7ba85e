/**
 * Runs one session-model path against the real engine: a fresh NDK (reaching the loopback relay
 * through a RelayLink), a real NDKSessionManager, and one session whose signer is real (a private
 * key, the NIP-07 extension stand-in behind NDK's signer or an app's own, a NIP-46 bunker, or none), logged in or restored from what an
 * earlier run saved to the same storage (test/model/births.ts).
 *
 * - A command step (stop, lock, refresh, an edit, …) is done as an app does it, through the manager
 *   (test/model/sessionCommands.ts).
 * - The world is set for the outcomes to come as soon as the step before is reached
 *   (test/model/sessionWorld.ts): that happens inside the inspection callback, which XState calls
 *   before it starts the next state's effects, so each effect meets the world it must.
 * - A step is reached when the real session's macrostep takes the very transitions the model took
 *   for it (every microstep: a raised `signer.ready`, an `always`) and lands in the model's state;
 *   its failure codes and approval URL must then be the model's, and a resting state is read back
 *   from the manager's snapshot. Any other change of state is a divergence (a live update, which
 *   keeps the state, may come between steps: NDK hands the live subscription what a fetch reads).
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { bytesToHex } from "@noble/hashes/utils";
import { generateSecretKey } from "nostr-tools/pure";
import type { AnyActorRef, AnyMachineSnapshot, AnyTransitionDefinition, InspectionEvent } from "xstate";
import type { TestParam } from "xstate/graph";
import { sessionId, type SessionContext } from "../../machines";
import { MemoryStorage, NDKSessionManager } from "../../src";
import { nip07SignerFor } from "../../src/effects/nip07";
import { generateSealingKey } from "../../src/secrets/aesGcm";
import type { SecretsPolicy } from "../../src/secrets/sealing";
import { settlesWithin, within } from "../support/bounded";
import { eventually } from "../support/env";
import { createFakeNip07, type FakeNip07 } from "../support/nip07";
import { PASSPHRASE, RETRY_LONG, savedKeyLogin, savedNip46Login, sessionSnapshot } from "./births";
import { transitionKey, type CoverageRecorder } from "./coverage";
import type { PlannedPath } from "./paths";
import type { RelayLink } from "./relayLink";
import { appCommand } from "./sessionCommands";
import { APPROVE_AGAIN_URL, digest, formatEvent, isResting, type Birth, type ModelEvent, type SessionModelSnapshot } from "./sessionModel";
import { applyWorld, isWorldDriven, worldSchedule, type WorldConfig, type WorldSchedule } from "./sessionWorld";
import { askWrite, writeMismatch } from "./sessionWrites";
import { AppExtensionSigner, Network, publishNewerList, publishPrivateMutes, publishRival, ScriptedSigner, signNote, type ApprovingBunker } from "./world";

/** The engine's timeouts: a fetch that fails, a signer that never answers, take this long. */
export const TIMEOUTS = { signerMs: 500, fetchMs: 400 };
/** Backoffs that end by themselves, well after a fetch that succeeds. */
export const RETRY_SHORT = { baseMs: 300, maxMs: 300 };
const STEP_MS = 4000;

export type SessionPath = PlannedPath<SessionModelSnapshot, ModelEvent>;

export interface SessionRig {
  relay: { url: string };
  /** An NDK of the test's own, to publish as the session's user. */
  ndk: NDK;
  bunker: ApprovingBunker;
  /** The bunker's relay as the clients reach it. */
  link: RelayLink;
  /** The test relay as the sessions' NDK reaches it. */
  relayLink: RelayLink;
  recorder: CoverageRecorder;
  /** Newest created_at published per author, so each list is newer. */
  published: Map<string, number>;
  ndkOn(url: string): Promise<NDK>;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const valueOf = (s: { value: unknown } | null | undefined) => JSON.stringify(s?.value);

export class SessionRun {
  private ndk!: NDK;
  private manager!: NDKSessionManager;
  private network!: Network;
  pubkey = "";
  /** The user's key, to publish their lists (the session's own signer may be remote or scripted). */
  private author!: NDKPrivateKeySigner;
  private scripted: ScriptedSigner | undefined;
  private extension: FakeNip07 | undefined;
  private extensionKey: Uint8Array | undefined;
  private remote: NDKNip46Signer | undefined;
  /** The NIP-46 client key the bunker sees requests from. */
  private client: string | undefined;
  private signing: Promise<unknown> | undefined;
  /** The list writes asked for through the facade, each settled (resolved or rejected) by the session. */
  private readonly writes: Array<Promise<unknown>> = [];
  private readonly storage = new MemoryStorage();
  private secrets: SecretsPolicy = { logn: 8 };
  private linkUp: Promise<unknown> = Promise.resolve();
  private readonly schedule: WorldSchedule;
  private cursor = 0;
  private current = 0;
  /** The transitions of the real session's macrostep under way, and whether it already made a step. */
  private macro: string[] = [];
  private stepDone = false;
  readonly reached: AnyMachineSnapshot[] = [];
  /** Requests the bunker had from this session's client when each step was reached. */
  readonly bunkerSeen: number[] = [];
  private readonly trace: string[] = [];
  private divergence: string | undefined;

  constructor(
    private readonly rig: SessionRig,
    private readonly path: SessionPath,
  ) {
    this.schedule = worldSchedule(path);
  }

  /** TestModel.testPath's executors: one per event type, one state check. */
  get params(): TestParam<any, any> {
    const exec = (step: { event: ModelEvent }) => {
      this.current = this.path.statePath.steps.indexOf(step as never);
      return this.exec(this.current, step.event);
    };
    return {
      events: new Proxy({}, { get: () => exec }) as TestParam<any, any>["events"],
      states: { "*": () => this.check(this.current) },
    };
  }

  private get birth(): Birth {
    return this.path.steps[0]!.event as Birth;
  }

  private step(k: number) {
    return this.path.steps[k - 1]; // planned steps are 1-based here: step 0 is xstate.init
  }

  private diverge(what: string): void {
    this.divergence ??= what;
  }

  private readonly observe = (event: InspectionEvent) => {
    const actor = event.actorRef as AnyActorRef;
    if (!this.pubkey || actor.id !== sessionId(this.pubkey)) return;
    if (event.type === "@xstate.snapshot") {
      this.macro = [];
      this.stepDone = false;
      return;
    }
    if (event.type !== "@xstate.microstep") return;
    const keys = ((event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []).map(transitionKey);
    if (keys.length === 0) return;
    const snapshot = event.snapshot as AnyMachineSnapshot;
    this.trace.push(`${valueOf(snapshot)} ← ${keys.join(" + ")}`);
    if (this.stepDone) return this.diverge(`step ${this.cursor} went on with ${keys.join(" + ")} to ${valueOf(snapshot)}`);
    this.macro.push(...keys);
    const next = this.step(this.cursor + 1);
    if (next && same(this.macro, next.keys) && valueOf(snapshot) === valueOf(next.state.context.machine)) {
      this.stepDone = true;
      return this.reach(this.cursor + 1, snapshot);
    }
    if (next && same(this.macro, next.keys.slice(0, this.macro.length))) return; // more microsteps to come
    // A live update between steps keeps the state; any other change is one the model did not take
    // (after the last step, where the path leaves the session, it goes its own way).
    if (keys.join() === "session · list.received" && valueOf(snapshot) === valueOf(this.reached[this.cursor])) return void (this.macro = []);
    if (!next) return;
    this.diverge(`after step ${this.cursor} the real session took ${this.macro.join(" + ")} to ${valueOf(snapshot)}${next ? ` (the model: ${next.keys.join(" + ")})` : ""}`);
  };

  private reach(k: number, snapshot: AnyMachineSnapshot): void {
    this.cursor = k;
    this.reached[k] = snapshot;
    // A list the session wrote is on the relay now: a list published later must be newer still.
    const follows = (snapshot.context as SessionContext).lists["3"];
    if (this.step(k)!.event.type === "write.stored" && follows) this.rig.published.set(this.pubkey, Math.max(this.rig.published.get(this.pubkey) ?? 0, follows.createdAt));
    this.bunkerSeen[k] = this.bunkerRequests();
    this.apply(this.schedule.configs[k]!);
  }

  private bunkerRequests(): number {
    return this.rig.bunker.bunker.requests.filter((r) => r.client === this.client).length;
  }

  private apply(world: WorldConfig): void {
    const { link, relayLink } = this.rig;
    const { network, scripted, extension, extensionKey } = this;
    const rival = (ours: { kind: number; created_at: number }) => publishRival(this.rig.ndk, this.author, ours, this.rig.published);
    const listening = applyWorld(world, { network, link, relayLink, scripted, extension, extensionKey, rival });
    if (listening) this.linkUp = listening.catch((error: Error) => this.diverge(`the bunker's relay did not listen again: ${error.message}`));
  }

  private async exec(k: number, event: ModelEvent): Promise<void> {
    if ((event.type as string) === "xstate.init") return this.open();
    if (isWorldDriven(event)) return;
    await this.linkUp;
    if (this.schedule.afterEose.has(k)) await within(this.rig.relayLink.eoseHeld(), 2000, "the relay holding the fetch's EOSE");
    const { manager, pubkey } = this;
    const command = appCommand(event); // stop, lock, refresh, updateSession, … (test/model/sessionCommands.ts)
    if (command) return command({ manager, pubkey, published: this.rig.published });
    switch (event.type) {
      case "birth":
        return this.born();
      case "session.reauthenticate":
        return this.login();
      case "list.received":
        return publishNewerList(this.rig.ndk, this.author, this.rig.published);
      case "list.write": {
        const asked = askWrite(manager, pubkey, event);
        if (asked) this.writes.push(asked);
        return;
      }
      case "session.fault": {
        this.scripted!.signing = event.failure.code === "signer-mismatch" ? "forge" : "hang";
        await signNote(this.ndk, manager.getCurrentState().signers.get(pubkey)!, "a fault");
        this.scripted!.signing = "ok";
        return;
      }
      case "session.approval":
        if (event.url === APPROVE_AGAIN_URL) return this.rig.bunker.askAgain(this.client!, event.url);
        this.signing = signNote(this.ndk, manager.getCurrentState().signers.get(pubkey)!, "needs approval");
        return;
      default:
        throw new Error(`no executor for ${formatEvent(event)}`);
    }
  }

  private async open(): Promise<void> {
    this.ndk = await this.rig.ndkOn(this.rig.relayLink.url);
    this.network = new Network(this.ndk);
    const { restored, kind, patience } = this.birth;
    // What keeps a NIP-46 payload at rest, so that it can be restored.
    if (restored && kind === "nip46") this.secrets = { logn: 8, key: await generateSealingKey() };
    this.manager = new NDKSessionManager(this.ndk, {
      storage: this.storage,
      autoSave: false,
      secrets: this.secrets,
      timeouts: TIMEOUTS,
      retry: patience === "short" ? RETRY_SHORT : RETRY_LONG,
      inspect: [this.rig.recorder.observe, this.observe],
    });
  }

  /** The birth: a login, or the restore of what an earlier run saved here. */
  private async born(): Promise<void> {
    const { kind, sealed, restored } = this.birth;
    if (!restored) {
      if (kind === "private-key") await publishPrivateMutes(this.rig.ndk, (this.scripted = ScriptedSigner.fresh()));
      this.apply(this.schedule.configs[0]!);
      return this.login();
    }
    const earlierNdk = await this.rig.ndkOn(this.rig.relay.url);
    const run = { ndk: earlierNdk, publisher: this.rig.ndk, storage: this.storage, secrets: this.secrets, timeouts: TIMEOUTS, lists: restored };
    const saved = kind === "nip46" ? await savedNip46Login(run, this.rig.bunker.bunker.bunkerUri(false)) : await savedKeyLogin(run, sealed);
    this.scripted = saved.scripted;
    this.client = saved.client;
    this.author = this.scripted ?? this.rig.bunker.user;
    this.pubkey = saved.pubkey;
    this.apply(this.schedule.configs[0]!);
    await this.manager.restore();
  }

  /** The birth's login, or the same login again (a re-login: `session.reauthenticate`). */
  private async login(): Promise<void> {
    const { birth, manager, ndk } = this;
    if (birth.kind === "private-key") {
      this.author = this.scripted!;
      this.pubkey = this.scripted!.pubkey;
      await manager.login(this.scripted!, birth.sealed ? { passphrase: PASSPHRASE } : {});
      if (birth.sealed) await manager.persist(); // the NIP-49 copy is sealed in the background: lock() needs it
    } else if (birth.kind === "nip07" || birth.kind === "app-nip07") {
      this.extensionKey ??= generateSecretKey();
      this.extension ??= createFakeNip07(this.extensionKey);
      this.author = new NDKPrivateKeySigner(bytesToHex(this.extensionKey));
      this.pubkey = this.author.pubkey;
      await manager.login(birth.kind === "nip07" ? nip07SignerFor(ndk, TIMEOUTS.signerMs) : new AppExtensionSigner());
    } else if (birth.kind === "nip46") {
      this.remote ??= NDKNip46Signer.bunker(ndk, this.rig.bunker.bunker.bunkerUri(false));
      this.client = this.remote.localSigner.pubkey;
      this.author = this.rig.bunker.user;
      this.pubkey = this.author.pubkey;
      await manager.login(this.remote);
    } else {
      this.author ??= NDKPrivateKeySigner.generate();
      this.pubkey = this.author.pubkey;
      await manager.login(ndk.getUser({ pubkey: this.pubkey }));
    }
  }

  /** The state check of step k: the real session took step k as the model did, and, resting, is there now. */
  private async check(k: number): Promise<void> {
    if (k === 0) return;
    const step = this.step(k)!;
    const expected = step.state.context;
    try {
      await eventually(() => this.cursor >= k || this.divergence !== undefined, STEP_MS, `step ${k}`);
    } catch {
      // reported below, with what the session did instead
    }
    if (this.divergence !== undefined || this.cursor < k)
      throw new Error(
        `step ${k} (${formatEvent(step.event)}): the model takes ${step.keys.join(" + ")} to ${valueOf(expected.machine)}; ` +
          `${this.divergence ?? "the real session did not"}. It went:\n  ${this.trace.slice(-12).join("\n  ")}`,
      );
    const real = this.reached[k]!;
    const [want, got] = [digest(expected.machine!), digest(real as never)];
    if (JSON.stringify(want) !== JSON.stringify(got)) throw new Error(`step ${k}: the session holds ${JSON.stringify(got)}, the model ${JSON.stringify(want)}`);
    const mismatch = writeMismatch(step.event, expected.machine!.context, real.context as SessionContext);
    if (mismatch) throw new Error(`step ${k}: ${mismatch}`);
    // The lists region retries on its own: a NIP-46 session's bunker hears nothing of it.
    const listsOnly = step.keys.length > 0 && step.keys.every((key) => key.startsWith("session.lists")) && isWorldDriven(step.event);
    const signing = [this.reached[k - 1], real].every((s) => s?.matches({ signer: "ready" }));
    if (expected.world.kind === "nip46" && listsOnly && signing && this.bunkerSeen[k] !== this.bunkerSeen[k - 1])
      throw new Error(`step ${k}: the bunker had ${this.bunkerSeen[k]! - this.bunkerSeen[k - 1]!} new request(s) from the session while only its lists moved`);
    if (k === this.cursor && isResting(expected)) {
      const now = () => sessionSnapshot(this.manager, this.pubkey);
      await eventually(() => valueOf(now()) === valueOf(expected.machine), STEP_MS, `the manager's snapshot of step ${k}`);
    }
  }

  /** The real session's context when step k was reached. */
  contextAt(k: number): SessionContext {
    return this.reached[k]!.context as SessionContext;
  }

  async close(): Promise<void> {
    if (this.signing) await settlesWithin(this.signing, 2000); // a bunker still to answer an approval
    await this.manager?.destroy();
    // destroy() settles whatever write was still under way (write-cancelled): none is left waiting.
    for (const write of this.writes) if (!(await settlesWithin(write, 1000))) throw new Error("a list write was left waiting after destroy()");
    this.extension?.remove();
    this.network?.up();
    this.rig.link.release();
    this.rig.relayLink.release();
    await this.rig.link.up();
  }
}
