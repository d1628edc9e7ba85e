import type { NDKSigner } from "@nostr-dev-kit/ndk";
import type { Hexpubkey } from "../../machines";
import type { AesSealed } from "../secrets/aesGcm";
import type { SealedSecret, SecretsKeeper } from "../secrets/sealing";

/**
 * Each session's secret as kept at rest (NIP-49 or AES-GCM), never plain text: sealed in the
 * background at login, given back by storage at restore, opened when a signer is rebuilt. The
 * keyring's half that touches no signer object.
 */
export class SecretsAtRest {
  private readonly sealed = new Map<Hexpubkey, SealedSecret>();
  private readonly sealing = new Set<Promise<unknown>>();
  /** Secrets storage gave back are still to be opened together (see openTogether). */
  private restored = false;

  constructor(private readonly keeper: SecretsKeeper) {}

  get(pubkey: Hexpubkey): SealedSecret | undefined {
    return this.sealed.get(pubkey);
  }

  /** The session's secret from now on: as given (an ncryptsec), or none. */
  set(pubkey: Hexpubkey, sealed: SealedSecret | undefined): void {
    if (sealed) this.sealed.set(pubkey, sealed);
    else this.sealed.delete(pubkey);
  }

  /** Every secret as kept at rest (what a save writes). */
  all(): ReadonlyMap<Hexpubkey, SealedSecret> {
    return this.sealed;
  }

  /** Whether the session's key is kept as NIP-49, so it can be locked and unlocked again. */
  lockable(pubkey: Hexpubkey): boolean {
    return this.sealed.get(pubkey)?.scheme === "nip49";
  }

  /** What storage gave back, except for sessions `live` says already have a signer (a login came first). */
  admit(secrets: Record<Hexpubkey, SealedSecret>, live: (pubkey: Hexpubkey) => boolean): void {
    for (const [pubkey, secret] of Object.entries(secrets)) if (!live(pubkey)) this.sealed.set(pubkey, secret);
    this.restored = true;
  }

  /**
   * Starts opening, together and once after a restore, every AES-GCM secret of a session that
   * `needed` says still waits for its payload. One batch of WebCrypto calls costs the thread ~2 ms
   * for fifty sessions; made one rebuild at a time, ~10 ms.
   */
  openTogether(needed: (pubkey: Hexpubkey) => boolean): void {
    if (!this.restored) return;
    this.restored = false;
    const batch: AesSealed[] = [];
    for (const [pubkey, secret] of this.sealed) if (secret.scheme === "aes-gcm" && needed(pubkey)) batch.push(secret);
    this.keeper.openAhead(batch);
  }

  /** The payload of the session's AES-GCM secret; undefined when it has none, or it does not open here. */
  async open(pubkey: Hexpubkey): Promise<string | undefined> {
    const secret = this.sealed.get(pubkey);
    return secret?.scheme === "aes-gcm" ? this.keeper.open(secret) : undefined;
  }

  /**
   * Seals the signer's secret in the background (NIP-49 costs a scrypt); `passphrase` overrides the
   * policy's. Kept only if `current()` still holds when it is done (the session kept that signer).
   */
  seal(pubkey: Hexpubkey, signer: NDKSigner, passphrase: string | undefined, current: () => boolean): void {
    if (!passphrase && !this.keeper.canSeal(signer)) return;
    const sealing = this.keeper
      .seal(pubkey, signer, passphrase)
      .then((sealed) => {
        if (sealed && current()) this.sealed.set(pubkey, sealed);
      })
      .catch(() => {}) // a policy that cannot seal stores nothing: the session asks for a login after a restart
      .finally(() => this.sealing.delete(sealing));
    this.sealing.add(sealing);
  }

  /** Resolves when every seal started so far is done (a save waits for it). */
  async settled(): Promise<void> {
    await Promise.all([...this.sealing]);
  }

  clear(): void {
    this.sealed.clear();
    this.restored = false;
  }
}
