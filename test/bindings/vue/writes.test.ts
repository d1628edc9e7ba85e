/**
 * List writes through the Vue binding (issue 13): a component follows, unfollows and mutes with
 * `useListWrites`, its `writing` ref goes true then false, the follow count it shows changes, and
 * the loopback relay holds the new lists (read back by another client).
 */
import { describe, expect, it } from "vitest";
import { flushPromises } from "@vue/test-utils";
import { isReadonly } from "vue";
import { eventually } from "../../support/env";
import { readBack } from "../../support/writes";
import { useListWrites } from "../../../src/bindings/vue";
import FollowButton from "./FollowButton.vue";
import { probe } from "./components";
import { useVueHarness } from "./harness";

const { fixture, newManager, mountWith, account } = useVueHarness();
const pTags = (event: { tags: string[][] } | null) => (event?.tags ?? []).filter((t) => t[0] === "p").map((t) => t[1]);

describe("useListWrites", () => {
  it("follow and unfollow from a button: writing goes true then false, the count changes, the relay holds the new kind 3", async () => {
    const { manager, ready, signer } = newManager();
    const reader = await fixture.ndkOn(fixture.relay.url);
    const alice = await account("alice", 1);
    const target = (await account("target", 0)).pubkey;
    await manager.login(alice);
    await Promise.all([ready(alice.pubkey), signer(alice.pubkey)]);
    const old = pTags(await readBack(reader, alice.pubkey, 3));

    const seen: Array<[boolean, number]> = [];
    const wrapper = mountWith(FollowButton, manager, { target, seen: (w: boolean, p: number) => seen.push([w, p]) });
    const shown = (test: string) => wrapper.get(`[data-test="${test}"]`).text();
    expect(shown("count")).toBe("1");
    expect(shown("writing")).toBe("false");
    expect(shown("last")).toBe("-");

    await wrapper.get('[data-test="toggle"]').trigger("click");
    await eventually(() => shown("outcome") === `true:${fixture.relay.url}/`, 8000, "follow settled");
    await flushPromises();
    expect(shown("count")).toBe("2");
    expect(shown("writing")).toBe("false");
    expect(shown("last")).toBe("3:true");
    expect(shown("toggle")).toBe("Unfollow");
    // The refs took `writing` true (with one write pending) and came back to false and 0.
    expect(seen[0]).toEqual([false, 0]);
    expect(seen).toContainEqual([true, 1]);
    expect(seen.at(-1)).toEqual([false, 0]);
    expect(pTags(await readBack(reader, alice.pubkey, 3))).toEqual([...old, target]);

    seen.length = 0;
    await wrapper.get('[data-test="toggle"]').trigger("click");
    await eventually(() => shown("toggle") === "Follow" && shown("writing") === "false" && seen.length > 1, 8000, "unfollow settled");
    expect(shown("count")).toBe("1");
    expect(seen.map(([w]) => w)).toContain(true);
    expect(pTags(await readBack(reader, alice.pubkey, 3))).toEqual(old);
  });

  it("a pubkey prop writes that session's list, not the active one's; the refs are read-only", async () => {
    const { manager, ready, signer } = newManager();
    const reader = await fixture.ndkOn(fixture.relay.url);
    const alice = await account("alice", 1);
    const bob = await account("bob", 1);
    await manager.login(alice);
    await manager.login(bob, { setActive: false });
    await Promise.all([ready(alice.pubkey), ready(bob.pubkey), signer(bob.pubkey)]);

    const wrapper = mountWith(FollowButton, manager, { target: alice.pubkey, pubkey: bob.pubkey });
    const shown = (test: string) => wrapper.get(`[data-test="${test}"]`).text();
    expect(shown("words")).toBe("0");
    await wrapper.get('[data-test="mute"]').trigger("click");
    await eventually(() => shown("outcome") === `true:${fixture.relay.url}/`, 8000, "mute settled");
    await flushPromises();
    expect(shown("words")).toBe("1");
    expect((await readBack(reader, bob.pubkey, 10000))?.tags).toEqual([["word", "spoiler"]]);
    expect(await readBack(reader, alice.pubkey, 10000)).toBeNull();
    expect(manager.activePubkey).toBe(alice.pubkey);

    // The state refs cannot be written by a component.
    const handle = probe("writing", () => useListWrites().writing, String);
    mountWith(handle.component, manager);
    expect(isReadonly(handle.stats.handle)).toBe(true);
    expect(handle.stats.last).toBe(false);
  });
});
