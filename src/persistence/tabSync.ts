import type { AnyActorRef } from "xstate";
import { confirmedLists, sessionId, type ListSlots, type SessionContext } from "../../machines";
import type { ManagerActor } from "../engine";
import { accountsOf } from "./body";
import { accountSchema, type AccountRecord } from "./envelope";
import type { SessionManagerOptions } from "../facade/types";
import { LocalStorage } from "../storage/localStorage";
import { LocalForageStorage } from "../storage/localForageStorage";
import { unpackLists } from "./unpack";

/** What one tab tells the others: accounts it added (with their lists), removed, and its active one. */
interface TabMessage {
  from: string;
  added: Array<{ account: AccountRecord; lists?: ListSlots }>;
  removed: string[];
  /** Present when the active account changed (and is shared). */
  active?: string | null;
}

export interface TabSyncHost {
  readonly actor: ManagerActor;
  admit(account: AccountRecord, lists?: ListSlots): void;
  logout(pubkey: string): void;
  activate(pubkey: string | null, at: number): void;
}

/** What tab sync does to a manager: events to its actor. */
export function hostOf(actor: ManagerActor): TabSyncHost {
  return {
    actor,
    admit: (account, lists) =>
      actor.send({
        type: "account.login",
        pubkey: account.pubkey,
        signer: account.signer,
        setActive: false,
        at: account.lastActive,
        lastActive: account.lastActive,
        preferences: account.preferences,
        lists,
      }),
    logout: (pubkey) => actor.send({ type: "account.logout", pubkey }),
    activate: (pubkey, at) => actor.send({ type: "account.switch", pubkey, at }),
  };
}

/**
 * The channel tabs share: on by default for the browser storages (named after the storage, so two
 * managers on one storage are one group), off otherwise; `syncTabs` turns it on or off.
 */
export function tabChannelOf(options: SessionManagerOptions): string | undefined {
  const { syncTabs, storage } = options;
  if (syncTabs === false) return undefined;
  const named = typeof syncTabs === "object" ? syncTabs.channel : undefined;
  if (named) return named;
  if (storage instanceof LocalStorage || storage instanceof LocalForageStorage) return storage.channelName;
  return syncTabs === true ? "default" : undefined;
}

/** Starts tab sync when the options ask for it (see tabChannelOf); returns what stops it. */
export function startTabSync(
  options: SessionManagerOptions,
  host: TabSyncHost,
  onChange: (publish: () => void) => () => void,
): (() => void) | undefined {
  const channel = tabChannelOf(options);
  if (!channel) return undefined;
  const shareActive = (typeof options.syncTabs === "object" ? options.syncTabs.shareActive : undefined) ?? true;
  const sync = new TabSync(channel, host, shareActive);
  const unsubscribe = onChange(() => sync.publish());
  return () => {
    unsubscribe();
    sync.close();
  };
}

interface Seen {
  pubkeys: Set<string>;
  active: string | null;
}

/** Carries messages between tabs: a BroadcastChannel, or localStorage `storage` events where there is none. */
interface Transport {
  post(message: TabMessage): void;
  close(): void;
}

function openTransport(name: string, receive: (message: TabMessage) => void): Transport | undefined {
  if (typeof globalThis.BroadcastChannel === "function") {
    const channel = new BroadcastChannel(`ndk-session-engine:${name}`);
    channel.onmessage = (event: MessageEvent<TabMessage>) => receive(event.data);
    return { post: (message) => channel.postMessage(message), close: () => channel.close() };
  }
  const storage = (globalThis as { localStorage?: Storage }).localStorage;
  if (!storage || typeof globalThis.addEventListener !== "function") return undefined;
  const key = `ndk-session-engine-tabs:${name}`; // outside any LocalStorage prefix, so keys() never lists it
  const listener = (event: StorageEvent) => {
    if (event.key !== key || !event.newValue) return;
    try {
      receive(JSON.parse(event.newValue) as TabMessage);
    } catch {
      // not ours, or damaged: nothing to apply
    }
  };
  globalThis.addEventListener("storage", listener as EventListener);
  return {
    // Other tabs get a `storage` event for every change of the value; the nonce makes each one a change.
    post: (message) => storage.setItem(key, JSON.stringify({ ...message, nonce: Math.random() })),
    close: () => globalThis.removeEventListener("storage", listener as EventListener),
  };
}

/**
 * Keeps the tabs of one origin in step: logins, logouts and (when shared) switches made in one tab
 * are sent over a BroadcastChannel and applied in the others, merged by pubkey. Changes are read
 * from the manager's state, so events sent straight to the actor travel too.
 */
export class TabSync {
  private readonly transport: Transport | undefined;
  private readonly id = Math.random().toString(36).slice(2);
  private seen: Seen;

  constructor(
    name: string,
    private readonly host: TabSyncHost,
    private readonly shareActive: boolean,
  ) {
    this.transport = openTransport(name, (message) => this.apply(message));
    this.seen = this.current();
  }

  /** Called on every state change of the manager: sends what changed since the last call. */
  publish(): void {
    const now = this.current();
    const added = [...now.pubkeys].filter((pk) => !this.seen.pubkeys.has(pk));
    const removed = [...this.seen.pubkeys].filter((pk) => !now.pubkeys.has(pk));
    const activeChanged = this.shareActive && now.active !== this.seen.active;
    this.seen = now;
    if (added.length === 0 && removed.length === 0 && !activeChanged) return;
    const accounts = new Map(accountsOf(this.host.actor).map((a) => [a.pubkey, a]));
    const message: TabMessage = {
      from: this.id,
      added: added.map((pubkey) => ({ account: accounts.get(pubkey)!, lists: this.listsOf(pubkey) })),
      removed,
      ...(activeChanged ? { active: now.active } : {}),
    };
    this.transport?.post(message);
  }

  close(): void {
    this.transport?.close();
  }

  private apply(message: TabMessage): void {
    if (!message || message.from === this.id) return;
    const known = this.host.actor.getSnapshot().context.pubkeys;
    for (const { account, lists } of message.added ?? []) {
      if (known.includes(account.pubkey) || !accountSchema.safeParse(account).success) continue;
      if (lists) unpackLists(lists);
      this.host.admit(account, lists);
    }
    for (const pubkey of message.removed ?? []) if (known.includes(pubkey)) this.host.logout(pubkey);
    if (this.shareActive && message.active !== undefined) this.host.activate(message.active, Math.floor(Date.now() / 1000));
    // What was just applied came from another tab: it is not news to send back.
    this.seen = this.current();
  }

  private current(): Seen {
    const { pubkeys, activePubkey } = this.host.actor.getSnapshot().context;
    return { pubkeys: new Set(pubkeys), active: activePubkey };
  }

  /** A session's lists in their stored form (plain JSON: a message is cloned, which keeps no class). */
  private listsOf(pubkey: string): ListSlots | undefined {
    const child = this.host.actor.getSnapshot().children[sessionId(pubkey)] as AnyActorRef | undefined;
    const lists = (child?.getSnapshot().context as SessionContext | undefined)?.lists;
    return lists && (JSON.parse(JSON.stringify(confirmedLists(lists))) as ListSlots);
  }
}
