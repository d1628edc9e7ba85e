/**
 * The React binding against a real manager on a loopback relay: what components show as accounts
 * log in, switch and log out, and how often they render while the engine works underneath.
 */
import { describe, expect, it } from "vitest";
import { act, screen, waitFor } from "@testing-library/react";
import { useRelay } from "../../support/fixture";
import { useActivePubkey, useActiveSession, useSession, useSessions, useSessionSelector } from "../../../src/bindings/react";
import { account, loginReady, mount, newManager, randomPubkeys, setFollows, t0 } from "./helpers";

const fixture = useRelay();

const text = (testId: string) => screen.getByTestId(testId).textContent;
const listed = () => screen.queryAllByTestId("account").map((item) => item.textContent);

describe("accounts in components", () => {
  it("login shows the session, a switch re-renders the active view, logout removes it", async () => {
    const { manager } = newManager(fixture);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    const bob = await account(fixture, "bob", randomPubkeys(2), start);

    const activeRenders: Array<string | undefined> = [];
    function ActivePubkey() {
      const pubkey = useActivePubkey();
      activeRenders.push(pubkey);
      return <p data-testid="active">{pubkey ?? "none"}</p>;
    }
    function ActiveName() {
      return <p data-testid="name">{useActiveSession()?.profile?.name ?? "-"}</p>;
    }
    function Accounts() {
      const sessions = useSessions();
      return (
        <ul>
          {[...sessions.values()].map((session) => (
            <li key={session.pubkey} data-testid="account">{`${session.pubkey}:${session.status}`}</li>
          ))}
        </ul>
      );
    }
    mount(fixture, manager, (
      <>
        <ActivePubkey />
        <ActiveName />
        <Accounts />
      </>
    ));
    expect(text("active")).toBe("none");
    expect(listed()).toEqual([]);

    await loginReady(manager, alice);
    await waitFor(() => expect(text("name")).toBe("alice"), { timeout: 5000 });
    expect(text("active")).toBe(alice.pubkey);
    await waitFor(() => expect(listed()).toEqual([`${alice.pubkey}:ready`]));

    await loginReady(manager, bob);
    await waitFor(() => expect(text("name")).toBe("bob"), { timeout: 5000 });
    expect(text("active")).toBe(bob.pubkey);
    await waitFor(() => expect(listed()).toEqual([`${alice.pubkey}:ready`, `${bob.pubkey}:ready`]));

    await act(() => manager.switchTo(alice.pubkey));
    await waitFor(() => expect(text("name")).toBe("alice"));
    expect(text("active")).toBe(alice.pubkey);

    act(() => manager.logout(bob.pubkey));
    await waitFor(() => expect(listed()).toEqual([`${alice.pubkey}:ready`]));
    expect(text("active")).toBe(alice.pubkey);

    // Two logins (each a burst of transitions and list fetches), a switch and a logout: the
    // component rendered once at mount and once per change of the active pubkey, no more.
    expect(activeRenders).toEqual([undefined, alice.pubkey, bob.pubkey, alice.pubkey]);
  });

  it("a component selecting one account's follow count ignores another account's new follow list", async () => {
    const { manager } = newManager(fixture);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    const bob = await account(fixture, "bob", randomPubkeys(1), start);
    await loginReady(manager, alice);
    await loginReady(manager, bob, false);

    const renders = new Map<string, Array<number | undefined>>([
      [alice.pubkey, []],
      [bob.pubkey, []],
    ]);
    function FollowCount({ pubkey }: { pubkey: string }) {
      // Inline on purpose: a new selector every render.
      const size = useSessionSelector((state) => state.sessions.get(pubkey)?.followSet?.size);
      renders.get(pubkey)!.push(size);
      return <p data-testid={`follows-${pubkey}`}>{size ?? "-"}</p>;
    }
    const cardRenders: Array<string | undefined> = [];
    function AliceCard() {
      const session = useSession(alice.pubkey);
      cardRenders.push(session?.profile?.name);
      return <p>{session?.profile?.name}</p>;
    }
    mount(fixture, manager, (
      <>
        <FollowCount pubkey={alice.pubkey} />
        <FollowCount pubkey={bob.pubkey} />
        <AliceCard />
      </>
    ));
    expect(renders.get(alice.pubkey)).toEqual([1]);
    expect(renders.get(bob.pubkey)).toEqual([1]);
    expect(cardRenders).toEqual(["alice"]);

    // Bob's other client publishes a new kind 3; the engine applies it and React hears of it.
    await setFollows(fixture, bob, randomPubkeys(3), start + 1);
    await waitFor(() => expect(text(`follows-${bob.pubkey}`)).toBe("3"), { timeout: 5000 });
    expect(manager.getSession(bob.pubkey)?.followSet?.size).toBe(3);
    expect(renders.get(bob.pubkey)).toEqual([1, 3]);
    expect(renders.get(alice.pubkey)).toEqual([1]);
    expect(cardRenders).toEqual(["alice"]);

    // Alice's own follows change: her component renders, once; Bob's does not.
    await setFollows(fixture, alice, randomPubkeys(2), start + 1);
    await waitFor(() => expect(text(`follows-${alice.pubkey}`)).toBe("2"), { timeout: 5000 });
    expect(renders.get(alice.pubkey)).toEqual([1, 2]);
    expect(renders.get(bob.pubkey)).toEqual([1, 3]);
  });
});
