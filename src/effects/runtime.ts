import type NDK from "@nostr-dev-kit/ndk";
import type { Configuration } from "./configuration";
import type { IntegrityCheck } from "./integrity";
import type { Keyring } from "./keyring";
import type { NdkWiring } from "./ndkWiring";
import type { RelayHub } from "./relayHub";
import type { Users } from "./users";
import type { WriteRegistry } from "./writeRegistry";

/**
 * What the effects share and the machines never see: NDK, the keyring of signer objects, the relay
 * hub, the app's configuration. Built once, in dependency order, before the manager actor exists.
 */
export interface EngineRuntime {
  readonly ndk: NDK;
  readonly config: Configuration;
  readonly keyring: Keyring;
  readonly users: Users;
  /** Every session's lists, fetched and live, through one subscription per relay. */
  readonly hub: RelayHub;
  /** Stored lists damaged at rest, found before their refresh. */
  readonly integrity: IntegrityCheck;
  readonly wiring: NdkWiring;
  /** The callers waiting for list writes, by request id. */
  readonly writes: WriteRegistry;
}
