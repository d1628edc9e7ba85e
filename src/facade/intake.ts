import type { NDKSigner, NDKUser } from "@nostr-dev-kit/ndk";
import { SignerError, withTimeout } from "../errors";
import { isHexPubkey } from "../lists/packedPubkeys";

export type Credential = { pubkey: string; signer?: NDKSigner };

const isSigner = (value: unknown): value is NDKSigner =>
  typeof value === "object" && value !== null && typeof (value as NDKSigner).user === "function" && typeof (value as NDKSigner).sign === "function";

const isUser = (value: unknown): value is NDKUser =>
  typeof value === "object" && value !== null && !isSigner(value) && "pubkey" in value;

/**
 * What `login()` accepts, checked before any actor sees it: a signer must name its user within the
 * bounded wait; a user must carry a hex pubkey. Anything else is a typed error, never a session.
 */
export async function admit(input: unknown, signerTimeoutMs: number): Promise<Credential> {
  if (isSigner(input)) {
    let pubkey: unknown;
    try {
      pubkey = (await withTimeout(input.user(), signerTimeoutMs, () => new SignerError("timeout", "signer-timeout"))).pubkey;
    } catch (error) {
      if (error instanceof SignerError && error.code === "signer-timeout")
        throw new SignerError(`The signer did not name its user within ${signerTimeoutMs} ms`, "signer-timeout");
      throw new SignerError("The signer failed to name its user", "signer-failed");
    }
    if (!isHexPubkey(pubkey)) throw new SignerError("The signer named an invalid pubkey", "signer-invalid-pubkey");
    return { pubkey, signer: input };
  }
  if (isUser(input)) {
    let pubkey: unknown;
    try {
      pubkey = input.pubkey;
    } catch {
      pubkey = undefined;
    }
    if (!isHexPubkey(pubkey)) throw new SignerError("The user has no valid hex pubkey", "invalid-pubkey");
    return { pubkey };
  }
  throw new SignerError("login() takes an NDKSigner or an NDKUser", "invalid-login");
}
