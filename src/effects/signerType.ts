import { NDKNip07Signer, NDKNip46Signer, NDKPrivateKeySigner, type NDKSigner } from "@nostr-dev-kit/ndk";
import { READ_ONLY, type SignerDescriptor } from "../../machines";

const KNOWN_SIGNERS: Array<[abstract new (...args: never[]) => NDKSigner, string]> = [
  [NDKPrivateKeySigner, "private-key"],
  [NDKNip07Signer, "nip07"],
  [NDKNip46Signer, "nip46"],
];

/** The signer's payload type, found without serialising it where possible (a private key's payload is the key). */
export function describeSigner(signer: NDKSigner | undefined): SignerDescriptor {
  if (!signer) return { type: READ_ONLY };
  // The exact class: a subclass (an app signer registered with NDK) names its own type in its payload.
  for (const [signerClass, type] of KNOWN_SIGNERS) if (signer.constructor === signerClass) return { type };
  try {
    const payload = JSON.parse(signer.toPayload()) as { type?: unknown };
    if (typeof payload.type === "string") return { type: payload.type };
  } catch {
    // a signer without a usable payload is still a signer
  }
  return { type: signer.constructor?.name || "custom" };
}
