/**
 * Runs one manager-model path against a real NDKSessionManager: account A logs in with a scripted
 * private-key signer under a NIP-49 passphrase, account B with a NIP-46 bunker. Every model event is
 * done the way an app (or the world) causes it — a facade call, a signature that fails or waits for
 * approval, a list published to the relay — and the step is reached when the real manager actor
 * takes the transition the model took; its value, logins and active account must then match.
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer, type NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import type { AnyActorRef, AnyMachineSnapshot, AnyTransitionDefinition, InspectionEvent, Snapshot } from "xstate";
import type { TestParam } from "xstate/graph";
import { sessionId, type ManagerEvent } from "../../machines";
import { MemoryStorage, NDKSessionManager } from "../../src";
import { eventually, publish } from "../support/env";
import { transitionKey, type CoverageRecorder } from "./coverage";
import { ACCOUNTS, MONITORED_KIND, type Account, type ModelState } from "./managerModel";
import type { PlannedPath } from "./paths";
import { ScriptedSigner, signNote, type ApprovingBunker } from "./world";

const PASSPHRASE = "model passphrase";
const STEP_MS = 4000;

export interface ManagerRig {
  relay: { url: string };
  ndk: NDK;
  bunker: ApprovingBunker;
  recorder: CoverageRecorder;
  ndkOn(url: string): Promise<NDK>;
}

type Path = PlannedPath<Snapshot<unknown> & { context: ModelState }, ManagerEvent>;

export class ManagerRun {
  private ndk!: NDK;
  private manager!: NDKSessionManager;
  private readonly a = ScriptedSigner.fresh();
  private remote: NDKNip46Signer | undefined;
  private current = 0;
  private cursor = 0;
  private readonly reached: AnyMachineSnapshot[] = [];
  private readonly trace: string[] = [];
  /** Newest mute list published per author. */
  private lastMutes = 0;

  constructor(
    private readonly rig: ManagerRig,
    private readonly path: Path,
  ) {}

  get params(): TestParam<any, any> {
    const exec = (step: { event: ManagerEvent }) => {
      this.current = this.path.statePath.steps.indexOf(step as never);
      return this.exec(step.event);
    };
    return { events: new Proxy({}, { get: () => exec }) as TestParam<any, any>["events"], states: { "*": () => this.check(this.current) } };
  }

  private pubkeyOf(account: Account | null): string | null {
    return account === null ? null : account === "A" ? this.a.pubkey : this.rig.bunker.user.pubkey;
  }

  private accountOf(pubkey: string | null): Account | null {
    return pubkey === null ? null : (ACCOUNTS.find((x) => this.pubkeyOf(x) === pubkey) ?? (pubkey as Account));
  }

  /** Only the step being executed can be reached: a later echo (a second approval, a repeated filter change) is not a step. */
  private readonly observe = (event: InspectionEvent) => {
    if (event.type !== "@xstate.microstep" || event.actorRef !== this.manager?.actor) return;
    const keys = ((event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []).map(transitionKey);
    if (keys.length === 0) return;
    this.trace.push(`${keys.join(" + ")} (${(event.event as { type: string }).type})`);
    const next = this.path.steps[this.current - 1];
    if (this.cursor !== this.current - 1 || !next || keys.join() !== next.keys.join()) return;
    this.cursor = this.current;
    this.reached[this.current] = event.snapshot as AnyMachineSnapshot;
  };

  private async exec(event: ManagerEvent): Promise<void> {
    const { manager } = this;
    const pubkey = "pubkey" in event ? this.pubkeyOf(event.pubkey as Account | null) : null;
    if ((event.type as string) === "xstate.init") return this.open();
    switch (event.type) {
      case "account.login":
        if (event.pubkey === "A") {
          await manager.login(this.a, { passphrase: PASSPHRASE, setActive: event.setActive });
          return manager.persist(); // the NIP-49 copy is sealed in the background: lock() needs it
        }
        this.remote ??= NDKNip46Signer.bunker(this.ndk, this.rig.bunker.bunker.bunkerUri(false));
        return void (await manager.login(this.remote, { setActive: event.setActive }));
      case "account.switch":
        return manager.switchTo(pubkey);
      case "account.logout":
        if (event.pubkey === "B") this.remote = undefined; // logout stops the remote signer for good
        return manager.logout(pubkey!);
      case "session.filters.changed": {
        // A newer mute list of the active account reaches its session through the live subscription.
        const author: NDKPrivateKeySigner = event.pubkey === "A" ? this.a : this.rig.bunker.user;
        this.lastMutes = Math.max(Math.floor(Date.now() / 1000), this.lastMutes + 1);
        return void (await publish(this.rig.ndk, author, { kind: 10000, tags: [["p", ScriptedSigner.fresh().pubkey]], created_at: this.lastMutes }));
      }
      case "monitor.add":
        return manager.addMonitor([MONITORED_KIND]);
      case "signers.recheck":
        return manager.actor.send({ type: "signers.recheck" });
      case "session.start":
        return manager.startSession(pubkey!, { follows: true, mutes: true });
      case "session.stop":
        return manager.stopSession(pubkey!);
      case "session.preferences.set":
        return manager.enableWallet(pubkey!);
      case "session.resume":
        return manager.actor.send({ type: "session.resume", pubkey: pubkey! });
      case "session.retry":
        return manager.retry(pubkey!);
      case "session.refresh":
        return manager.refresh(pubkey!);
      case "session.fault":
        this.a.signing = "hang"; // the gate gives up after signerMs: a signer-timeout fault
        await signNote(this.ndk, manager.getCurrentState().signers.get(pubkey!)!, "never signed");
        this.a.signing = "ok";
        return;
      case "session.approval":
        return void (await signNote(this.ndk, manager.getCurrentState().signers.get(pubkey!)!, "needs approval"));
      case "session.unlock":
        return manager.unlock(pubkey!, PASSPHRASE);
      case "session.lock":
        return manager.lock(pubkey!);
      case "manager.stop":
        return manager.destroy();
      default:
        throw new Error(`no executor for ${(event as { type: string }).type}`);
    }
  }

  private async open(): Promise<void> {
    this.ndk = await this.rig.ndkOn(this.rig.relay.url);
    this.manager = new NDKSessionManager(this.ndk, {
      storage: new MemoryStorage(),
      autoSave: false,
      secrets: { logn: 8 },
      timeouts: { signerMs: 400, fetchMs: 1000 },
      retry: { baseMs: 60_000, maxMs: 60_000 }, // a failed session waits for retry() (or resume, stop, lock, a new login)
      fetches: { follows: true, mutes: true },
      inspect: [this.rig.recorder.observe, this.observe],
    });
  }

  /** The manager took step k and holds the model's logins; each session settles as the model says. */
  private async check(k: number): Promise<void> {
    if (k === 0) return;
    const expected = this.path.steps[k - 1]!.state.context;
    try {
      await eventually(() => this.cursor >= k, STEP_MS, `step ${k}`);
    } catch {
      throw new Error(`the real manager did not take ${this.path.steps[k - 1]!.keys.join(" + ")} at step ${k}; it took:\n  ${this.trace.slice(-8).join("\n  ")}`);
    }
    const real = this.reached[k]!;
    const { value, context } = expected.machine;
    if (JSON.stringify(real.value) !== JSON.stringify(value)) throw new Error(`step ${k}: manager in ${JSON.stringify(real.value)}`);
    const logins = (real.context.pubkeys as string[]).map((pk) => this.accountOf(pk));
    if (JSON.stringify([logins, this.accountOf(real.context.activePubkey)]) !== JSON.stringify([context.pubkeys, context.activePubkey]))
      throw new Error(`step ${k}: logins ${JSON.stringify(logins)}, active ${this.accountOf(real.context.activePubkey)}; model: ${JSON.stringify(context.pubkeys)}, ${context.activePubkey}`);
    if (real.status !== "active") return;
    for (const account of context.pubkeys as Account[]) await this.settle(account, expected.world[account].phase);
  }

  private async settle(account: Account, phase: ModelState["world"][Account]["phase"]): Promise<void> {
    const target = phase === "live" ? { live: "ready" } : phase === "failed" ? { error: "retrying" } : phase;
    const session = () => this.manager.actor.getSnapshot().children[sessionId(this.pubkeyOf(account)!)] as AnyActorRef | undefined;
    await eventually(() => (session()?.getSnapshot() as AnyMachineSnapshot | undefined)?.matches(target as never) === true, STEP_MS, `session ${account} ${phase}`);
  }

  async close(): Promise<void> {
    await this.manager?.destroy();
  }
}
