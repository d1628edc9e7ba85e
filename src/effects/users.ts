import type NDK from "@nostr-dev-kit/ndk";
import type { NDKUser } from "@nostr-dev-kit/ndk";
import type { Hexpubkey } from "../../machines";

/** One NDKUser per pubkey, so switching and decrypting allocate nothing. */
export class Users {
  private readonly users = new Map<Hexpubkey, NDKUser>();

  constructor(private readonly ndk: NDK) {}

  of(pubkey: Hexpubkey): NDKUser {
    let user = this.users.get(pubkey);
    if (!user) this.users.set(pubkey, (user = this.ndk.getUser({ pubkey })));
    return user;
  }

  forget(pubkey: Hexpubkey): void {
    this.users.delete(pubkey);
  }
}
