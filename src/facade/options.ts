import type { NDKEvent } from "@nostr-dev-kit/ndk";
import type { FetchPlan } from "../../machines";
import { DEFAULT_PLAN } from "../effects/configuration";
import type NDK from "@nostr-dev-kit/ndk";
import type { RuntimeOptions } from "../engine";
import type { MonitorItem, SessionManagerOptions, SessionStartOptions } from "./types";

export type EventWrapper = (event: NDKEvent) => NDKEvent;

/** An event class's `from`, as a wrapper; a class without one stores plain events (the peer's behaviour). */
function wrapperOf(constructor: { from?: unknown } | undefined): EventWrapper | undefined {
  const from = constructor?.from;
  return typeof from === "function" ? (event) => from.call(constructor, event) as NDKEvent : undefined;
}

/** Both option shapes of the peer (0.6.3 and 1.0), reduced to a machine plan plus the event wrappers. */
export function planFrom(options: SessionStartOptions | undefined): { plan: FetchPlan; wrappers: Map<number, EventWrapper> } {
  const wrappers = new Map<number, EventWrapper>();
  if (!options) return { plan: DEFAULT_PLAN, wrappers };
  const kinds = new Set<number>();
  if (Array.isArray(options.follows)) options.follows.forEach((kind) => kinds.add(kind));
  for (const kind of monitorKinds(options.monitor ?? [], wrappers)) kinds.add(kind);
  for (const kind of monitorKinds(options.eventConstructors ?? [], wrappers)) kinds.add(kind);
  for (const [kind, constructor] of options.events ?? []) {
    kinds.add(kind);
    const wrap = wrapperOf(constructor);
    if (wrap) wrappers.set(kind, wrap);
  }
  return {
    plan: {
      profile: options.profile ?? true,
      follows: Boolean(options.follows),
      mutes: options.mutes ?? false,
      blockedRelays: options.blockedRelays ?? false,
      relayList: options.relayList ?? false,
      wallet: options.wallet ?? false,
      kinds: [...kinds].sort((a, b) => a - b),
    },
    wrappers,
  };
}

/** The app's configuration of the effects, from the peer's option shape: none of it is stored. */
export function runtimeOptionsFrom(ndk: NDK, options: SessionManagerOptions, plan: FetchPlan): RuntimeOptions {
  return {
    ndk,
    plan,
    retry: options.retry,
    timeouts: options.timeouts,
    refresh: options.refresh,
    wiring: {
      setMuteFilter: options.fetches?.setMuteFilter ?? true,
      setRelayConnectionFilter: options.fetches?.setRelayConnectionFilter ?? true,
    },
    secrets: options.secrets,
    onSignerNews: (pubkey, news) => {
      if (news.type === "approval" && news.url) options.onAuthUrl?.(news.url, pubkey);
    },
  };
}

export function monitorKinds(items: readonly MonitorItem[], wrappers: Map<number, EventWrapper>): number[] {
  const kinds: number[] = [];
  for (const item of items) {
    if (typeof item === "number") {
      kinds.push(item);
      continue;
    }
    const wrap = wrapperOf(item);
    for (const kind of item.kinds ?? []) {
      kinds.push(kind);
      if (wrap) wrappers.set(kind, wrap);
    }
  }
  return kinds;
}
