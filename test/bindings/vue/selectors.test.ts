import { describe, expect, it } from "vitest";
import { nextTick, ref } from "vue";
import { eventually } from "../../support/env";
import { useSession, useSessionSelector, type Hexpubkey } from "../../../src/bindings/vue";
import { probe, propProbe, toggled } from "./components";
import { followCount, settle, useVueHarness } from "./harness";

const { newManager, mountWith, account, follow } = useVueHarness();

describe("selecting slices", () => {
  it("a component selecting one session's follow count ignores another session's follow list and follows its own", async () => {
    const { manager, ready } = newManager();
    const a = await account("a", 1);
    const b = await account("b", 1);
    const countOf = (pubkey: Hexpubkey, name: string) =>
      probe(name, () => useSessionSelector((s) => s.sessions.get(pubkey)?.followSet?.size), (n) => String(n ?? "-"));
    const countA = countOf(a.pubkey, "count-a");
    const countB = countOf(b.pubkey, "count-b");
    const viewA = mountWith(countA.component, manager);
    const viewB = mountWith(countB.component, manager);

    await manager.login(a);
    await manager.login(b);
    await ready(a.pubkey);
    await ready(b.pubkey);
    await eventually(() => viewA.text() === "1" && viewB.text() === "1", 3000, "both counts shown");
    await settle();
    const rendersA = countA.stats.renders;
    const rendersB = countB.stats.renders;
    const sessionA = manager.getSession(a.pubkey);

    await follow(b, 4);
    await eventually(() => viewB.text() === "4", 3000, "b's new count shown");
    await settle();
    expect(countB.stats.renders).toBe(rendersB + 1);
    expect(countA.stats.renders).toBe(rendersA); // b's list changed, a's component did not run
    expect(viewA.text()).toBe("1");
    expect(manager.getSession(a.pubkey)).toBe(sessionA);

    await follow(a, 2);
    await eventually(() => viewA.text() === "2", 3000, "a's new count shown");
    await settle();
    expect(countA.stats.renders).toBe(rendersA + 1);
    expect(countB.stats.renders).toBe(rendersB + 1);
  });

  it("useSession re-selects when its ref or prop pubkey changes, and drops the old selection", async () => {
    const { manager, ready } = newManager();
    const alice = await account("alice", 1);
    const bob = await account("bob", 1);
    await manager.login(alice);
    await manager.login(bob);
    await ready(alice.pubkey);
    await ready(bob.pubkey);

    const pubkey = ref<Hexpubkey>();
    const byRef = probe("by-ref", () => useSession(pubkey), (s) => (s ? `${s.profile?.name}:${s.followSet?.size}` : "none"));
    const wrapper = mountWith(byRef.component, manager);
    expect(wrapper.text()).toBe("none");

    pubkey.value = alice.pubkey;
    expect(byRef.stats.handle!.value).toBe(manager.getSession(alice.pubkey)); // selected at once, before any render
    await nextTick();
    expect(wrapper.text()).toBe("alice:1");

    pubkey.value = bob.pubkey;
    await nextTick();
    expect(wrapper.text()).toBe("bob:1");
    await settle();
    const renders = byRef.stats.renders;

    await follow(alice, 5); // the old pubkey's session changes: nothing to do with this component now
    await eventually(() => followCount(manager, alice.pubkey) === 5, 3000, "alice's new list");
    await settle();
    expect(byRef.stats.renders).toBe(renders);

    await follow(bob, 2);
    await eventually(() => wrapper.text() === "bob:2", 3000, "bob's new list shown");

    const byProp = propProbe("by-prop", (pk) => useSession(pk), (s) => s?.profile?.name ?? "none");
    const card = mountWith(byProp.component, manager, { pubkey: alice.pubkey });
    expect(card.text()).toBe("alice");
    await card.setProps({ pubkey: bob.pubkey });
    expect(card.text()).toBe("bob");
    await card.setProps({ pubkey: undefined });
    expect(card.text()).toBe("none");
  });

  it("an unmounted component is unsubscribed: its selector is never called again", async () => {
    const { manager, ready } = newManager();
    const alice = await account("alice", 1);
    const bob = await account("bob", 1);
    let goneCalls = 0;
    let keptCalls = 0;
    const gone = probe("gone", () => useSessionSelector((s) => (goneCalls++, s.sessions.size)), String);
    const kept = probe("kept", () => useSessionSelector((s) => (keptCalls++, s.sessions.size)), String);
    const parent = toggled(gone.component, kept.component);
    const wrapper = mountWith(parent.component, manager);

    await manager.login(alice);
    await ready(alice.pubkey);
    await eventually(() => wrapper.get('[data-test="gone"]').text() === "1", 3000, "alice counted");
    expect(goneCalls).toBeGreaterThan(1);

    parent.shown.value = false;
    await nextTick();
    expect(wrapper.find('[data-test="gone"]').exists()).toBe(false);
    const callsAtUnmount = goneCalls;
    const keptAtUnmount = keptCalls;

    await manager.login(bob);
    await ready(bob.pubkey);
    await follow(alice, 3);
    await eventually(() => followCount(manager, alice.pubkey) === 3, 3000, "alice's new list");
    await eventually(() => wrapper.get('[data-test="kept"]').text() === "2", 3000, "bob counted");
    await settle();
    expect(keptCalls).toBeGreaterThan(keptAtUnmount); // the state did change under a live selection
    expect(goneCalls).toBe(callsAtUnmount);
    expect(gone.stats.last).toBe(1);
  });
});

