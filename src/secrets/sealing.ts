/**
 * How signer secrets are kept at rest: never in plain text (unless the app says so with
 * `unsafePersistPrivateKeys`). Private keys as NIP-49 ncryptsec under the user's passphrase, or any
 * signer payload (NIP-46 client key and secret included) under a WebCrypto AES-GCM key.
 */
import { NDKPrivateKeySigner, type NDKSigner } from "@nostr-dev-kit/ndk";
import { browserSealingKey, openWithKey, sealWithKey, type AesSealed } from "./aesGcm";

export interface Nip49Sealed {
  scheme: "nip49";
  ncryptsec: string;
}

export type SealedSecret = Nip49Sealed | AesSealed;

export interface SecretsPolicy {
  /**
   * AES-GCM key for every signer payload: a non-extractable CryptoKey from the app (Node), or
   * "auto" for one created and kept in IndexedDB (browsers).
   */
  key?: CryptoKey | "auto";
  /** NIP-49 passphrase for private keys, or a function asked when one is needed (login, unlock). */
  passphrase?: string | ((pubkey: string) => string | Promise<string>);
  /** NIP-49 scrypt cost: 2^logn rounds (default 16; each +1 doubles the unlock time). */
  logn?: number;
}

export class SecretsKeeper {
  private key: Promise<CryptoKey> | undefined;
  /** Secrets being opened ahead of their `open` call, which takes the result (see openAhead). */
  private readonly ahead = new WeakMap<AesSealed, Promise<string | undefined>>();

  constructor(private readonly policy: SecretsPolicy = {}) {}

  /** Whether this policy can keep a secret of this signer at all. */
  canSeal(signer: NDKSigner): boolean {
    return !!this.policy.key || (!!this.policy.passphrase && signer instanceof NDKPrivateKeySigner);
  }

  /** The sealed form of the signer's secret, or undefined when the policy keeps none. */
  async seal(pubkey: string, signer: NDKSigner, passphrase?: string): Promise<SealedSecret | undefined> {
    const pass = passphrase ?? (signer instanceof NDKPrivateKeySigner ? await this.passphraseFor(pubkey) : undefined);
    if (pass && signer instanceof NDKPrivateKeySigner) return { scheme: "nip49", ncryptsec: signer.encryptToNcryptsec(pass, this.policy.logn ?? 16) };
    const key = await this.aesKey();
    return key ? sealWithKey(key, signer.toPayload()) : undefined;
  }

  /** The payload of an AES-sealed secret (NIP-49 ones open only through unlock()). */
  open(sealed: AesSealed): Promise<string | undefined> {
    const ahead = this.ahead.get(sealed);
    if (!ahead) return this.openNow(sealed);
    this.ahead.delete(sealed); // taken once: the payload is not kept here
    return ahead;
  }

  /**
   * Starts opening these secrets together. Each WebCrypto call hands its work to the thread pool; a
   * restore's fifty calls made at once cost the thread ~2 ms, made one session at a time ~10 ms.
   */
  openAhead(secrets: Iterable<AesSealed>): void {
    for (const sealed of secrets) if (!this.ahead.has(sealed)) this.ahead.set(sealed, this.openNow(sealed));
  }

  private async openNow(sealed: AesSealed): Promise<string | undefined> {
    const key = await this.aesKey();
    if (!key) return undefined;
    try {
      return await openWithKey(key, sealed);
    } catch {
      return undefined; // another key (a cleared browser profile), or damaged data: the session asks for a login
    }
  }

  /** The policy's passphrase, or its answer for this pubkey. */
  async passphraseFor(pubkey: string): Promise<string | undefined> {
    const { passphrase } = this.policy;
    return typeof passphrase === "function" ? passphrase(pubkey) : passphrase;
  }

  private aesKey(): Promise<CryptoKey | undefined> {
    const { key } = this.policy;
    if (!key) return Promise.resolve(undefined);
    this.key ??= key === "auto" ? browserSealingKey() : Promise.resolve(key);
    return this.key;
  }
}
