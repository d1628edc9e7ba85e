/**
 * What the React binding tests share: accounts with real kind 0 / kind 3 events on the loopback
 * relay, a real manager destroyed after each test, mounting that unmounts first, and a pass-through
 * `SessionSource` that counts the subscriptions the hooks hold.
 */
import type { ReactNode } from "react";
import { act, render, waitFor } from "@testing-library/react";
import { expect } from "vitest";
import { generateSecretKey, nip19 } from "nostr-tools";
import { NDKPrivateKeySigner, publish } from "../../support/env";
import { managerFor } from "../../support/engine";
import type { useRelay } from "../../support/fixture";
import type { NDKSessionManager } from "../../../src";
import { SessionsProvider, type SessionSource } from "../../../src/bindings/react";

type Fixture = ReturnType<typeof useRelay>;

/** A second in the past, so every later list of a test is strictly newer (NIP-01 replaceable rule). */
export const t0 = () => Math.floor(Date.now() / 1000) - 1000;

export const randomPubkeys = (n: number) => Array.from({ length: n }, () => NDKPrivateKeySigner.generate().pubkey);

export interface Account {
  pubkey: string;
  nsec: string;
  signer: NDKPrivateKeySigner;
}

/** A fresh key with a profile name and a follow list already on the relay. */
export async function account(fixture: Fixture, name: string, follows: string[], createdAt: number): Promise<Account> {
  const secret = generateSecretKey();
  const signer = new NDKPrivateKeySigner(secret);
  await publish(fixture.ndk, signer, { kind: 0, content: JSON.stringify({ name }), created_at: createdAt });
  await setFollows(fixture, { signer }, follows, createdAt);
  return { pubkey: signer.pubkey, nsec: nip19.nsecEncode(secret), signer };
}

/** Publishes a kind 3 for the account, as another client of the same user would. */
export async function setFollows(fixture: Fixture, who: { signer: NDKPrivateKeySigner }, follows: string[], createdAt: number) {
  await publish(fixture.ndk, who.signer, { kind: 3, tags: follows.map((p) => ["p", p]), created_at: createdAt });
}

/** A real manager on the fixture's NDK, destroyed after the test (after anything mounted on it). */
export function newManager(fixture: Fixture) {
  const made = managerFor(fixture.ndk);
  fixture.defer(() => made.manager.destroy());
  return made;
}

/** Logs in by nsec (inside act: mounted components update) and waits until the session is ready. */
export async function loginReady(manager: NDKSessionManager, who: Account, setActive = true): Promise<void> {
  await act(async () => {
    await manager.login(who.nsec, { setActive });
  });
  await waitFor(() => expect(manager.getSession(who.pubkey)?.status).toBe("ready"), { timeout: 5000 });
}

/** Renders `ui` under a provider of `source`; unmounted after the test, before managers are destroyed. */
export function mount(fixture: Fixture, source: SessionSource, ui: ReactNode) {
  const wrap = (node: ReactNode) => <SessionsProvider manager={source}>{node}</SessionsProvider>;
  const result = render(wrap(ui));
  fixture.defer(() => result.unmount());
  /** `rerender` keeps the provider: RTL's own replaces the whole tree. */
  return { ...result, rerender: (next: ReactNode) => result.rerender(wrap(next)) };
}

/** Passes every call through to the manager, counting the subscriptions opened and still held. */
export function counted(manager: NDKSessionManager) {
  const stats = { opened: 0, held: 0 };
  const source: SessionSource = {
    select(selector, isEqual) {
      const selection = manager.select(selector, isEqual);
      return {
        get: () => selection.get(),
        subscribe(listener) {
          stats.opened++;
          stats.held++;
          const off = selection.subscribe(listener);
          let closed = false;
          return () => {
            if (closed) return;
            closed = true;
            stats.held--;
            off();
          };
        },
      };
    },
  };
  return { source, stats };
}
