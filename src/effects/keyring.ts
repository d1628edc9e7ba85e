import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip07Signer, NDKPrivateKeySigner, type NDKSigner } from "@nostr-dev-kit/ndk";
import type { Hexpubkey } from "../../machines";
import { SignerError } from "../errors";
import type { SealedSecret, SecretsKeeper } from "../secrets/sealing";
import { installGate, releaseSigner, removeGate, type SessionSignerHooks } from "./sessionSigner";
import { SecretsAtRest } from "./secretsAtRest";
import { Turns } from "./turns";
import { localKeyOf, SignerMap } from "./signerMap";

/** What a session's signer tells its session (through the manager's `watchSigners` actor). */
export type SignerNews = { type: "fault"; code: string; message: string; at: number } | { type: "approval"; url: string | null };

export interface KeyringOptions {
  ndk: NDK;
  /** Working time allowed per signer call (approval time excluded). */
  signerMs: number;
  keeper: SecretsKeeper;
  /** Every fault and approval prompt, for the app (onAuthUrl), beside the session's own state. */
  onNews?: (pubkey: Hexpubkey, news: SignerNews) => void;
}

/**
 * The one place signer objects and secrets live, by pubkey: never in an event, a context, a
 * snapshot or an inspection payload. Machines say what happens (restore, lock, release); the
 * keyring keeps what that needs. Each signer carries its session's call gate while it is here (put
 * on the object itself, so `ndk.signer` is the app's own object), and gets its methods back when it leaves.
 */
export class Keyring {
  private readonly raw = new Map<Hexpubkey, NDKSigner>();
  /** Signer payloads read from storage, kept until the signer is rebuilt from them. */
  private readonly vault = new Map<Hexpubkey, string>();
  /**
   * Restored local keys (their payloads in the vault) whose signer is built when first asked for:
   * deriving a key's pubkey costs ~0.4 ms of curve arithmetic, 20 ms for a restore of 50 sessions
   * that mostly sign nothing. The derived pubkey is checked then (see `wake`).
   */
  private readonly dormant = new Set<Hexpubkey>();
  /** Each session's secret as kept at rest (NIP-49 or AES-GCM), never plain text. */
  private readonly atRest: SecretsAtRest;
  private readonly listeners = new Set<(pubkey: Hexpubkey, news: SignerNews) => void>();
  private view: ReadonlyMap<Hexpubkey, NDKSigner> = new Map();
  private viewStale = false;
  // The others' rebuilds begin (restore() has returned): their sealed secrets are opened together then.
  private readonly turns = new Turns(() => this.atRest.openTogether((pubkey) => !this.raw.has(pubkey) && !this.vault.has(pubkey)));

  /** What every gated signer reports; news from a signer that has left since is dropped. */
  private readonly hooks: SessionSignerHooks = {
    onFault: (signer, pubkey, error) => this.raw.get(pubkey) === signer && this.fault(pubkey, error),
    onApproval: (signer, pubkey, url) => this.raw.get(pubkey) === signer && this.emit(pubkey, { type: "approval", url }),
  };

  constructor(private readonly options: KeyringOptions) {
    this.atRest = new SecretsAtRest(options.keeper);
  }

  get ndk(): NDK {
    return this.options.ndk;
  }

  get signerMs(): number {
    return this.options.signerMs;
  }

  /** A login's signer joins (none: read-only), its key kept as given (an ncryptsec) or sealed by the policy. */
  handOver(pubkey: Hexpubkey, signer: NDKSigner | undefined, sealed?: SealedSecret, passphrase?: string): void {
    this.set(pubkey, signer);
    this.forget(pubkey);
    this.atRest.set(pubkey, sealed);
    if (!sealed && signer) this.atRest.seal(pubkey, signer, passphrase, () => this.raw.get(pubkey) === signer);
  }

  /** Whether the session has a signer now (a restored key not yet asked for counts). */
  has(pubkey: Hexpubkey): boolean {
    return this.raw.has(pubkey) || this.dormant.has(pubkey);
  }

  /** Whether the session's signer is a restored local key not built yet: its pubkey is checked once it is. */
  isDormant(pubkey: Hexpubkey): boolean {
    return this.dormant.has(pubkey) && !this.raw.has(pubkey);
  }

  /** The session's signer: the object the app handed over (or one rebuilt from storage), gated in place. */
  signer(pubkey: Hexpubkey): NDKSigner | undefined {
    return this.raw.get(pubkey) ?? this.wake(pubkey);
  }

  /** Every session's signer; the same map until a signer comes, goes or changes (a restored key built on first read). */
  signers(): ReadonlyMap<Hexpubkey, NDKSigner> {
    if (this.viewStale) {
      this.viewStale = false;
      this.view = new SignerMap(this.raw, this.dormant, (pubkey) => this.wake(pubkey));
    }
    return this.view;
  }

  /** Hears every session's signer news, by pubkey; returns the unsubscribe. */
  watch(listener: (pubkey: Hexpubkey, news: SignerNews) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Decrypts a NIP-49 session's key: a scrypt of 2^logn rounds. Throws a SignerError: `not-locked`
   * (no NIP-49 secret for this pubkey), `no-passphrase`, or `wrong-passphrase`.
   */
  async unlock(pubkey: Hexpubkey, passphrase?: string): Promise<void> {
    const sealed = this.atRest.get(pubkey);
    if (sealed?.scheme !== "nip49") throw new SignerError("This session has no locked key", "not-locked");
    const pass = passphrase ?? (await this.options.keeper.passphraseFor(pubkey));
    if (!pass) throw new SignerError("A passphrase is needed to unlock this key", "no-passphrase");
    let signer: NDKPrivateKeySigner;
    try {
      signer = NDKPrivateKeySigner.fromNcryptsec(sealed.ncryptsec, pass, this.options.ndk);
    } catch {
      throw new SignerError("Wrong passphrase", "wrong-passphrase");
    }
    if (signer.pubkey !== pubkey) throw new SignerError("The stored key belongs to another pubkey", "signer-mismatch");
    this.set(pubkey, signer);
  }

  /** A restored local key (its payload from storage or unsealed) signs from now on; its signer is built when first asked for. */
  adoptKey(pubkey: Hexpubkey, payload: string): void {
    if (this.raw.has(pubkey)) return;
    this.vault.set(pubkey, payload);
    this.dormant.add(pubkey);
    this.viewStale = true;
  }

  /** Whether the session's key is kept as NIP-49, so it can be locked and unlocked again. */
  lockable(pubkey: Hexpubkey): boolean {
    return this.atRest.lockable(pubkey);
  }

  /** Forgets the session's key; the sealed copy stays. */
  lock(pubkey: Hexpubkey): void {
    if (!this.lockable(pubkey)) throw new SignerError("Only a key kept as NIP-49 can be locked (and unlocked again)", "not-lockable");
    this.set(pubkey, undefined);
    this.forget(pubkey);
  }

  /** Logout: the signer stops (a remote signer's socket closes) and every trace of it goes. */
  release(pubkey: Hexpubkey): void {
    this.set(pubkey, undefined);
    this.forget(pubkey);
    this.atRest.set(pubkey, undefined);
  }

  /** The session NDK signs with: its signer goes first whenever one is rebuilt. */
  prefer(pubkey: Hexpubkey | null): void {
    this.turns.prefer(pubkey);
  }

  /** Runs a signer rebuild now for the preferred session, in turn for the others (see Turns). */
  inTurn<T>(pubkey: Hexpubkey, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.turns.run(pubkey, work, signal);
  }

  /** Stops every signer and forgets everything (destroy). */
  clear(): void {
    this.turns.clear();
    for (const pubkey of [...this.raw.keys()]) this.set(pubkey, undefined);
    this.vault.clear();
    this.dormant.clear();
    this.viewStale = true;
    this.atRest.clear();
    this.listeners.clear();
  }

  /** A signer rebuilt from storage takes its place (see `rebuildSigner`). */
  adopt(pubkey: Hexpubkey, signer: NDKSigner): void {
    this.set(pubkey, signer);
    this.forget(pubkey);
  }

  /**
   * What storage gave back: payloads (NIP-07, or unsafe plain ones) and sealed secrets. Nothing is
   * opened here: the AES-GCM secrets are opened together when the rebuilds of the sessions not
   * preferred begin (see openSealedAhead), and each rebuild takes its payload, in its session's turn.
   */
  admitStored(payloads: Record<Hexpubkey, string>, secrets: Record<Hexpubkey, SealedSecret>): void {
    for (const [pubkey, payload] of Object.entries(payloads)) if (!this.raw.has(pubkey)) this.vault.set(pubkey, payload);
    this.atRest.admit(secrets, (pubkey) => this.raw.has(pubkey));
  }

  /** The payload to rebuild a session's signer from: one from storage, or an AES-GCM secret opened now. */
  async storedPayload(pubkey: Hexpubkey): Promise<string | undefined> {
    const stored = this.vault.get(pubkey);
    if (stored) return stored;
    const payload = await this.atRest.open(pubkey);
    if (payload && !this.raw.has(pubkey)) this.vault.set(pubkey, payload);
    return payload;
  }

  /** The live signer's payload, or the stored one not yet rebuilt (for what storage may keep). */
  payload(pubkey: Hexpubkey): string | undefined {
    const live = this.raw.get(pubkey);
    if (!live) return this.vault.get(pubkey);
    try {
      return live.toPayload();
    } catch {
      return undefined;
    }
  }

  /** Every secret as kept at rest. */
  sealedSecrets(): ReadonlyMap<Hexpubkey, SealedSecret> {
    return this.atRest.all();
  }

  /** Resolves when every seal started so far is done (a save waits for it). */
  settled(): Promise<void> {
    return this.atRest.settled();
  }

  /** The stored payload and any dormant key of a session are gone (its signer was replaced, locked or released). */
  private forget(pubkey: Hexpubkey): void {
    this.vault.delete(pubkey);
    if (this.dormant.delete(pubkey)) this.viewStale = true;
  }

  /**
   * Builds a dormant key's signer. A key that derives another pubkey (storage damaged or tampered
   * with) signs nothing: the session hears `signer-mismatch` (after this call returns), and the
   * stored payload stays where it was, as corrupt storage is kept.
   */
  private wake(pubkey: Hexpubkey): NDKSigner | undefined {
    if (!this.dormant.has(pubkey)) return undefined;
    this.dormant.delete(pubkey);
    const key = localKeyOf(this.vault.get(pubkey));
    let signer: NDKPrivateKeySigner | undefined;
    try {
      signer = key ? new NDKPrivateKeySigner(key, this.options.ndk) : undefined;
    } catch {
      signer = undefined;
    }
    if (!signer || signer.pubkey !== pubkey) {
      this.viewStale = true;
      queueMicrotask(() => this.emit(pubkey, { type: "fault", code: "signer-mismatch", message: "The stored key belongs to another pubkey", at: Date.now() }));
      return undefined;
    }
    const fresh = this.viewStale;
    this.set(pubkey, signer);
    this.vault.delete(pubkey);
    // The map handed out already listed this signer: it stays valid (now built), so the state does not change for it.
    if (!fresh && this.view instanceof SignerMap) {
      this.view.built(pubkey, signer);
      this.viewStale = false;
    }
    return signer;
  }

  private set(pubkey: Hexpubkey, signer: NDKSigner | undefined): void {
    const previous = this.raw.get(pubkey);
    if (previous === signer) return;
    if (previous) {
      removeGate(previous);
      releaseSigner(previous);
    }
    if (signer) {
      this.raw.set(pubkey, signer);
      installGate(signer, pubkey, this.options.signerMs, this.hooks);
    } else this.raw.delete(pubkey);
    this.viewStale = true;
  }

  /** A forged signature ends the signer (it signs no more); an unanswered call (a bunker gone) is retried later. */
  private fault(pubkey: Hexpubkey, error: unknown): void {
    const { code, message } = error as { code?: string; message?: string };
    if (code !== "signer-mismatch" && code !== "signer-timeout") return;
    if (code === "signer-mismatch" && this.raw.get(pubkey) instanceof NDKNip07Signer) {
      // The page's extension signed as another of its accounts: kept, since the user may switch back
      // (the session looks again, and waits in extensionAway until then).
      this.emit(pubkey, { type: "fault", code: "extension-other-account", message: "The extension is on another account", at: Date.now() });
      return;
    }
    if (code === "signer-mismatch") this.set(pubkey, undefined);
    this.emit(pubkey, { type: "fault", code, message: message ?? "", at: Date.now() });
  }

  private emit(pubkey: Hexpubkey, news: SignerNews): void {
    this.options.onNews?.(pubkey, news);
    for (const listener of this.listeners) listener(pubkey, news);
  }
}

