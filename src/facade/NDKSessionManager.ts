import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer, NDKPrivateKeySigner, type Hexpubkey, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { releaseSigner } from "../effects/sessionSigner";
import type { FetchPlan } from "../../machines";
import { createSessionEngine, type EngineOptions, type ManagerActor, type SessionEngine } from "../engine";
import { NoActiveSessionError, SessionError, SessionNotFoundError, StorageError } from "../errors";
import { describeSigner } from "../effects/signers";
import { PersistenceController, type RestoreReport } from "./persistence";
import { SessionSecrets } from "./secrets";
import { watchFocus } from "../effects/nip07";
import { SecretsKeeper } from "../secrets/sealing";
import { startTabSync } from "../persistence/tabSync";
import { buildAccountEvents, type NewAccountData } from "./createAccount";
import { storeActionsOf } from "./storeActions";
import { admit } from "./intake";
import { managerHost } from "./host";
import { engineOptionsFrom, monitorKinds, planFrom, type EventWrapper } from "./options";
import { readModelOf, type ReadableSessionStore, type SessionReadModel, type Selection } from "./readModel";
import type {
  LoginCallOptions,
  MonitorItem,
  NDKSession,
  NostrConnectOptions,
  SessionManagerOptions,
  SessionStartOptions,
  SessionState,
  SessionStore,
} from "./types";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The drop-in face: the API of `@nostr-dev-kit/sessions`, each call one event to the manager actor
 * (`manager.actor`), each read a view of the actors' snapshots.
 */
export class NDKSessionManager {
  private engine: SessionEngine;
  private readonly engineOptions: EngineOptions;
  private readonly readModel: SessionReadModel;
  private readonly persistence: PersistenceController | undefined;
  private readonly secrets: SessionSecrets;
  private readonly wrappers = new Map<number, EventWrapper>();
  private readonly plan: FetchPlan;
  /** What destroy() undoes: auto-save, tab sync and focus listeners. */
  private readonly disposers: Array<() => void> = [];
  private destroyed = false;
  private storeValue: { state: SessionState; value: SessionStore } | undefined;

  constructor(
    readonly ndk: NDK,
    options: SessionManagerOptions = {},
  ) {
    const { plan, wrappers } = planFrom(options.fetches);
    this.plan = plan;
    wrappers.forEach((wrap, kind) => this.wrappers.set(kind, wrap));
    // The read model is built next; events of the start-up before that carry nothing it needs.
    this.engineOptions = engineOptionsFrom(ndk, options, plan, (event) => this.readModel?.observe(event));
    this.engine = createSessionEngine(this.engineOptions);
    this.readModel = readModelOf(ndk, () => this.engine, this.wrappers);
    this.readModel.attach(this.actor);
    const keeper = new SecretsKeeper(options.secrets);
    this.secrets = new SessionSecrets(() => this.engine.runtime, keeper, () => this.persistence?.scheduleSave());
    if (options.storage) {
      this.persistence = new PersistenceController(options.storage, this.persistenceHost(), {
        debounceMs: options.saveDebounceMs ?? 500,
        unsafe: options.unsafePersistPrivateKeys ?? false,
        keeper,
      });
      if (options.autoSave ?? true) this.disposers.push(this.readModel.subscribe(() => this.persistence?.scheduleSave()));
    }
    // A NIP-07 extension can come back (or change account) while the page was away.
    this.disposers.push(watchFocus(() => this.actor.getSnapshot().status === "active" && this.actor.send({ type: "signers.recheck" })));
    const tabSync = startTabSync(options, this.persistenceHost(), (publish) => this.readModel.subscribe(publish));
    if (tabSync) this.disposers.push(tabSync);
  }

  /** The manager actor: send it events, inspect it, embed it. `restore()` may replace it (before any login). */
  get actor(): ManagerActor {
    return this.engine.actor;
  }

  /**
   * The read model: an `@xstate/store` store fed by the actor system's inspection events. Read it,
   * select from it (`@xstate/store-react`'s `useSelector` works on it); it takes no events from apps.
   */
  get store(): ReadableSessionStore {
    return this.readModel.store;
  }

  getCurrentState(): SessionStore {
    const state = this.readModel.state();
    if (this.storeValue?.state !== state) this.storeValue = { state, value: { ...state, ...this.storeActions } };
    return this.storeValue.value;
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

  /**
   * Resolves with the pubkey once the session exists (and, with `setActive`, NDK points at it).
   * Takes a signer, a user, or a string: `nsec1…`, `ncryptsec1…` (with `passphrase`), `npub1…`,
   * `bunker://…`, or a hex key (with `as`). `passphrase` also keeps this login's private key at rest
   * as NIP-49, whatever the secrets policy. A remote signer's approval wait does not count against
   * the timeout; `onAuthUrl` hears where the user approves, `signal` cancels.
   */
  async login(userOrSigner: NDKUser | NDKSigner | string, options: LoginCallOptions = {}): Promise<Hexpubkey> {
    this.requireAlive();
    const { pubkey, signer, sealed } = await admit(this.ndk, userOrSigner, this.engine.runtime.timeouts.signerMs, options);
    this.requireAlive();
    this.secrets.enroll(pubkey, signer, sealed, options.passphrase);
    this.actor.send({
      type: "account.login",
      pubkey,
      signer: describeSigner(signer),
      setActive: options.setActive ?? true,
      at: nowSeconds(),
    });
    return pubkey;
  }

  /**
   * Pairing with a remote signer that scans or opens `uri` (NIP-46 nostrconnect://). `session`
   * resolves with the pubkey once the signer has connected — no timeout, since a person is
   * pairing; abort `signal` to give up (the signer's listener is then stopped).
   */
  nostrConnect(options: NostrConnectOptions): { uri: string; session: Promise<Hexpubkey> } {
    this.requireAlive();
    const { relay, name, url, image, perms, ...login } = options;
    const signer = NDKNip46Signer.nostrconnect(this.ndk, relay, undefined, { name, url, image, perms });
    const session = this.login(signer, { ...login, untimed: true }).catch((error: unknown) => {
      releaseSigner(signer);
      throw error;
    });
    return { uri: signer.nostrConnectUri!, session };
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

  /** Added: tries a failed session again now, without waiting for its backoff (no-op unless in `error`). */
  retry(pubkey: Hexpubkey): void {
    this.requireSession(pubkey);
    this.actor.send({ type: "session.retry", pubkey });
  }

  /** Added: fetches a ready session's lists again now, e.g. when the app comes back online. */
  refresh(pubkey: Hexpubkey): void {
    this.requireSession(pubkey);
    this.actor.send({ type: "session.refresh", pubkey });
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

  /** A slice of the state that notifies only when it changes, e.g. `select((s) => s.sessions.get(pk)?.followSet?.size)`. */
  select<T>(selector: (state: SessionState) => T, isEqual?: (a: T, b: T) => boolean): Selection<T> {
    return this.readModel.select(selector, isEqual);
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

  /** Saves now (after any save under way, and once the keys of recent logins are sealed). */
  async persist(): Promise<void> {
    const persistence = this.requirePersistence();
    await this.secrets.settled();
    await persistence.persist();
  }

  /**
   * Unlocks a session whose key is stored as NIP-49: decrypts it (a scrypt of 2^logn rounds) and
   * signs in. A wrong passphrase rejects with SignerError `wrong-passphrase`; the session stays locked.
   */
  async unlock(pubkey: Hexpubkey, passphrase?: string): Promise<void> {
    this.requireAlive();
    this.requireSession(pubkey);
    await this.secrets.unlock(pubkey, passphrase);
    this.actor.send({ type: "session.unlock", pubkey });
  }

  /** Forgets a session's key: it stays logged in, locked, until unlock(). */
  lock(pubkey: Hexpubkey): void {
    this.requireSession(pubkey);
    this.secrets.lock(pubkey);
    this.actor.send({ type: "session.lock", pubkey });
  }

  /**
   * Rehydrates the manager from storage: sessions come back with their last-known lists at once,
   * then refresh from relays; the active one is wired into NDK before this resolves. Unreadable or
   * newer data rejects with a typed StorageError and is kept as it was.
   */
  async restore(): Promise<RestoreReport> {
    this.requireAlive();
    return this.requirePersistence().restore(this.actor.getSnapshot().context.pubkeys.length > 0);
  }

  /** Logs every session out and empties storage; auto-save does not write them back. */
  async clear(): Promise<void> {
    await this.requirePersistence().clear(() => {
      for (const pubkey of [...this.actor.getSnapshot().context.pubkeys]) this.actor.send({ type: "account.logout", pubkey });
    });
  }

  /** Stops everything; a pending save is written first (the returned promise), then nothing more. */
  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    const saved = this.persistence?.close() ?? Promise.resolve();
    this.engine.stop();
    return saved;
  }

  /**
   * The latest storage problem, for the app to show: data restore() could not use (kept under
   * `backupKey`, or left alone when newer), or a save that did not reach storage.
   */
  get storageError(): StorageError | undefined {
    return this.persistence?.lastError;
  }

  private persistenceHost() {
    return managerHost(
      () => this.engine,
      (snapshot) => {
        this.engine.actor.stop();
        this.engine = createSessionEngine({ ...this.engineOptions, snapshot, runtime: this.engine.runtime });
        this.readModel.attach(this.actor);
      },
    );
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

  private requirePersistence(): PersistenceController {
    if (!this.persistence) throw new StorageError("No storage configured");
    return this.persistence;
  }

  private setWallet(pubkey: Hexpubkey | undefined, walletEnabled: boolean): void {
    const target = pubkey ?? this.activePubkey;
    if (!target) throw new NoActiveSessionError();
    this.requireSession(target);
    this.actor.send({ type: "session.preferences.set", pubkey: target, preferences: { walletEnabled } });
  }

  /** The peer's store actions, for code that calls them on the state object. */
  private readonly storeActions = storeActionsOf(this);
}

export type { SessionState };
