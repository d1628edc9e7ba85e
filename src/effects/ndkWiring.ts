import type NDK from "@nostr-dev-kit/ndk";
import type { NDKSigner } from "@nostr-dev-kit/ndk";
import { Kind, type Hexpubkey, type ListEntry, type ListSlots } from "../../machines";
import { buildMuteFilter, buildRelayConnectionFilter, type MuteFilter, type RelayConnectionFilter } from "../lists/filters";
import type { BlockedRelaysData, MutesData } from "../lists/kinds";
import type { NdkWiringOptions } from "./configuration";
import type { Keyring } from "./keyring";
import type { Users } from "./users";

/**
 * NDK's `signer` setter also sets `activeUser` once `signer.user()` settles — after a faster switch
 * that puts the previous user back. The setter's own state is `_signer` and a `signer:ready` event;
 * we set both and then `activeUser` ourselves, synchronously.
 */
function assignSigner(ndk: NDK, signer: NDKSigner | undefined): void {
  if (ndk.signer === signer) return;
  if (Object.prototype.hasOwnProperty.call(ndk, "_signer")) {
    (ndk as unknown as { _signer: NDKSigner | undefined })._signer = signer;
    if (signer) ndk.emit("signer:ready", signer);
  } else {
    ndk.signer = signer;
  }
}

interface FilterLists {
  mutes?: ListEntry<MutesData>;
  blocked?: ListEntry<BlockedRelaysData>;
}

const muteFilters = new WeakMap<ListEntry, MuteFilter>();
const relayFilters = new WeakMap<ListEntry, RelayConnectionFilter>();

function memo<F>(cache: WeakMap<ListEntry, F>, entry: ListEntry, build: () => F): F {
  let filter = cache.get(entry);
  if (!filter) cache.set(entry, (filter = build()));
  return filter;
}

/**
 * Keeps NDK pointed at the active session: its signer (from the keyring), `activeUser`, and the mute
 * and relay-connection filters built from the lists each session shares as they change. The
 * manager says who is active (`activate`); sessions say what their filter lists are (`share`).
 * Never stale, never async.
 */
export class NdkWiring {
  private active: Hexpubkey | null = null;
  private readonly filters = new Map<Hexpubkey, FilterLists>();

  constructor(
    private readonly ndk: NDK,
    private readonly keyring: Keyring,
    private readonly users: Users,
    private readonly options: NdkWiringOptions,
  ) {}

  /** Signer, activeUser and filters of the session now active, or all cleared. */
  activate(pubkey: Hexpubkey | null): void {
    this.active = pubkey;
    this.keyring.prefer(pubkey);
    assignSigner(this.ndk, pubkey ? this.keyring.signer(pubkey) : undefined);
    const user = pubkey ? this.users.of(pubkey) : undefined;
    if (this.ndk.activeUser !== user) this.ndk.activeUser = user;
    this.applyFilters();
  }

  /** A session's lists after a change: the filters follow at once when it is the active one. */
  share(pubkey: Hexpubkey, lists: ListSlots): void {
    const mutes = lists[String(Kind.MuteList)] as ListEntry<MutesData> | undefined;
    const blocked = lists[String(Kind.BlockedRelays)] as ListEntry<BlockedRelaysData> | undefined;
    const known = this.filters.get(pubkey);
    if (known && known.mutes === mutes && known.blocked === blocked) return;
    this.filters.set(pubkey, { mutes, blocked });
    if (pubkey === this.active) this.applyFilters();
  }

  forget(pubkey: Hexpubkey): void {
    this.filters.delete(pubkey);
  }

  private applyFilters(): void {
    const { mutes, blocked } = (this.active && this.filters.get(this.active)) || {};
    if (this.options.setMuteFilter) this.ndk.muteFilter = mutes ? memo(muteFilters, mutes, () => buildMuteFilter(mutes.data)) : undefined;
    if (this.options.setRelayConnectionFilter)
      this.ndk.relayConnectionFilter = blocked ? memo(relayFilters, blocked, () => buildRelayConnectionFilter(blocked.data)) : undefined;
  }
}
