import type NDK from "@nostr-dev-kit/ndk";
import { NDKPrivateKeySigner, type Hexpubkey, type NDKEvent, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { NoActiveSessionError, SessionError, SessionNotFoundError, StorageError } from "../errors";
import { buildAccountEvents, type NewAccountData } from "../effects/createAccount";
import { admit, nostrConnectSigner } from "../effects/intake";
import { releaseSigner } from "../effects/sessionSigner";
import { describeSigner } from "../effects/signers";
import type { RestoreReport } from "../persistence/loader";
import type { Persistence } from "../persistence/persistence";
import { assemble } from "./assemble";
import { monitorKinds, planFrom } from "./options";
import { SessionWrites } from "./writes";
import { storeActionsOf } from "./storeActions";
import { editEntries, type SessionEdit } from "../lists/edits";
import type { LoginCallOptions, MonitorItem, NDKSession, NostrConnectOptions, SessionManagerOptions, SessionStartOptions, SessionState } from "./types";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The drop-in face: the API of `@nostr-dev-kit/sessions`. Each command sends one event to the
 * manager actor (`manager.actor`), handing a signer to the keyring first where it brings one; each
 * read (SessionReads) is a view of the read model; list writes (follow, mute, …) are SessionWrites.
 */
export class NDKSessionManager extends SessionWrites {
  private destroyed = false;
  protected readonly storeActions = storeActionsOf(this);

  constructor(ndk: NDK, options: SessionManagerOptions = {}) {
    super(ndk, assemble(ndk, options));
  }

  /**
   * Resolves with the pubkey once the session exists (and, with `setActive`, NDK points at it).
   * Takes a signer, a user, or a string: `nsec1…`, `ncryptsec1…` (with `passphrase`), `npub1…`,
   * `bunker://…`, or a hex key (with `as`). `passphrase` also keeps this login's private key at rest
   * as NIP-49, whatever the secrets policy. A remote signer's approval wait does not count against
   * the timeout; `onAuthUrl` hears where the user approves, `signal` cancels. A malformed bunker://
   * address fails at once ("invalid-login"); one whose relays cannot be reached fails within
   * `timeouts.connectMs` ("bunker-unreachable").
   */
  async login(userOrSigner: NDKUser | NDKSigner | string, options: LoginCallOptions = {}): Promise<Hexpubkey> {
    this.requireAlive();
    const { keyring, config } = this.parts.engine.runtime;
    const { pubkey, signer, sealed } = await admit(this.ndk, userOrSigner, config.timeouts, options);
    this.requireAlive();
    keyring.handOver(pubkey, signer, sealed, options.passphrase);
    const setActive = options.setActive ?? true;
    this.actor.send({ type: "account.login", pubkey, signer: describeSigner(signer), setActive, at: nowSeconds() });
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
    const { uri, signer } = nostrConnectSigner(this.ndk, { relay, name, url, image, perms });
    const session = this.login(signer, { ...login, untimed: true }).catch((error: unknown) => {
      releaseSigner(signer);
      throw error;
    });
    return { uri, session };
  }

  logout(pubkey?: Hexpubkey): void {
    const target = pubkey ?? this.activePubkey;
    if (!target) throw new NoActiveSessionError();
    this.actor.send({ type: "account.logout", pubkey: target });
  }

  async switchTo(pubkey: Hexpubkey | null): Promise<void> {
    this.requireAlive();
    if (pubkey !== null) this.requireSession(pubkey);
    this.actor.send({ type: "account.switch", pubkey, at: nowSeconds() });
  }

  /** Fetches this session's lists with its own options from now on (until a restart: the app configures it). */
  startSession(pubkey: Hexpubkey, options: SessionStartOptions): void {
    this.requireSession(pubkey);
    const { plan, wrappers } = planFrom(options);
    wrappers.forEach((wrap, kind) => this.parts.wrappers.set(kind, wrap));
    this.actor.send({ type: "session.start", pubkey, plan });
  }

  stopSession(pubkey: Hexpubkey): void {
    this.actor.send({ type: "session.stop", pubkey: this.requireSession(pubkey) });
  }

  /**
   * Edits a session's data as the app sees it (`followSet`, `muteSet`, `mutedWords`,
   * `mutedHashtags`, `blockedRelays`, `relayList`, `profile`, `events`, `preferences`): stored by
   * the session at once, persisted, and followed by the read model, subscribers and (for the active
   * session) NDK's filters. An edit stands until a newer event of that list arrives from a relay,
   * which replaces it (NIP-01: newer wins). Fields that are not data (`status`, `lastActive`…) are
   * ignored, and so is an unknown pubkey.
   */
  updateSession(pubkey: Hexpubkey, data: Partial<NDKSession>): void {
    const session = this.getSession(pubkey);
    if (!session) return;
    const { entries, preferences } = editEntries(data as SessionEdit, session, nowSeconds());
    if (entries.length) this.actor.send({ type: "session.update", pubkey, entries });
    if (preferences) this.actor.send({ type: "session.preferences.set", pubkey, preferences });
  }

  /** Added: tries what failed again now (the signer, the lists), without waiting for the backoff. */
  retry(pubkey: Hexpubkey): void {
    this.actor.send({ type: "session.retry", pubkey: this.requireSession(pubkey) });
  }

  /** Added: fetches the session's lists again now, e.g. when the app comes back online. */
  refresh(pubkey: Hexpubkey): void {
    this.actor.send({ type: "session.refresh", pubkey: this.requireSession(pubkey) });
  }

  /** Follows more kinds for the active session (with none active it warns and does nothing, as the peer does). */
  addMonitor(monitor: MonitorItem[]): void {
    const pubkey = this.activePubkey;
    if (!pubkey) {
      console.warn("No active session to add monitor to");
      return;
    }
    const kinds = monitorKinds(monitor, this.parts.wrappers);
    if (kinds.length) this.actor.send({ type: "monitor.add", pubkey, kinds });
  }

  /** The user's choice, kept with the session (and stored); with no such session, nothing happens (the peer's behaviour). */
  enableWallet(pubkey: Hexpubkey | undefined = this.activePubkey): void {
    if (pubkey) this.actor.send({ type: "session.preferences.set", pubkey, preferences: { walletEnabled: true } });
  }

  disableWallet(pubkey: Hexpubkey | undefined = this.activePubkey): void {
    if (pubkey) this.actor.send({ type: "session.preferences.set", pubkey, preferences: { walletEnabled: false } });
  }

  /**
   * A new key, its kind 0, 10002 and 3 (those with data) signed and published (unless `publish:
   * false`), logged in as the active session — unless `opts.signer` is given (the peer's rule).
   */
  async createAccount(
    data: NewAccountData = {},
    opts: { publish?: boolean; signer?: NDKPrivateKeySigner } = {},
  ): Promise<{ signer: NDKPrivateKeySigner; events: NDKEvent[]; pubkey: Hexpubkey }> {
    const signer = opts.signer ?? NDKPrivateKeySigner.generate();
    const events = await buildAccountEvents(this.ndk, signer, data, opts.publish ?? true);
    if (!opts.signer) await this.login(signer, { setActive: true });
    return { signer, events, pubkey: signer.pubkey };
  }

  /** Saves now (after any save under way, and once the keys of recent logins are sealed). */
  async persist(): Promise<void> {
    return this.requirePersistence().persist();
  }

  /**
   * Unlocks a session whose key is stored as NIP-49: decrypts it (a scrypt of 2^logn rounds), then
   * the session signs in. A wrong passphrase rejects with SignerError `wrong-passphrase`; the session stays locked.
   */
  async unlock(pubkey: Hexpubkey, passphrase?: string): Promise<void> {
    this.requireAlive();
    await this.parts.engine.runtime.keyring.unlock(this.requireSession(pubkey), passphrase);
    this.actor.send({ type: "session.unlock", pubkey });
  }

  /** Forgets a session's key: it stays logged in (and reading), locked, until unlock(). */
  lock(pubkey: Hexpubkey): void {
    this.parts.engine.runtime.keyring.lock(this.requireSession(pubkey));
    this.actor.send({ type: "session.lock", pubkey });
  }

  /**
   * Brings back what storage holds (the manager's `loading → restoring → active`): sessions with
   * their last-known lists at once, then refreshed from relays; the active one is wired into NDK
   * before this resolves. Unreadable or newer data rejects with a typed StorageError and is kept.
   */
  async restore(): Promise<RestoreReport> {
    this.requireAlive();
    return this.requirePersistence().restore();
  }

  /** Logs every session out and empties storage; auto-save does not write them back. */
  async clear(): Promise<void> {
    return this.requirePersistence().clear();
  }

  /** Stops everything; a pending save is written first (the returned promise), then nothing more. */
  destroy(): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    this.destroyed = true;
    this.parts.dispose();
    const saved = this.parts.persistence?.close() ?? Promise.resolve();
    this.parts.engine.stop();
    return saved;
  }

  protected requireAlive(): void {
    if (this.destroyed) throw new SessionError("This session manager was destroyed", "destroyed");
  }

  private requireSession(pubkey: Hexpubkey): Hexpubkey {
    if (!this.parts.readModel.state().sessions.has(pubkey)) throw new SessionNotFoundError(pubkey);
    return pubkey;
  }

  private requirePersistence(): Persistence {
    if (!this.parts.persistence) throw new StorageError("No storage configured");
    return this.parts.persistence;
  }
}

export type { SessionState };
