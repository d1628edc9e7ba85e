/**
 * How the hooks hold their subscriptions: a missing provider fails loudly, inline selectors keep
 * one subscription, a selector that changes is honoured, and unmounting lets go of everything.
 */
import { StrictMode, useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useRelay } from "../../support/fixture";
import { SessionError } from "../../../src";
import {
  useActivePubkey,
  useActiveSession,
  useSession,
  useSessionManager,
  useSessions,
  useSessionSelector,
} from "../../../src/bindings/react";
import { account, counted, loginReady, mount, newManager, randomPubkeys, setFollows, t0 } from "./helpers";

const fixture = useRelay();

const text = (testId: string) => screen.getByTestId(testId).textContent;

describe("the provider", () => {
  it("every hook outside a SessionsProvider throws a SessionError with code no-session-manager", () => {
    const hooks = {
      useSessionManager: () => useSessionManager(),
      useSessions: () => useSessions(),
      useActivePubkey: () => useActivePubkey(),
      useActiveSession: () => useActiveSession(),
      useSession: () => useSession(undefined),
      useSessionSelector: () => useSessionSelector((state) => state.activePubkey),
    };
    for (const [name, hook] of Object.entries(hooks)) {
      function Orphan() {
        hook();
        return null;
      }
      let thrown: unknown;
      try {
        render(<Orphan />).unmount();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, name).toBeInstanceOf(SessionError);
      expect((thrown as SessionError).code, name).toBe("no-session-manager");
      expect((thrown as SessionError).message, name).toContain("SessionsProvider");
    }
  });

  it("useSessionManager hands components the manager itself, for login and switch calls", () => {
    const { manager } = newManager(fixture);
    let seen: unknown;
    function Grab() {
      seen = useSessionManager();
      return null;
    }
    mount(fixture, manager, <Grab />);
    expect(seen).toBe(manager);
  });
});

describe("subscriptions", () => {
  it("an inline selector keeps one subscription while its parent re-renders, and renders once per change", async () => {
    const { manager } = newManager(fixture);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    await loginReady(manager, alice);
    const { source, stats } = counted(manager);

    const renders: Array<number | undefined> = [];
    function Follows({ round }: { round: number }) {
      const size = useSessionSelector((state) => state.sessions.get(alice.pubkey)?.followSet?.size);
      renders.push(size);
      return <p data-testid="follows">{`${round}:${size}`}</p>;
    }
    function Parent() {
      const [round, setRound] = useState(0);
      return (
        <>
          <button onClick={() => setRound((n) => n + 1)}>again</button>
          <Follows round={round} />
        </>
      );
    }
    mount(fixture, source, <Parent />);
    for (let i = 0; i < 5; i++) fireEvent.click(screen.getByRole("button"));
    expect(text("follows")).toBe("5:1");
    expect(renders).toEqual([1, 1, 1, 1, 1, 1]); // the parent's renders, nothing of its own
    expect(stats).toEqual({ opened: 1, held: 1 });

    await setFollows(fixture, alice, randomPubkeys(4), start + 1);
    await waitFor(() => expect(text("follows")).toBe("5:4"), { timeout: 5000 });
    expect(renders).toEqual([1, 1, 1, 1, 1, 1, 4]);
    expect(stats).toEqual({ opened: 1, held: 1 });
  });

  it("with an isEqual, a selector that builds a new array renders only when the contents change", async () => {
    const { manager } = newManager(fixture);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item, i) => item === b[i]);
    const errors = vi.spyOn(console, "error");
    fixture.defer(() => errors.mockRestore());

    const renders: string[][] = [];
    function Pubkeys() {
      const pubkeys = useSessionSelector((state) => [...state.sessions.keys()].sort(), sameList);
      renders.push(pubkeys);
      return <p data-testid="pubkeys">{pubkeys.join(",")}</p>;
    }
    let freshRenders = 0;
    function Fresh() {
      // No isEqual: a new object per state change, yet no loop and no "getSnapshot should be cached".
      const view = useSessionSelector((state) => ({ count: state.sessions.size }));
      freshRenders++;
      return <p data-testid="fresh">{view.count}</p>;
    }
    mount(fixture, manager, (
      <>
        <Pubkeys />
        <Fresh />
      </>
    ));
    await loginReady(manager, alice);
    await setFollows(fixture, alice, randomPubkeys(2), start + 1);
    await waitFor(() => expect(manager.getSession(alice.pubkey)?.followSet?.size).toBe(2), { timeout: 5000 });
    expect(text("pubkeys")).toBe(alice.pubkey);
    expect(renders).toEqual([[], [alice.pubkey]]); // not once per status change or list update
    expect(text("fresh")).toBe("1");
    expect(freshRenders).toBeLessThan(50);
    expect(errors).not.toHaveBeenCalled();
  });

  it("under StrictMode's double mount one subscription is left, and updates still arrive", async () => {
    const { manager } = newManager(fixture);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    await loginReady(manager, alice);
    const { source, stats } = counted(manager);
    function Follows() {
      return <p data-testid="follows">{useSession(alice.pubkey)?.followSet?.size}</p>;
    }
    mount(fixture, source, (
      <StrictMode>
        <Follows />
      </StrictMode>
    ));
    expect(text("follows")).toBe("1");
    expect(stats.held).toBe(1);
    await setFollows(fixture, alice, randomPubkeys(2), start + 1);
    await waitFor(() => expect(text("follows")).toBe("2"), { timeout: 5000 });
  });

  it("a selector that now reads another account is used on that render, and hears that account's next change", async () => {
    const { manager } = newManager(fixture);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    const bob = await account(fixture, "bob", randomPubkeys(2), start);
    await loginReady(manager, alice);
    await loginReady(manager, bob);
    const { source, stats } = counted(manager);

    const renders: Array<number | undefined> = [];
    function Follows({ pubkey }: { pubkey: string }) {
      const size = useSessionSelector((state) => state.sessions.get(pubkey)?.followSet?.size);
      renders.push(size);
      return <p data-testid="follows">{size}</p>;
    }
    const view = mount(fixture, source, <Follows pubkey={alice.pubkey} />);
    expect(text("follows")).toBe("1");
    view.rerender(<Follows pubkey={bob.pubkey} />);
    expect(text("follows")).toBe("2");

    // Bob drops to one follow: the same value Alice's slice had when the subscription began.
    await setFollows(fixture, bob, randomPubkeys(1), start + 1);
    await waitFor(() => expect(text("follows")).toBe("1"), { timeout: 5000 });
    expect(renders).toEqual([1, 2, 1]);
    expect(stats.opened).toBe(1);
  });

  it("unmounting releases the subscription: its selector is no longer run and nothing is held", async () => {
    const { manager } = newManager(fixture);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    await loginReady(manager, alice);
    const { source, stats } = counted(manager);

    let selectorRuns = 0;
    const renders: Array<number | undefined> = [];
    function Follows() {
      const size = useSessionSelector((state) => {
        selectorRuns++;
        return state.sessions.get(alice.pubkey)?.followSet?.size;
      });
      renders.push(size);
      return <p data-testid="follows">{size}</p>;
    }
    const view = mount(fixture, source, <Follows />);
    await setFollows(fixture, alice, randomPubkeys(2), start + 1);
    await waitFor(() => expect(text("follows")).toBe("2"), { timeout: 5000 });
    expect(stats.held).toBe(1);

    act(() => view.unmount());
    expect(stats.held).toBe(0);
    const runsAtUnmount = selectorRuns;
    const rendersAtUnmount = renders.length;

    await setFollows(fixture, alice, randomPubkeys(3), start + 2);
    await waitFor(() => expect(manager.getSession(alice.pubkey)?.followSet?.size).toBe(3), { timeout: 5000 });
    await act(() => manager.switchTo(null));
    await waitFor(() => expect(manager.activePubkey).toBeUndefined());
    expect(selectorRuns).toBe(runsAtUnmount);
    expect(renders).toHaveLength(rendersAtUnmount);
  });
});
