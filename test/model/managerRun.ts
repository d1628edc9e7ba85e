/**
 * Runs one manager-model path against a real NDKSessionManager with real storage (a MemoryStorage):
 * account A logs in with a scripted private-key signer under a NIP-49 passphrase, account B with a
 * NIP-46 bunker behind a relay address that can stop listening. Every model event is done the way
 * an app (or the world) causes it — a facade call, restore(), a signature that fails or that the
 * bunker has its user approve, a save, bytes written over the stored state — and a step is reached
 * when the real manager's macrostep for that event (a command, the keyring's signer news, a
 * session's report, the storage read) takes the transitions the model took; its
 * value, logins and active account must then match, and each session settles as the model says.
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import type { AnyActorRef, AnyMachineSnapshot, AnyTransitionDefinition, InspectionEvent } from "xstate";
import type { TestParam } from "xstate/graph";
import { sessionId } from "../../machines";
import { MemoryStorage, NDKSessionManager } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";
import { STATE_KEY } from "../../src/storage/types";
import { settlesWithin } from "../support/bounded";
import { eventually } from "../support/env";
import { PASSPHRASE, RETRY_LONG } from "./births";
import { transitionKey, type CoverageRecorder } from "./coverage";
import { ACCOUNTS, formatEvent, isWorldStep, MONITORED_KIND, type Account, type AccountFacts, type ManagerModelSnapshot, type ModelEvent } from "./managerModel";
import type { PlannedPath } from "./paths";
import type { RelayLink } from "./relayLink";
import { followSetEdit, ScriptedSigner, signNote, type ApprovingBunker } from "./world";

const STEP_MS = 4000;
/** A NIP-46 login, and a restore whose bunker relay is down, take up to signerMs. */
const TIMEOUTS = { signerMs: 1000, fetchMs: 1000 };

export interface ManagerRig {
  relay: { url: string };
  bunker: ApprovingBunker;
  /** The bunker's relay as the clients reach it. */
  link: RelayLink;
  recorder: CoverageRecorder;
  ndkOn(url: string): Promise<NDK>;
}

type Path = PlannedPath<ManagerModelSnapshot, ModelEvent>;
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class ManagerRun {
  private ndk!: NDK;
  private manager!: NDKSessionManager;
  private readonly storage = new MemoryStorage();
  private readonly a = ScriptedSigner.fresh();
  private remote: NDKNip46Signer | undefined;
  /** B's signature that waits for the bunker's user. */
  private signing: Promise<unknown> = Promise.resolve();
  private restoring: Promise<unknown> = Promise.resolve();
  /** Follows asked for through the facade (each settles: published, or cancelled by a logout or destroy()). */
  private readonly writes: Array<Promise<unknown>> = [];
  private linkUp: Promise<unknown> = Promise.resolve();
  private current = 0;
  private cursor = 0;
  private keys: string[] = [];
  private readonly reached: AnyMachineSnapshot[] = [];
  private readonly trace: string[] = [];
  private divergence: string | undefined;

  constructor(
    private readonly rig: ManagerRig,
    private readonly path: Path,
  ) {}

  get params(): TestParam<any, any> {
    const exec = (step: { event: ModelEvent }) => {
      this.current = this.path.statePath.steps.indexOf(step as never);
      return this.exec(this.current, step.event);
    };
    return { events: new Proxy({}, { get: () => exec }) as TestParam<any, any>["events"], states: { "*": () => this.check(this.current) } };
  }

  private pubkeyOf(account: Account | null): string | null {
    return account === null ? null : account === "A" ? this.a.pubkey : this.rig.bunker.user.pubkey;
  }

  private accountOf(pubkey: string | null): Account | null {
    return pubkey === null ? null : (ACCOUNTS.find((x) => this.pubkeyOf(x) === pubkey) ?? (pubkey as Account));
  }

  /** A macrostep of the manager: the event it processed and every transition of it. */
  private readonly observe = (event: InspectionEvent) => {
    if (!this.manager || event.actorRef !== this.manager.actor) return;
    if (event.type === "@xstate.microstep") {
      this.keys.push(...((event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? []).map(transitionKey));
      return;
    }
    if (event.type !== "@xstate.snapshot") return;
    const keys = this.keys.splice(0);
    const processed = event.event as { type: string; pubkey?: string | null } & Detail;
    const who = "pubkey" in processed ? this.accountOf(processed.pubkey ?? null) : undefined;
    const news = "url" in processed || "failure" in processed ? ` ${detail(processed)}` : "";
    this.trace.push(`${processed.type}${who !== undefined ? `(${who})` : ""}${news}: ${keys.join(" + ") || "no transition"}`);
    const next = this.path.steps[this.cursor];
    const expected = next?.event as ({ type: string; pubkey?: Account | null } & Detail) | undefined;
    if (next && expected!.type === processed.type && (!("pubkey" in expected!) || expected!.pubkey === who) && detail(expected!) === detail(processed) && same(keys, next.keys)) {
      this.cursor++;
      this.reached[this.cursor] = event.snapshot as AnyMachineSnapshot;
      // A restore that gave up on the bunker's relay has said so: the relay listens again.
      if (processed.type === "session.signer.changed" && who === "B") this.linkUp = this.rig.link.up();
      return;
    }
    // Events that change nothing (the actor's start and stop) are no steps; a session's report always is one.
    if (keys.length === 0 && processed.type !== "session.signer.changed") return;
    this.divergence ??= `after step ${this.cursor} the manager took ${this.trace.at(-1)}${next ? ` (the model: ${formatEvent(next.event)}: ${next.keys.join(" + ") || "no transition"})` : ""}`;
  };

  private async exec(k: number, event: ModelEvent): Promise<void> {
    if ((event.type as string) === "xstate.init") return this.open();
    // The world's (a storage read, a session's report, the bunker's answer): waited for in check().
    if (event.type.startsWith("xstate.") || event.type === "session.signer.changed" || (event.type === "session.approval" && event.url === null)) return;
    await this.linkUp;
    const { manager } = this;
    if (isWorldStep(event)) {
      this.cursor = k; // no event of the manager's: reached as it starts (a fault's report may follow at once)
      this.reached[k] = manager.actor.getSnapshot();
    }
    const pubkey = "pubkey" in event ? this.pubkeyOf(event.pubkey as Account | null) : null;
    switch (event.type) {
      case "account.login":
        if (event.pubkey === "A") return void (await manager.login(this.a, { passphrase: PASSPHRASE, setActive: event.setActive }));
        this.remote ??= NDKNip46Signer.bunker(this.ndk, this.rig.bunker.bunker.bunkerUri(false));
        return void (await manager.login(this.remote, { setActive: event.setActive }));
      case "account.switch":
        return manager.switchTo(pubkey);
      case "account.logout":
        if (event.pubkey === "B") this.remote = undefined; // logout stops the remote signer for good
        return manager.logout(pubkey!);
      case "monitor.add": // for the active session, which the model's event names
        return manager.addMonitor([MONITORED_KIND]);
      case "session.update":
        return manager.updateSession(pubkey!, followSetEdit());
      case "list.write": // the session is ready (the step before settled it): the facade sends the write
        this.writes.push(manager.follow(NDKPrivateKeySigner.generate().pubkey, { pubkey: pubkey! }).catch((error: unknown) => error));
        return;
      case "signers.recheck":
        return void manager.actor.send({ type: "signers.recheck" });
      case "session.start":
        return manager.startSession(pubkey!, { follows: true, mutes: true });
      case "session.stop":
        return manager.stopSession(pubkey!);
      case "session.preferences.set":
        return manager.enableWallet(pubkey!);
      case "session.retry":
        return manager.retry(pubkey!);
      case "session.refresh":
        return manager.refresh(pubkey!);
      case "session.unlock":
        return manager.unlock(pubkey!, PASSPHRASE);
      case "session.lock": // the NIP-49 copy of a new login is sealed in the background
        return eventually(() => attempt(() => manager.lock(pubkey!)), 2000, "A's key sealed, so that it can be locked");
      case "session.fault": // the gate gives up after signerMs: the keyring tells the manager of a signer-timeout
        this.a.signing = "hang";
        await signNote(this.ndk, manager.getCurrentState().signers.get(pubkey!)!, "never signed");
        this.a.signing = "ok";
        return;
      case "session.approval": // the bunker sends its auth_url, and the signature after its user's approval
        this.signing = signNote(this.ndk, manager.getCurrentState().signers.get(pubkey!)!, "needs approval");
        return;
      case "world.save":
        return manager.persist();
      case "world.corrupt":
        return this.storage.setItem(STATE_KEY, "{ not the engine's envelope");
      case "manager.restore":
        if (event.link === "down") this.rig.link.down();
        this.restoring = manager.restore().catch(() => {}); // it resolves once the manager is active again
        return;
      case "manager.stop":
        return manager.destroy();
      default:
        throw new Error(`no executor for ${formatEvent(event)}`);
    }
  }

  private async open(): Promise<void> {
    this.ndk = await this.rig.ndkOn(this.rig.relay.url);
    this.manager = new NDKSessionManager(this.ndk, {
      storage: this.storage,
      autoSave: false,
      secrets: { logn: 8, key: await generateSealingKey() }, // B's payload is kept sealed, so it can be restored
      timeouts: TIMEOUTS,
      retry: RETRY_LONG, // a failed session waits for retry() (or a lock, a new login)
      fetches: { follows: true, mutes: true },
      inspect: [this.rig.recorder.observe, this.observe],
    });
  }

  /** The manager took step k and holds the model's logins; each session settles as the model says. */
  private async check(k: number): Promise<void> {
    if (k === 0) return;
    const step = this.path.steps[k - 1]!;
    try {
      await eventually(() => this.cursor >= k || this.divergence !== undefined, STEP_MS, `step ${k}`);
    } catch {
      // reported below
    }
    if (this.divergence !== undefined || this.cursor < k)
      throw new Error(
        `step ${k} (${formatEvent(step.event)}): the model takes ${step.keys.join(" + ") || "no transition"}; ${this.divergence ?? "the real manager did not"}. It took:\n  ${this.trace.slice(-10).join("\n  ")}`,
      );
    const { machine, world } = step.state.context;
    const real = this.reached[k]!;
    if (JSON.stringify(real.value) !== JSON.stringify(machine.value)) throw new Error(`step ${k}: the manager is ${JSON.stringify(real.value)}, the model ${JSON.stringify(machine.value)}`);
    const logins = (real.context.pubkeys as string[]).map((pk) => this.accountOf(pk));
    if (JSON.stringify([logins, this.accountOf(real.context.activePubkey)]) !== JSON.stringify([machine.context.pubkeys, machine.context.activePubkey]))
      throw new Error(`step ${k}: logins ${JSON.stringify(logins)}, active ${this.accountOf(real.context.activePubkey)}; the model: ${JSON.stringify(machine.context.pubkeys)}, ${machine.context.activePubkey}`);
    if (real.status !== "active") return;
    // A session still waiting for its bunker's relay settles only after its report (the app acts meanwhile).
    for (const account of machine.context.pubkeys as Account[]) if (world[account].report !== "late") await this.settle(account, world[account]);
  }

  private async settle(account: Account, facts: AccountFacts): Promise<void> {
    const signer = { failed: "retrying", approving: "awaitingApproval" }[facts.signer as string] ?? facts.signer;
    const target = { signer, lists: facts.lists === "live" ? { live: "ready" } : "idle" };
    const session = () => this.manager.actor.getSnapshot().children[sessionId(this.pubkeyOf(account)!)] as AnyActorRef | undefined;
    const now = () => session()?.getSnapshot() as AnyMachineSnapshot | undefined;
    await eventually(() => now()?.matches(target as never) === true, STEP_MS, `session ${account} ${JSON.stringify(target)} (it is ${JSON.stringify(now()?.value)})`);
  }

  async close(): Promise<void> {
    await this.restoring;
    await settlesWithin(this.signing, 2000); // a bunker still to answer an approval
    await this.manager?.destroy();
    for (const write of this.writes) if (!(await settlesWithin(write, 1000))) throw new Error("a follow was left waiting after destroy()");
    await this.rig.link.up();
  }
}

/** What else a signer-news event says: the approval URL, or the fault's code. */
type Detail = { url?: string | null; failure?: { code: string } };
const detail = (event: Detail) => JSON.stringify([event.url, event.failure?.code]);

function attempt(action: () => void): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}
