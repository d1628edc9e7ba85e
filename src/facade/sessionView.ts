import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, type NDKUserProfile } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { Kind, type ListEntry, type SessionContext } from "../../machines";
import type { BlockedRelaysData, MutesData, ProfileData, RelayListData } from "../lists/kinds";
import { PackedPubkeys, PubkeySet } from "../lists/packedPubkeys";
import type { EventWrapper } from "./options";
import type { NDKSession, SessionStatus, SignerState } from "./types";

const LIST_KINDS = new Set<number>([Kind.Profile, Kind.Contacts, Kind.MuteList, Kind.BlockedRelays, Kind.RelayList]);

type RegionValue = string | Record<string, string>;
const leafOf = (value: RegionValue | undefined) => (typeof value === "string" ? value : Object.values(value ?? {})[0]);

export interface RegionStates {
  status: SessionStatus;
  signerState: SignerState;
  /** A list write is under way (the writes region). */
  writing: boolean;
}

/** The facade's status (the lists region), signer state (the signer region) and writing (the writes region) of a session actor's state. */
export function statesOf(value: unknown, actorStatus: string): RegionStates {
  if (actorStatus !== "active") return { status: "stopped", signerState: "stopped", writing: false };
  const { signer, lists, writes } = value as { signer: RegionValue; lists: RegionValue; writes?: RegionValue };
  const listsLeaf = leafOf(lists);
  const status: SessionStatus = lists === "idle" ? "idle" : listsLeaf === "retrying" ? "error" : listsLeaf === "ready" ? "ready" : "fetching";
  return { status, signerState: leafOf(signer) as SignerState, writing: writes !== undefined && writes !== "idle" };
}

const SIGNING: ReadonlySet<SignerState> = new Set(["ready", "awaitingApproval", "verifying"]);
const SIGNER_TROUBLE: ReadonlySet<SignerState> = new Set(["retrying", "needsLogin", "extensionAway"]);

/**
 * Derived collections are built once per list's data (entries and their data are immutable) and
 * shared by every view of it, so a state notification rebuilds nothing that did not change; an
 * entry remade around the same data (a write confirmed by a relay) keeps its collections too.
 */
const derived = new WeakMap<object, unknown>();
function once<T>(entry: ListEntry, build: () => T): T {
  const key: object = typeof entry.data === "object" && entry.data !== null ? entry.data : entry;
  if (!derived.has(key)) derived.set(key, build());
  return derived.get(key) as T;
}

const NO_FOLLOWS = new PackedPubkeys(new Uint8Array(0));
// Entries reach here unpacked (restore, tabs and relays all unpack); a plain stored form is unpacked too, never trusted.
const follows = (e: ListEntry<PackedPubkeys>) => once(e, () => new PubkeySet(PackedPubkeys.fromStored(e.data) ?? NO_FOLLOWS));
const mutes = (e: ListEntry<MutesData>) =>
  once(e, () => ({
    muteSet: new Map<string, string>([...e.data.pubkeys.map((pk) => [pk, "p"] as const), ...e.data.eventIds.map((id) => [id, "e"] as const)]),
    words: new Set(e.data.words),
    hashtags: new Set(e.data.hashtags),
  }));
const blocked = (e: ListEntry<BlockedRelaysData>) => once(e, () => new Set(e.data.urls));
const relays = (e: ListEntry<RelayListData>) =>
  once(e, () => new Map(e.data.relays.map((r) => [r.url, { read: r.read, write: r.write }])));

export interface ViewDeps {
  ndk: NDK;
  wrappers: ReadonlyMap<number, EventWrapper>;
  subscriptionsFor(pubkey: string): NDKSession["subscriptions"];
  lastActiveOf(pubkey: string): number;
}

const eventsCache = new WeakMap<object, Map<string | number, NDKEvent | null>>();

function eventsOf(lists: SessionContext["lists"], deps: ViewDeps): Map<string | number, NDKEvent | null> {
  let events = eventsCache.get(lists);
  if (events) return events;
  events = new Map();
  for (const entry of Object.values(lists)) {
    if (LIST_KINDS.has(entry.kind)) continue;
    const event = once(entry, () => {
      const raw = new NDKEvent(deps.ndk, entry.data as NostrEvent);
      const wrap = deps.wrappers.get(entry.kind);
      return wrap ? wrap(raw) : raw;
    });
    events.set(entry.key.includes(":") ? entry.key : entry.kind, event);
  }
  eventsCache.set(lists, events);
  return events;
}

export function sessionView(context: SessionContext, states: RegionStates, deps: ViewDeps): NDKSession {
  const { status, signerState } = states;
  const signerFailure = SIGNER_TROUBLE.has(signerState) ? (context.signerFailure ?? undefined) : undefined;
  const { lists } = context;
  const entry = <T>(kind: number) => lists[String(kind)] as ListEntry<T> | undefined;
  const contacts = entry<PackedPubkeys>(Kind.Contacts);
  const muteList = entry<MutesData>(Kind.MuteList);
  const blockedList = entry<BlockedRelaysData>(Kind.BlockedRelays);
  const relayList = entry<RelayListData>(Kind.RelayList);
  const profile = entry<ProfileData>(Kind.Profile);
  return {
    pubkey: context.pubkey,
    followSet: contacts ? follows(contacts) : undefined,
    // Getters: these collections copy their entry's data, so they are built when first read (then
    // shared by every view of the entry); an app that never reads them never holds them twice.
    get muteSet() {
      return muteList && mutes(muteList).muteSet;
    },
    get mutedWords() {
      return muteList && mutes(muteList).words;
    },
    get mutedHashtags() {
      return muteList && mutes(muteList).hashtags;
    },
    get blockedRelays() {
      return blockedList && blocked(blockedList);
    },
    get relayList() {
      return relayList && relays(relayList);
    },
    profile: profile?.data as NDKUserProfile | undefined,
    events: eventsOf(lists, deps),
    // Getters: the shared live subscription is re-issued as sessions come and go.
    get subscriptions() {
      return deps.subscriptionsFor(context.pubkey);
    },
    get subscription() {
      return deps.subscriptionsFor(context.pubkey)[0];
    },
    // The manager keeps lastActive, so a switch does not touch the session actor.
    get lastActive() {
      return deps.lastActiveOf(context.pubkey);
    },
    preferences: context.preferences,
    status,
    signerState,
    canSign: SIGNING.has(signerState),
    failure: (status === "error" ? context.listsFailure : null) ?? signerFailure,
    signerFailure,
    writing: states.writing,
    pendingWrites: context.writeQueue.length,
    lastWrite: context.lastWrite ?? undefined,
  };
}
