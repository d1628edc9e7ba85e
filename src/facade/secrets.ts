import { NDKPrivateKeySigner, type Hexpubkey, type NDKSigner } from "@nostr-dev-kit/ndk";
import { SignerError } from "../errors";
import type { EngineRuntime } from "../effects/runtime";
import type { SealedSecret, SecretsKeeper } from "../secrets/sealing";

/**
 * The manager's side of secrets: seals each login's key by the app's policy (in the background:
 * NIP-49 costs a scrypt), and unlocks or locks NIP-49 sessions. The sessions hear of it as events.
 */
export class SessionSecrets {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly runtime: () => EngineRuntime,
    private readonly keeper: SecretsKeeper,
    private readonly afterSeal: () => void,
  ) {}

  /**
   * A login's signer joins the runtime (none: read-only), with its key kept as given (an ncryptsec:
   * no second scrypt) or sealed by the policy.
   */
  enroll(pubkey: Hexpubkey, signer: NDKSigner | undefined, sealed: SealedSecret | undefined, passphrase?: string): void {
    const runtime = this.runtime();
    if (signer) runtime.signers.set(pubkey, signer);
    else runtime.signers.delete(pubkey);
    runtime.sealed.delete(pubkey);
    if (sealed) runtime.sealed.set(pubkey, sealed);
    else this.sealOnLogin(pubkey, signer, passphrase);
  }

  /** Seals the signer's secret for storage; `passphrase` overrides the policy's for this login. */
  private sealOnLogin(pubkey: Hexpubkey, signer: NDKSigner | undefined, passphrase?: string): void {
    if (!signer) return;
    if (!passphrase && !this.keeper.canSeal(signer)) return;
    const sealing = this.keeper
      .seal(pubkey, signer, passphrase)
      .then((sealed) => {
        if (sealed && this.runtime().signers.get(pubkey) === signer) this.runtime().sealed.set(pubkey, sealed);
        this.afterSeal();
      })
      .catch(() => {}) // a policy that cannot seal stores nothing: the session asks for a login after a restart
      .finally(() => this.pending.delete(sealing));
    this.pending.add(sealing);
  }

  /** Resolves when every seal started so far is done (persist() waits for it). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /**
   * Decrypts a NIP-49 session's key and hands the signer to the runtime. Throws a SignerError:
   * `not-locked` (no NIP-49 secret for this pubkey), `no-passphrase`, or `wrong-passphrase`.
   */
  async unlock(pubkey: Hexpubkey, passphrase?: string): Promise<void> {
    const sealed = this.runtime().sealed.get(pubkey);
    if (sealed?.scheme !== "nip49") throw new SignerError("This session has no locked key", "not-locked");
    const pass = passphrase ?? (await this.keeper.passphraseFor(pubkey));
    if (!pass) throw new SignerError("A passphrase is needed to unlock this key", "no-passphrase");
    let signer: NDKPrivateKeySigner;
    try {
      signer = NDKPrivateKeySigner.fromNcryptsec(sealed.ncryptsec, pass, this.runtime().ndk);
    } catch {
      throw new SignerError("Wrong passphrase", "wrong-passphrase");
    }
    if (signer.pubkey !== pubkey) throw new SignerError("The stored key belongs to another pubkey", "signer-mismatch");
    this.runtime().signers.set(pubkey, signer);
  }

  /** Forgets the session's key (the sealed copy stays in storage); only a NIP-49 key can be unlocked again. */
  lock(pubkey: Hexpubkey): void {
    if (this.runtime().sealed.get(pubkey)?.scheme !== "nip49")
      throw new SignerError("Only a key kept as NIP-49 can be locked (and unlocked again)", "not-lockable");
    this.runtime().signers.delete(pubkey);
    this.runtime().vault.delete(pubkey);
  }
}
