import { describe, expect, it } from "vitest";
import { isProxy, isReadonly } from "vue";
import { eventually } from "../../support/env";
import { useActivePubkey, useActiveSession, type Hexpubkey } from "../../../src/bindings/vue";
import AccountList from "./AccountList.vue";
import { probe } from "./components";
import { followCount, settle, useVueHarness } from "./harness";

const { newManager, mountWith, account, follow } = useVueHarness();

describe("sessions in components", () => {
  it("login shows the session, a switch changes what renders, logout removes it", async () => {
    const { manager, ready } = newManager();
    const alice = await account("alice");
    const bob = await account("bob");
    const activeName = probe("active-name", () => useActiveSession(), (s) => s?.profile?.name ?? "none");
    const list = mountWith(AccountList, manager);
    const card = mountWith(activeName.component, manager);
    const item = (pubkey: Hexpubkey) => list.find(`li[data-pubkey="${pubkey}"]`);
    expect(list.get('[data-test="active"]').text()).toBe("none");
    expect(list.findAll("li")).toHaveLength(0);

    await manager.login(alice.nsec1); // a string, as a login form passes it
    await ready(alice.pubkey);
    await eventually(() => item(alice.pubkey).exists() && item(alice.pubkey).text() === "alice:ready", 3000, "alice listed");
    expect(list.get('[data-test="active"]').text()).toBe(alice.pubkey);
    await eventually(() => card.text() === "alice", 3000, "alice active");
    // The view is the manager's own object, not a reactive proxy of it.
    expect(activeName.stats.last).toBe(manager.getSession(alice.pubkey));
    expect(isProxy(activeName.stats.last)).toBe(false);
    expect(isReadonly(activeName.stats.handle)).toBe(true);

    await manager.login(bob);
    await ready(bob.pubkey);
    await eventually(() => item(bob.pubkey).exists() && item(bob.pubkey).text() === "bob:ready", 3000, "bob listed");
    await eventually(() => card.text() === "bob", 3000, "bob active");
    expect(list.get('[data-test="active"]').text()).toBe(bob.pubkey);
    expect(item(bob.pubkey).classes()).toContain("active");

    await manager.switchTo(alice.pubkey);
    await eventually(() => card.text() === "alice", 3000, "switched to alice");
    expect(list.get('[data-test="active"]').text()).toBe(alice.pubkey);
    expect(item(alice.pubkey).classes()).toContain("active");
    expect(item(bob.pubkey).classes()).not.toContain("active");

    manager.logout(bob.pubkey);
    await eventually(() => !item(bob.pubkey).exists(), 3000, "bob removed");
    expect(list.findAll("li")).toHaveLength(1);
    expect(card.text()).toBe("alice");
  });

  it("a component showing the active pubkey re-renders once per real change, never for list updates", async () => {
    const { manager, ready } = newManager();
    const alice = await account("alice");
    const bob = await account("bob");
    const active = probe("active", () => useActivePubkey(), (pk) => pk ?? "none");
    const wrapper = mountWith(active.component, manager);
    expect(wrapper.text()).toBe("none");
    expect(active.stats.renders).toBe(1);

    await manager.login(alice);
    await ready(alice.pubkey);
    await settle();
    expect(wrapper.text()).toBe(alice.pubkey);
    expect(active.stats.renders).toBe(2); // the session went through several states; the pubkey changed once

    await manager.login(bob);
    await ready(bob.pubkey);
    await settle();
    expect(wrapper.text()).toBe(bob.pubkey);
    expect(active.stats.renders).toBe(3);

    await follow(alice, 2);
    await follow(bob, 3);
    await eventually(() => followCount(manager, alice.pubkey) === 2 && followCount(manager, bob.pubkey) === 3, 3000, "new follow lists");
    await settle();
    expect(active.stats.renders).toBe(3);

    await manager.switchTo(alice.pubkey);
    await settle();
    expect(wrapper.text()).toBe(alice.pubkey);
    expect(active.stats.renders).toBe(4);
    await manager.switchTo(alice.pubkey); // no change
    await settle();
    expect(active.stats.renders).toBe(4);

    await manager.switchTo(null);
    await settle();
    expect(wrapper.text()).toBe("none");
    expect(active.stats.renders).toBe(5);
  });
});
