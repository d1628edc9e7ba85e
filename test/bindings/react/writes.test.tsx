/**
 * List writes through the React binding (issue 13): a component follows, unfollows and mutes with
 * `useListWrites`, shows `writing` and the follow count as they change, and the loopback relay ends
 * up holding the new lists (read back by another client).
 */
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { useRelay } from "../../support/fixture";
import { readBack } from "../../support/writes";
import { useListWrites, useSessionSelector, type Hexpubkey, type WriteResult } from "../../../src/bindings/react";
import { account, loginReady, mount, newManager, randomPubkeys, t0 } from "./helpers";

const fixture = useRelay();

const text = (testId: string) => screen.getByTestId(testId).textContent;
const pTags = (event: { tags: string[][] } | null) => (event?.tags ?? []).filter((t) => t[0] === "p").map((t) => t[1]);

/** Until the session can sign: a write refuses before that (`write-cannot-sign`). */
const canSign = (manager: ReturnType<typeof newManager>["manager"], pubkey: Hexpubkey) =>
  waitFor(() => expect(manager.getSession(pubkey)?.canSign).toBe(true), { timeout: 5000 });

describe("useListWrites", () => {
  it("follow and unfollow from a button: writing goes true then false, the count changes, the relay holds the new kind 3", async () => {
    const { manager } = newManager(fixture);
    const reader = await fixture.ndkOn(fixture.relay.url);
    const [old] = randomPubkeys(1);
    const alice = await account(fixture, "alice", [old!], t0());
    await loginReady(manager, alice);
    await canSign(manager, alice.pubkey);
    const target = randomPubkeys(1)[0]!;

    const writingSeen: boolean[] = [];
    const pendingSeen: number[] = [];
    function FollowButton({ pubkey }: { pubkey: Hexpubkey }) {
      const { follow, unfollow, writing, pendingWrites, lastWrite } = useListWrites();
      const count = useSessionSelector((s) => (s.activePubkey ? s.sessions.get(s.activePubkey)?.followSet?.size : undefined));
      const following = useSessionSelector((s) => (s.activePubkey ? s.sessions.get(s.activePubkey)?.followSet?.has(pubkey) : false));
      const [result, setResult] = useState<WriteResult | string>("-");
      writingSeen.push(writing);
      pendingSeen.push(pendingWrites);
      const toggle = () => (following ? unfollow(pubkey) : follow(pubkey)).then(setResult, (e: { code: string }) => setResult(e.code));
      return (
        <>
          <p data-testid="count">{count ?? "-"}</p>
          <p data-testid="writing">{String(writing)}</p>
          <p data-testid="result">{typeof result === "string" ? result : `${result.changed}:${result.relays.join(",")}`}</p>
          <p data-testid="last">{lastWrite ? `${lastWrite.kind}:${String(lastWrite.outcome.ok)}` : "-"}</p>
          <button onClick={toggle}>{following ? "Unfollow" : "Follow"}</button>
        </>
      );
    }
    mount(fixture, manager, <FollowButton pubkey={target} />);
    expect(text("count")).toBe("1");
    expect(text("writing")).toBe("false");
    expect(text("last")).toBe("-");

    fireEvent.click(screen.getByRole("button", { name: "Follow" }));
    await waitFor(() => expect(text("result")).toBe(`true:${fixture.relay.url}/`), { timeout: 8000 });
    await waitFor(() => expect(text("writing")).toBe("false"));
    expect(text("count")).toBe("2");
    expect(text("last")).toBe("3:true");
    // It rendered `writing` true while the write was under way, and one write was pending then.
    expect(writingSeen).toContain(true);
    expect(writingSeen.at(-1)).toBe(false);
    expect(Math.max(...pendingSeen)).toBe(1);
    expect(pendingSeen.at(-1)).toBe(0);
    expect(pTags(await readBack(reader, alice.pubkey, 3))).toEqual([old, target]);

    fireEvent.click(screen.getByRole("button", { name: "Unfollow" }));
    await waitFor(() => expect(text("count")).toBe("1"), { timeout: 8000 });
    await waitFor(() => expect(screen.getByRole("button").textContent).toBe("Follow"));
    await waitFor(() => expect(text("writing")).toBe("false"));
    await waitFor(() => expect(text("result")).toBe(`true:${fixture.relay.url}/`));
    expect(pTags(await readBack(reader, alice.pubkey, 3))).toEqual([old]);
  });

  it("a given pubkey writes that session's list, not the active one's; rejections reach the component typed", async () => {
    const { manager } = newManager(fixture);
    const reader = await fixture.ndkOn(fixture.relay.url);
    const start = t0();
    const alice = await account(fixture, "alice", randomPubkeys(1), start);
    const bob = await account(fixture, "bob", randomPubkeys(1), start);
    await loginReady(manager, alice);
    await loginReady(manager, bob, false);
    await canSign(manager, bob.pubkey);

    function MuteWord({ pubkey }: { pubkey: Hexpubkey }) {
      const { mute, follow, writing } = useListWrites(pubkey);
      const words = useSessionSelector((s) => s.sessions.get(pubkey)?.mutedWords?.size ?? 0);
      const [outcome, setOutcome] = useState("-");
      const done = (p: Promise<WriteResult>) => p.then((r) => setOutcome(String(r.changed)), (e: { code: string }) => setOutcome(e.code));
      return (
        <>
          <p data-testid="words">{words}</p>
          <p data-testid="writing">{String(writing)}</p>
          <p data-testid="outcome">{outcome}</p>
          <button onClick={() => done(mute({ word: "Spoiler" }))}>Mute</button>
          <button onClick={() => done(follow("not a pubkey"))}>Bad</button>
        </>
      );
    }
    mount(fixture, manager, <MuteWord pubkey={bob.pubkey} />);
    expect(text("words")).toBe("0");

    fireEvent.click(screen.getByRole("button", { name: "Mute" }));
    await waitFor(() => expect(text("outcome")).toBe("true"), { timeout: 8000 });
    expect(text("words")).toBe("1");
    expect(text("writing")).toBe("false");
    expect(manager.getSession(bob.pubkey)?.mutedWords).toEqual(new Set(["spoiler"]));
    expect((await readBack(reader, bob.pubkey, 10000))?.tags).toEqual([["word", "spoiler"]]);
    expect(await readBack(reader, alice.pubkey, 10000)).toBeNull();
    expect(manager.activePubkey).toBe(alice.pubkey);

    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Bad" }));
    });
    await waitFor(() => expect(text("outcome")).toBe("list-edit-invalid"));
  });
});
