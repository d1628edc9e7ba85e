import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/svelte";
import { get } from "svelte/store";
import { eventually, NDKPrivateKeySigner, publish } from "../../support/env";
import { useRelay } from "../../support/fixture";
import { managerFor } from "../../support/engine";
import { SessionError } from "../../../src/errors";
import { useActivePubkey, useSessions, type Selection, type SessionSelector, type SessionSource } from "../../../src/bindings/svelte";
import Conditional from "./components/Conditional.svelte";
import LegacyStores from "./components/LegacyStores.svelte";
import NoManager from "./components/NoManager.svelte";
import SessionCard from "./components/SessionCard.svelte";
import Stores from "./components/Stores.svelte";
import { renderLog } from "./components/renders";

const fixture = useRelay();
const text = (testId: string) => screen.queryByTestId(testId)?.textContent;
const shown = (testId: string, expected: string) =>
  eventually(() => text(testId) === expected, 3000, `${testId} = ${expected.slice(0, 12)}`);

function setup() {
  const engine = managerFor(fixture.ndk);
  fixture.defer(() => engine.manager.destroy());
  return { ...engine, alice: NDKPrivateKeySigner.generate(), bob: NDKPrivateKeySigner.generate() };
}

/** The real manager behind a source that counts the selection listeners it holds right now. */
function counted(manager: SessionSource) {
  let live = 0;
  const source: SessionSource = {
    select<T>(selector: SessionSelector<T>, isEqual?: (a: T, b: T) => boolean): Selection<T> {
      const selection = manager.select(selector, isEqual);
      return {
        get: () => selection.get(),
        subscribe(listener) {
          live++;
          const stop = selection.subscribe(listener);
          let stopped = false;
          return () => {
            if (stopped) return;
            stopped = true;
            live--;
            stop();
          };
        },
      };
    },
  };
  return { source, live: () => live };
}

describe("the Svelte binding's contract", () => {
  it("$store and .current both work in runes mode, and $store in a legacy component", async () => {
    const { manager, alice, bob } = setup();
    const log = renderLog();
    render(Stores, { props: { manager, renders: log.record } });
    render(LegacyStores, { props: { manager, renders: log.record } });
    expect([text("store-active"), text("current-active"), text("legacy-active"), text("store-count")]).toEqual(["none", "none", "none", "0"]);

    await manager.login(alice);
    await shown("store-active", alice.pubkey);
    await manager.login(bob);
    await shown("store-active", bob.pubkey);
    await shown("current-active", bob.pubkey);
    await shown("legacy-active", bob.pubkey);
    await shown("store-count", "2");
    expect(log.of("store")).toEqual([undefined, alice.pubkey, bob.pubkey]);
    expect(log.of("legacy")).toEqual([undefined, alice.pubkey, bob.pubkey]);
  });

  it("as a plain store: the current value at once, then each change once, until unsubscribed", async () => {
    const { manager, ready, alice, bob } = setup();
    const { source, live } = counted(manager);
    const active = useActivePubkey(source); // an explicit manager needs no component
    expect(active.current).toBeUndefined(); // read outside an effect: no listener
    expect(live()).toBe(0);
    const seen: Array<string | undefined> = [];
    const stop = active.subscribe((pubkey) => seen.push(pubkey));
    expect(seen).toEqual([undefined]);
    expect(live()).toBe(1);

    await manager.login(alice);
    await manager.login(bob, { setActive: false });
    await ready(alice.pubkey);
    await ready(bob.pubkey);
    await manager.switchTo(bob.pubkey);
    await eventually(() => seen.length === 3, 3000, "the switch");
    expect(seen).toEqual([undefined, alice.pubkey, bob.pubkey]);
    expect(get(active)).toBe(bob.pubkey);
    expect(get(useSessions(source)).size).toBe(2);

    stop();
    expect(live()).toBe(0);
    await manager.switchTo(alice.pubkey);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(3);
  });

  it.each(["getSessionManager", "useActivePubkey"])("%s() with no manager set above throws a SessionError", (call) => {
    let error: unknown;
    try {
      render(NoManager, { props: { call } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).code).toBe("no-session-manager");
    expect((error as SessionError).message).toContain("setSessionManager(manager)");
  });

  it(".current listens only while an effect reads it; hiding or unmounting the reader stops it", async () => {
    const { manager, ready, alice, bob } = setup();
    const { source, live } = counted(manager);
    await manager.login(alice);
    await manager.login(bob, { setActive: false });
    await ready(bob.pubkey);
    const view = render(Conditional, { props: { manager: source, show: false } });
    expect(live()).toBe(0); // created, never read in an effect

    await view.rerender({ show: true });
    expect(text("shown")).toBe(alice.pubkey);
    expect(live()).toBe(1);
    await manager.switchTo(bob.pubkey);
    await shown("shown", bob.pubkey);

    await view.rerender({ show: false });
    await eventually(() => live() === 0, 1000, "listener released when hidden");
    await view.rerender({ show: true });
    expect(text("shown")).toBe(bob.pubkey); // read afresh on the way back
    expect(live()).toBe(1);

    view.unmount();
    await eventually(() => live() === 0, 1000, "listener released on unmount");
    await manager.switchTo(alice.pubkey);
    await new Promise((r) => setTimeout(r, 50));
    expect(live()).toBe(0);
    expect(text("shown")).toBeUndefined();
  });

  it("useSession(() => pubkey) follows a changing prop, through .current and $store", async () => {
    const { manager, ready, alice, bob } = setup();
    const { source, live } = counted(manager);
    await publish(fixture.ndk, alice, { kind: 0, content: JSON.stringify({ name: "alice" }) });
    await publish(fixture.ndk, bob, { kind: 0, content: JSON.stringify({ name: "bob" }) });
    await manager.login(alice);
    await manager.login(bob);
    await ready(alice.pubkey);
    await ready(bob.pubkey);
    const view = render(SessionCard, { props: { manager: source, pubkey: alice.pubkey } });
    await shown("card-current", "alice");
    await shown("card-store", "alice");
    expect(live()).toBe(1); // `.current` and `$session` share one listener

    await view.rerender({ pubkey: bob.pubkey });
    await shown("card-current", "bob");
    await shown("card-store", "bob");
    // The selection for alice is let go: one listener, for bob.
    await eventually(() => live() === 1, 1000, "one live listener after re-targeting");
    view.unmount();
    await eventually(() => live() === 0, 1000, "no listener after unmount");
  });
});
