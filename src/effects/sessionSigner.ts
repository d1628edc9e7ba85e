import { NDKNip46Signer, type NDKEncryptionScheme, type NDKSigner, type NDKUser } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { createSignerGate, type SignerGate } from "./signerQueue";

export interface SessionSignerHooks {
  /** A signer call failed in a way the session must show (a mismatching signature, above all). */
  onFault(error: unknown): void;
  /** The remote signer asks its user to approve (NIP-46 auth_url); `null` once it answered. */
  onApproval(url: string | null): void;
}

/**
 * What NDK gets as `ndk.signer` for the active session: the session's own signer behind its gate.
 * Calls run one at a time, bounded (approval time excluded), and every signature is verified as
 * this session's before NDK sees it, so nothing is ever published under a wrong or forged signature.
 */
export class SessionSigner implements NDKSigner {
  // True private fields: a SessionSigner that reaches a log or a JSON dump carries no secret along.
  readonly #inner: NDKSigner;
  readonly #pubkey: string;
  readonly #timeoutMs: number;
  readonly #hooks: SessionSignerHooks;
  #gateInstance: SignerGate | undefined;
  #approvalShown = false;

  constructor(inner: NDKSigner, pubkey: string, timeoutMs: number, hooks: SessionSignerHooks) {
    this.#inner = inner;
    this.#pubkey = pubkey;
    this.#timeoutMs = timeoutMs;
    this.#hooks = hooks;
  }

  /** Built at the first call: most sessions are never asked to sign, and a gate is not free. */
  get #gate(): SignerGate {
    this.#gateInstance ??= createSignerGate(this.#inner, this.#pubkey, {
      timeoutMs: this.#timeoutMs,
      onAuthUrl: (url) => {
        this.#approvalShown = true;
        this.#hooks.onApproval(url);
      },
    });
    return this.#gateInstance;
  }

  /** The session's own signer, behind this gate. */
  get inner(): NDKSigner {
    return this.#inner;
  }

  get pubkey(): string {
    return this.#pubkey;
  }

  get userSync(): NDKUser {
    return this.#inner.userSync;
  }

  blockUntilReady(): Promise<NDKUser> {
    return this.#inner.blockUntilReady();
  }

  user(): Promise<NDKUser> {
    return this.#inner.user();
  }

  async sign(event: NostrEvent): Promise<string> {
    return (await this.guarded(this.#gate.sign(event))).sig;
  }

  encrypt(recipient: NDKUser, value: string, scheme?: NDKEncryptionScheme): Promise<string> {
    return this.guarded(this.#gate.encrypt(recipient, value, scheme));
  }

  decrypt(sender: NDKUser, value: string, scheme?: NDKEncryptionScheme): Promise<string> {
    return this.guarded(this.#gate.decrypt(sender, value, scheme));
  }

  encryptionEnabled(scheme?: NDKEncryptionScheme): Promise<NDKEncryptionScheme[]> {
    return this.#inner.encryptionEnabled?.(scheme) ?? Promise.resolve(["nip04", "nip44"]);
  }

  toPayload(): string {
    return this.#inner.toPayload();
  }

  private async guarded<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      this.#hooks.onFault(error);
      throw error;
    } finally {
      // Answered: the approval prompt is over, unless the next call already waits on another one.
      if (this.#approvalShown && !this.#gate.awaitingApproval()) {
        this.#approvalShown = false;
        this.#hooks.onApproval(null);
      }
    }
  }
}

/** Stops a remote signer's listener and closes its own relay connections (logout, destroy). */
export function releaseSigner(signer: NDKSigner | undefined): void {
  const inner = signer instanceof SessionSigner ? signer.inner : signer;
  if (!(inner instanceof NDKNip46Signer)) return;
  inner.stop();
  const pool = (inner as unknown as { rpc?: { pool?: { relays: Map<string, { disconnect(): void }> } } }).rpc?.pool;
  for (const relay of pool?.relays.values() ?? []) relay.disconnect();
}
