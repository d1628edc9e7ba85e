/**
 * What the Vue tests share: a loopback relay with an NDK on it, managers destroyed after each test,
 * components mounted with the manager plugged in (and unmounted before the manager goes), and
 * accounts with real profiles and follow lists on the relay.
 */
import { flushPromises, mount } from "@vue/test-utils";
import type { Component } from "vue";
import { generateSecretKey, getPublicKey, nip19 } from "nostr-tools";
import { NDKPrivateKeySigner, publish } from "../../support/env";
import { useRelay } from "../../support/fixture";
import { managerFor } from "../../support/engine";
import type { NDKSessionManager } from "../../../src";
import { createSessionsPlugin, type Hexpubkey } from "../../../src/bindings/vue";

/** A key with its nsec, as a login form would have it. */
export type Account = NDKPrivateKeySigner & { nsec1: string };

/** Lets every pending notification, microtask and render run, so a count read afterwards is final. */
export async function settle(): Promise<void> {
  await flushPromises();
  await new Promise((resolve) => setTimeout(resolve, 60));
  await flushPromises();
}

export const followCount = (manager: NDKSessionManager, pubkey: Hexpubkey) => manager.getSession(pubkey)?.followSet?.size;

/** Call once per test file, at the top level (it registers the relay's hooks). */
export function useVueHarness() {
  const fixture = useRelay();
  // Each replaceable event is newer than the last, whatever the second it is published in.
  let clock = Math.floor(Date.now() / 1000) - 1000;

  /** Publishes a newer kind 3 for `signer`, following `count` random keys. */
  async function follow(signer: NDKPrivateKeySigner, count: number): Promise<void> {
    const tags = Array.from({ length: count }, () => ["p", getPublicKey(generateSecretKey())]);
    await publish(fixture.ndk, signer, { kind: 3, tags, created_at: ++clock });
  }

  return {
    fixture,
    follow,

    /** A manager on the relay, destroyed after the test (after the components mounted later). */
    newManager() {
      const built = managerFor(fixture.ndk);
      fixture.defer(() => built.manager.destroy());
      return built;
    },

    /** Mounts `component` as an app of its own with `manager` plugged in; unmounted after the test. */
    mountWith(component: Component, manager: NDKSessionManager, props?: Record<string, unknown>) {
      const wrapper = mount(component, { props, global: { plugins: [createSessionsPlugin(manager)] } });
      fixture.defer(() => wrapper.unmount());
      return wrapper;
    },

    /** A fresh key that has published a profile named `name` and a follow list of `follows` keys. */
    async account(name: string, follows = 1): Promise<Account> {
      const secret = generateSecretKey();
      const signer = Object.assign(new NDKPrivateKeySigner(secret), { nsec1: nip19.nsecEncode(secret) });
      await publish(fixture.ndk, signer, { kind: 0, content: JSON.stringify({ name }), created_at: ++clock });
      await follow(signer, follows);
      return signer;
    },
  };
}
