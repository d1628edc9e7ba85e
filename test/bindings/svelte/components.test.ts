import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { eventually, NDKPrivateKeySigner, publish } from "../../support/env";
import { useRelay } from "../../support/fixture";
import { managerFor } from "../../support/engine";
import App from "./components/App.svelte";
import { renderLog } from "./components/renders";

const fixture = useRelay();
const now = () => Math.floor(Date.now() / 1000);
const text = (testId: string) => screen.getByTestId(testId).textContent;
const shown = (testId: string, expected: string, what = `${testId} = ${expected.slice(0, 12)}`) =>
  eventually(() => text(testId) === expected, 3000, what);
const accounts = () => [...screen.getByTestId("accounts").querySelectorAll("li")].map((li) => li.textContent);

/** Lets every pending notification and effect run: a change that was going to render has rendered. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 50));
  flushSync();
}

function setup() {
  const engine = managerFor(fixture.ndk);
  fixture.defer(() => engine.manager.destroy());
  const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
  return { ...engine, alice, bob, log: renderLog() };
}

describe("Svelte components on a live manager", () => {
  it("login shows the session, a switch changes the active view, log out removes it", async () => {
    const { manager, ready, alice, bob, log } = setup();
    await publish(fixture.ndk, alice, { kind: 0, content: JSON.stringify({ name: "alice" }) });
    await publish(fixture.ndk, bob, { kind: 0, content: JSON.stringify({ name: "bob" }) });
    render(App, { props: { manager, renders: log.record } });
    expect(accounts()).toEqual([]);
    expect(text("active")).toBe("none");

    await manager.login(alice);
    await shown("active", alice.pubkey);
    expect(accounts()).toEqual([alice.pubkey]);
    await shown("active-name", "alice");

    await manager.login(bob);
    await shown("active", bob.pubkey);
    await shown("active-name", "bob");
    expect(accounts()).toEqual([alice.pubkey, bob.pubkey]);

    await manager.switchTo(alice.pubkey);
    await shown("active", alice.pubkey);
    expect(text("active-name")).toBe("alice");

    // The button acts through getSessionManager(): it logs the active account (alice) out.
    await fireEvent.click(screen.getByRole("button", { name: "Log out" }));
    await eventually(() => !accounts().includes(alice.pubkey), 3000, "alice gone from the list");
    expect(accounts()).toEqual([bob.pubkey]);
    await ready(bob.pubkey);
    manager.logout(bob.pubkey);
    await eventually(() => accounts().length === 0, 3000, "no accounts");
    await shown("active", "none");
  });

  it("the active pubkey re-renders once per real change, not while sessions load or lists change", async () => {
    const { manager, ready, alice, bob, log } = setup();
    render(App, { props: { manager, renders: log.record, watch: [alice.pubkey] } });

    await manager.login(alice);
    await ready(alice.pubkey); // restoring → fetching → ready: the active pubkey does not move
    await manager.login(bob, { setActive: false });
    await ready(bob.pubkey);
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", bob.pubkey]], created_at: now() });
    await shown(`follows-${alice.pubkey}`, "1");
    await manager.switchTo(bob.pubkey);
    await shown("active", bob.pubkey);
    await manager.switchTo(bob.pubkey); // already active: nothing changes
    await settle();

    expect(log.of("active")).toEqual([undefined, alice.pubkey, bob.pubkey]);
  });

  it("one session's follow count ignores another session's new follow list and follows its own", async () => {
    const { manager, ready, alice, bob, log } = setup();
    const t = now() - 100;
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", bob.pubkey]], created_at: t });
    await manager.login(alice);
    await manager.login(bob, { setActive: false });
    await ready(alice.pubkey);
    await ready(bob.pubkey);
    render(App, { props: { manager, renders: log.record, watch: [alice.pubkey, bob.pubkey] } });
    expect(text(`follows-${alice.pubkey}`)).toBe("1");
    expect(text(`follows-${bob.pubkey}`)).toBe("-");
    const [aliceFollows, bobFollows] = [`follows:${alice.pubkey}`, `follows:${bob.pubkey}`];
    expect(log.of(aliceFollows)).toEqual([1]);

    // Bob's list changes: bob's count re-renders, alice's does not.
    const two = [NDKPrivateKeySigner.generate().pubkey, NDKPrivateKeySigner.generate().pubkey];
    await publish(fixture.ndk, bob, { kind: 3, tags: two.map((p) => ["p", p]), created_at: t + 1 });
    await shown(`follows-${bob.pubkey}`, "2", "bob's new follow list rendered");
    await settle();
    expect(log.of(bobFollows)).toEqual([undefined, 2]);
    expect(log.of(aliceFollows)).toEqual([1]);
    expect(text(`follows-${alice.pubkey}`)).toBe("1");
    expect(log.of("active")).toEqual([alice.pubkey]);

    // Alice's own list changes: her count re-renders, once.
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", bob.pubkey], ...two.map((p) => ["p", p])], created_at: t + 2 });
    await shown(`follows-${alice.pubkey}`, "3", "alice's new follow list rendered");
    await settle();
    expect(log.of(aliceFollows)).toEqual([1, 3]);
    expect(log.of(bobFollows)).toEqual([undefined, 2]);
  });
});
