import type NDK from "@nostr-dev-kit/ndk";
import { NDKPrivateKeySigner, ndkSignerFromPayload, type Hexpubkey, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { READ_ONLY, sessionId, type FetchPlan } from "../../machines";
import { createSessionEngine, type ManagerActor, type SessionEngine } from "../engine";
import { NoActiveSessionError, SessionError, SessionNotFoundError, StorageError } from "../errors";
import { describeSigner } from "../effects/signers";
import { buildAccountEvents, type NewAccountData } from "./createAccount";
import { admit } from "./intake";
import { monitorKinds, planFrom, type EventWrapper } from "./options";
import { SessionReadModel } from "./readModel";
import type {
  MonitorItem,
  NDKSession,
  SerializedSession,
  SessionManagerOptions,
  SessionStartOptions,
  SessionState,
  SessionStore,
} from "./types";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signer types whose payload holds no secret (a NIP-07 payload is empty: the extension keeps the key). */
const SECRET_FREE_PAYLOADS = new Set(["nip07"]);

function payloadToStore(signer: NDKSigner, unsafe: boolean): string | undefined {
  return unsafe || SECRET_FREE_PAYLOADS.has(describeSigner(signer).type) ? signer.toPayload() : undefined;
}

/**
 * The drop-in face: the API of `@nostr-dev-kit/sessions`, each call one event to the manager actor
 * (`manager.actor`), each read a view of the actors' snapshots.
 */
export class NDKSessionManager {
  /** The manager actor: send it events, inspect it, embed it. */
  readonly actor: ManagerActor;
  private readonly engine: SessionEngine;
  private readonly readModel: SessionReadModel;
  private readonly wrappers = new Map<number, EventWrapper>();
  private readonly plan: FetchPlan;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribeAutoSave: (() => void) | undefined;
  private destroyed = false;
  private store: { state: SessionState; value: SessionStore } | undefined;

  constructor(
    readonly ndk: NDK,
    private readonly options: SessionManagerOptions = {},
  ) {
    const { plan, wrappers } = planFrom(options.fetches);
    this.plan = plan;
    wrappers.forEach((wrap, kind) => this.wrappers.set(kind, wrap));
    const userInspect = options.inspect ? [options.inspect].flat() : [];
    this.engine = createSessionEngine({
      ndk,
      plan,
      retry: options.retry,
      timeouts: options.timeouts,
      wiring: {
        setMuteFilter: options.fetches?.setMuteFilter ?? true,
        setRelayConnectionFilter: options.fetches?.setRelayConnectionFilter ?? true,
      },
      // The read model is built next; events of the start-up before that carry nothing it needs.
      inspect: [(event) => this.readModel?.observe(event), ...userInspect],
    });
    this.readModel = new SessionReadModel(ndk, this.engine.runtime.signers, {
      ndk,
      wrappers: this.wrappers,
      subscriptionsFor: (pubkey) => this.engine.runtime.hub.subscriptionsFor(pubkey),
      lastActiveOf: (pubkey) => this.actor.getSnapshot().context.lastActive[pubkey] ?? 0,
    });
    this.actor = this.engine.actor;
    this.readModel.attach(this.actor);
    if (options.storage && (options.autoSave ?? true)) {
      this.unsubscribeAutoSave = this.readModel.subscribe(() => this.scheduleSave());
    }
  }

  getCurrentState(): SessionStore {
    const state = this.readModel.state();
    if (this.store?.state !== state) this.store = { state, value: { ...state, ...this.storeActions } };
    return this.store.value;
  }

  getSessions(): Map<Hexpubkey, NDKSession> {
    return this.readModel.state().sessions;
  }

  getSession(pubkey: Hexpubkey): NDKSession | undefined {
    return this.readModel.session(pubkey);
  }

  get activePubkey(): Hexpubkey | undefined {
    return this.actor.getSnapshot().context.activePubkey ?? undefined;
  }

  get activeSession(): NDKSession | undefined {
    const pubkey = this.activePubkey;
    return pubkey ? this.getSession(pubkey) : undefined;
  }

  get activeUser(): NDKUser | undefined {
    const pubkey = this.activePubkey;
    return pubkey ? this.engine.runtime.userOf(pubkey) : undefined;
  }

  isReadOnly(pubkey: Hexpubkey | undefined = this.activePubkey): boolean {
    return !pubkey || !this.has(pubkey) || !this.engine.runtime.signers.has(pubkey);
  }

  /** Resolves with the pubkey once the session exists (and, with `setActive`, NDK points at it). */
  async login(userOrSigner: NDKUser | NDKSigner, options: { setActive?: boolean } = {}): Promise<Hexpubkey> {
    this.requireAlive();
    const { pubkey, signer } = await admit(userOrSigner, this.engine.runtime.timeouts.signerMs);
    this.requireAlive();
    if (signer) this.engine.runtime.signers.set(pubkey, signer);
    else this.engine.runtime.signers.delete(pubkey);
    this.actor.send({
      type: "account.login",
      pubkey,
      signer: describeSigner(signer),
      setActive: options.setActive ?? true,
      at: nowSeconds(),
    });
    return pubkey;
  }

  logout(pubkey?: Hexpubkey): void {
    const target = pubkey ?? this.activePubkey;
    if (!target) throw new NoActiveSessionError();
    this.actor.send({ type: "account.logout", pubkey: target });
  }

  async switchTo(pubkey: Hexpubkey | null): Promise<void> {
    this.requireAlive();
    if (pubkey !== null && !this.has(pubkey)) throw new SessionNotFoundError(pubkey);
    this.actor.send({ type: "account.switch", pubkey, at: nowSeconds() });
  }

  startSession(pubkey: Hexpubkey, options: SessionStartOptions): void {
    this.requireSession(pubkey);
    const { plan, wrappers } = planFrom(options);
    wrappers.forEach((wrap, kind) => this.wrappers.set(kind, wrap));
    this.actor.send({ type: "session.start", pubkey, plan });
  }

  stopSession(pubkey: Hexpubkey): void {
    this.requireSession(pubkey);
    this.actor.send({ type: "session.stop", pubkey });
  }

  /** Follows more kinds, for every session (the peer only did the active one). */
  addMonitor(monitor: MonitorItem[]): void {
    const kinds = monitorKinds(monitor, this.wrappers);
    if (kinds.length) this.actor.send({ type: "monitor.add", kinds });
  }

  enableWallet(pubkey?: Hexpubkey): void {
    this.setWallet(pubkey, true);
  }

  disableWallet(pubkey?: Hexpubkey): void {
    this.setWallet(pubkey, false);
  }

  isWalletEnabled(pubkey: Hexpubkey | undefined = this.activePubkey): boolean {
    const session = pubkey ? this.getSession(pubkey) : undefined;
    return session?.preferences?.walletEnabled ?? this.plan.wallet;
  }

  subscribe(callback: (state: SessionStore) => void): () => void {
    return this.readModel.subscribe(() => callback(this.getCurrentState()));
  }

  async createAccount(
    data: NewAccountData = {},
    opts: { publish?: boolean; signer?: NDKPrivateKeySigner } = {},
  ): Promise<{ signer: NDKPrivateKeySigner; events: import("@nostr-dev-kit/ndk").NDKEvent[] }> {
    const signer = opts.signer ?? NDKPrivateKeySigner.generate();
    const events = await buildAccountEvents(this.ndk, signer, data, opts.publish ?? true);
    if (!opts.signer) await this.login(signer, { setActive: true });
    return { signer, events };
  }

  async persist(): Promise<void> {
    const storage = this.requireStorage();
    const { sessions, activePubkey } = this.readModel.state();
    const records = new Map<Hexpubkey, SerializedSession>();
    for (const [pubkey, session] of sessions) {
      const signer = this.engine.runtime.signers.get(pubkey);
      const payload = signer ? payloadToStore(signer, this.options.unsafePersistPrivateKeys ?? false) : undefined;
      records.set(pubkey, {
        pubkey,
        lastActive: session.lastActive,
        preferences: session.preferences,
        signerPayload: payload,
        signerType: describeSigner(signer).type,
      });
    }
    await storage.save(records, activePubkey);
  }

  async restore(): Promise<void> {
    const storage = this.requireStorage();
    const data = await storage.load();
    for (const record of data.sessions.values()) {
      if (this.has(record.pubkey)) continue;
      const signer = record.signerPayload ? await ndkSignerFromPayload(record.signerPayload, this.ndk).catch(() => undefined) : undefined;
      if (signer) await this.login(signer, { setActive: false }).catch(() => undefined);
      if (signer && this.has(record.pubkey)) continue;
      // Without a usable signer the session still comes back, as what it was: a signer session
      // lands in `error` (signer-unavailable) until the user logs in again; never silently read-only.
      this.actor.send({
        type: "account.login",
        pubkey: record.pubkey,
        signer: { type: record.signerType ?? READ_ONLY },
        setActive: false,
        at: record.lastActive,
        lastActive: record.lastActive,
        preferences: record.preferences,
      });
    }
    if (data.activePubkey && this.has(data.activePubkey)) await this.switchTo(data.activePubkey);
  }

  async clear(): Promise<void> {
    const storage = this.requireStorage();
    clearTimeout(this.saveTimer);
    for (const pubkey of [...(this.actor.getSnapshot().context.pubkeys ?? [])]) this.actor.send({ type: "account.logout", pubkey });
    await storage.clear();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.saveTimer);
    this.unsubscribeAutoSave?.();
    this.engine.stop();
  }

  private requireAlive(): void {
    if (this.destroyed) throw new SessionError("This session manager was destroyed", "destroyed");
  }

  private has(pubkey: Hexpubkey): boolean {
    return this.actor.getSnapshot().context.pubkeys.includes(pubkey);
  }

  private requireSession(pubkey: Hexpubkey): void {
    if (!this.has(pubkey)) throw new SessionNotFoundError(pubkey);
  }

  private requireStorage() {
    if (!this.options.storage) throw new StorageError("No storage configured");
    return this.options.storage;
  }

  private setWallet(pubkey: Hexpubkey | undefined, walletEnabled: boolean): void {
    const target = pubkey ?? this.activePubkey;
    if (!target) throw new NoActiveSessionError();
    this.requireSession(target);
    this.actor.send({ type: "session.preferences.set", pubkey: target, preferences: { walletEnabled } });
  }

  private scheduleSave(): void {
    if (this.destroyed) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.persist().catch((error: Error) => console.warn(`[ndk-session-engine] auto-save failed: ${error.name}`));
    }, this.options.saveDebounceMs ?? 500);
  }

  /** The peer's store actions, for code that calls them on the state object. */
  private readonly storeActions = {
    init: () => {},
    addSession: (userOrSigner: NDKUser | NDKSigner, setActive: boolean) => this.login(userOrSigner, { setActive }),
    startSession: (pubkey: Hexpubkey, opts: SessionStartOptions) => this.startSession(pubkey, opts),
    stopSession: (pubkey: Hexpubkey) => this.stopSession(pubkey),
    addMonitor: (monitor: MonitorItem[]) => this.addMonitor(monitor),
    switchToUser: (pubkey: Hexpubkey | null) => this.switchTo(pubkey),
    removeSession: (pubkey: Hexpubkey) => this.logout(pubkey),
    updateSession: () => {},
    updatePreferences: (pubkey: Hexpubkey, preferences: { walletEnabled?: boolean }) =>
      this.actor.send({ type: "session.preferences.set", pubkey, preferences }),
  };
}

export { READ_ONLY, sessionId };
export type { SessionState };
