import type NDK from "@nostr-dev-kit/ndk";
import type { NDKSigner } from "@nostr-dev-kit/ndk";
import type { ActorSystem, AnyActorRef } from "xstate";
import { Kind, sessionId, type Hexpubkey, type ListEntry, type SessionContext } from "../../machines";
import { buildMuteFilter, buildRelayConnectionFilter, type MuteFilter, type RelayConnectionFilter } from "../lists/filters";
import type { BlockedRelaysData, MutesData } from "../lists/kinds";
import type { EngineRuntime } from "./runtime";

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

const muteFilters = new WeakMap<ListEntry, MuteFilter>();
const relayFilters = new WeakMap<ListEntry, RelayConnectionFilter>();

function memo<F>(cache: WeakMap<ListEntry, F>, entry: ListEntry, build: () => F): F {
  let filter = cache.get(entry);
  if (!filter) cache.set(entry, (filter = build()));
  return filter;
}

function listsOf(system: ActorSystem<any>, pubkey: Hexpubkey) {
  const session = system.get(sessionId(pubkey)) as AnyActorRef | undefined;
  return (session?.getSnapshot()?.context as SessionContext | undefined)?.lists ?? {};
}

export function wireFilters(runtime: EngineRuntime, system: ActorSystem<any>, pubkey: Hexpubkey | null): void {
  const { ndk, wiring } = runtime;
  const lists = pubkey ? listsOf(system, pubkey) : {};
  const mutes = lists[String(Kind.MuteList)] as ListEntry<MutesData> | undefined;
  const blocked = lists[String(Kind.BlockedRelays)] as ListEntry<BlockedRelaysData> | undefined;
  if (wiring.setMuteFilter) ndk.muteFilter = mutes ? memo(muteFilters, mutes, () => buildMuteFilter(mutes.data)) : undefined;
  if (wiring.setRelayConnectionFilter)
    ndk.relayConnectionFilter = blocked ? memo(relayFilters, blocked, () => buildRelayConnectionFilter(blocked.data)) : undefined;
}

/** Signer, activeUser and filters of the active session, or all cleared. Never stale, never async. */
export function wireNdk(runtime: EngineRuntime, system: ActorSystem<any>, pubkey: Hexpubkey | null): void {
  const { ndk } = runtime;
  assignSigner(ndk, pubkey ? runtime.sessionSigner(pubkey) : undefined);
  const user = pubkey ? runtime.userOf(pubkey) : undefined;
  if (ndk.activeUser !== user) ndk.activeUser = user;
  wireFilters(runtime, system, pubkey);
}
