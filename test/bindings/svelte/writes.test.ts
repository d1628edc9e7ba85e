/**
 * List writes through the Svelte binding (issue 13): the NDK Svelte-like `useFollows` and `useMutes`
 * proxies in real components against a live manager. Each method is one call of the manager's write,
 * so the relay's list keeps what the session did not touch (unlike NDK Svelte's MutesProxy, which
 * rebuilds kind 10000 from its pubkey set): checked by reading the lists back as another client.
 */
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { get } from "svelte/store";
import { eventually, NDKPrivateKeySigner } from "../../support/env";
import { useRelay } from "../../support/fixture";
import { managerFor } from "../../support/engine";
import { testAccount } from "../../support/listCrypto";
import { publishRaw, readBack } from "../../support/writes";
import { useFollows, useListWrites, useMutes, type MuteItem } from "../../../src/bindings/svelte";
import WritesApp from "./components/WritesApp.svelte";
import { renderLog } from "./components/renders";

const fixture = useRelay();
const text = (testId: string) => screen.getByTestId(testId).textContent;
const listed = (testId: string) => [...screen.getByTestId(testId).querySelectorAll("li")].map((li) => li.textContent);
const stranger = () => NDKPrivateKeySigner.generate().pubkey;
const past = () => Math.floor(Date.now() / 1000) - 60;
/** Until the `n`th result of a button row is shown (each click appends one). */
const results = (testId: string, n: number) =>
  eventually(() => (text(testId) ?? "").split(" ").filter(Boolean).length >= n, 8000, `${testId} has ${n} results`).then(() =>
    (text(testId) ?? "").split(" ").filter(Boolean),
  );

/** A logged-in account, with the lists `publish` puts on the relay first, whose session can sign. */
async function signedIn(publishLists: (me: ReturnType<typeof testAccount>) => Promise<void>) {
  const engine = managerFor(fixture.ndk);
  fixture.defer(() => engine.manager.destroy());
  const me = testAccount();
  await publishLists(me);
  await engine.manager.login(me.signer);
  await Promise.all([engine.ready(me.pubkey), engine.signer(me.pubkey)]);
  const reader = await fixture.ndkOn(fixture.relay.url);
  return { ...engine, me, reader };
}

describe("useFollows", () => {
  it("add, toggle and remove follow through the manager: the set, size and iteration follow, writing goes true then false, kind 3 keeps its other tags", async () => {
    const old = stranger();
    const oldTag = ["p", old, "wss://hint.example/", "bob"];
    const { manager, me, reader } = await signedIn((me) => publishRaw(fixture.ndk, me.sign(3, [oldTag], '{"wss://r.example/":{"read":true}}', past())));
    const target = stranger();
    const log = renderLog();
    render(WritesApp, { props: { manager, target, renders: log.record } });
    expect(text("follow-size")).toBe("1");
    expect(text("follow-store-size")).toBe("1");
    expect(text("following")).toBe("false");
    expect(listed("follows")).toEqual([old]);
    expect(text("writing")).toBe("false");

    await fireEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(await results("follow-results", 1)).toEqual([`true:${fixture.relay.url}/`]);
    await eventually(() => text("writing") === "false", 3000, "writing false");
    expect(text("follow-size")).toBe("2");
    expect(text("follow-store-size")).toBe("2");
    expect(text("following")).toBe("true");
    expect(listed("follows").sort()).toEqual([old, target].sort());
    // The component saw the write under way (one pending), and then none.
    expect(log.of("writing")).toContainEqual([true, 1]);
    expect(log.of("writing").at(-1)).toEqual([false, 0]);
    const added = (await readBack(reader, me.pubkey, 3))!;
    expect(added.tags).toEqual([oldTag, ["p", target]]);
    expect(added.content).toBe('{"wss://r.example/":{"read":true}}');

    await fireEvent.click(screen.getByRole("button", { name: "Toggle follow" }));
    await results("follow-results", 2);
    await eventually(() => text("following") === "false", 3000, "unfollowed by toggle");
    expect(text("follow-size")).toBe("1");
    expect((await readBack(reader, me.pubkey, 3))!.tags).toEqual([oldTag]);

    await fireEvent.click(screen.getByRole("button", { name: "Toggle follow" }));
    await results("follow-results", 3);
    await eventually(() => text("following") === "true", 3000, "followed by toggle");
    expect((await readBack(reader, me.pubkey, 3))!.tags).toEqual([oldTag, ["p", target]]);

    await fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    expect(await results("follow-results", 4)).toEqual(Array(4).fill(`true:${fixture.relay.url}/`));
    await eventually(() => text("following") === "false", 3000, "removed");
    expect(listed("follows")).toEqual([old]);
    const removed = (await readBack(reader, me.pubkey, 3))!;
    expect(removed.tags).toEqual([oldTag]);
    expect(removed.content).toBe('{"wss://r.example/":{"read":true}}');
    expect(text("writing")).toBe("false");
  });
});

describe("useMutes", () => {
  it("mute, unmute and toggle every kind of item; words, hashtags, events, unknown tags and private items all survive", async () => {
    const [x, y, thread] = [stranger(), stranger(), "e".repeat(64)];
    const publicTags = [["p", x], ["word", "gm"], ["t", "crypto"], ["client", "some-app"]];
    const privateItems = [["word", "secret"]];
    let content = "";
    const { manager, me, reader } = await signedIn(async (me) => {
      content = me.seal(privateItems);
      await publishRaw(fixture.ndk, me.sign(10000, publicTags, content, past()));
    });
    const items: MuteItem[] = [{ pubkey: y }, { word: "Spoiler" }, { hashtag: "#Politics" }, { event: thread }, { word: " GM " }, { word: "secret" }];
    render(WritesApp, { props: { manager, target: stranger(), items, renders: () => {} } });
    await eventually(() => text("mute-size") === "4", 3000, "the session's mutes, private item included");
    expect(items.map((_, i) => text(`muted-${i}`))).toEqual(["false", "false", "false", "false", "true", "true"]);
    expect(text("mute-store-words")).toBe("gm,secret");
    expect(listed("mutes")).toEqual([{ pubkey: x }, { word: "gm" }, { word: "secret" }, { hashtag: "crypto" }].map((i) => JSON.stringify(i)));

    await fireEvent.click(screen.getByRole("button", { name: "Mute 0" }));
    expect(await results("results-0", 1)).toEqual(["true"]);
    await eventually(() => text("muted-0") === "true", 3000, "y muted");
    expect(text("mute-size")).toBe("5");
    let after = (await readBack(reader, me.pubkey, 10000))!;
    expect(after.tags).toEqual([...publicTags, ["p", y]]);
    expect(after.content).toBe(content); // the encrypted items, byte for byte

    // Three toggles at once: each decides on the mutes as they are (not muted), so all three mute.
    await fireEvent.click(screen.getByRole("button", { name: "Toggle 1" }));
    await fireEvent.click(screen.getByRole("button", { name: "Toggle 2" }));
    await fireEvent.click(screen.getByRole("button", { name: "Toggle 3" }));
    for (const i of [1, 2, 3]) expect(await results(`results-${i}`, 1)).toEqual(["true"]);
    await eventually(() => [1, 2, 3].every((i) => text(`muted-${i}`) === "true"), 3000, "word, hashtag and thread muted");
    expect(text("mute-size")).toBe("8");
    after = (await readBack(reader, me.pubkey, 10000))!;
    expect(after.tags).toEqual([...publicTags, ["p", y], ["word", "spoiler"], ["t", "politics"], ["e", thread]]);
    expect(me.open(after.content)).toEqual(privateItems);

    // Unmute, and toggles of items already muted (a public word, a private one): each one goes.
    await fireEvent.click(screen.getByRole("button", { name: "Unmute 0" }));
    expect(await results("results-0", 2)).toEqual(["true", "true"]);
    await fireEvent.click(screen.getByRole("button", { name: "Toggle 1" }));
    await results("results-1", 2);
    await fireEvent.click(screen.getByRole("button", { name: "Toggle 4" }));
    await results("results-4", 1);
    await fireEvent.click(screen.getByRole("button", { name: "Toggle 5" }));
    await results("results-5", 1);
    await eventually(() => [0, 1, 4, 5].every((i) => text(`muted-${i}`) === "false"), 3000, "unmuted");
    expect([2, 3].map((i) => text(`muted-${i}`))).toEqual(["true", "true"]);
    expect(text("mute-size")).toBe("4");
    expect(text("mute-store-words")).toBe("");
    after = (await readBack(reader, me.pubkey, 10000))!;
    expect(after.tags).toEqual([["p", x], ["t", "crypto"], ["client", "some-app"], ["t", "politics"], ["e", thread]]);
    expect(after.content).toBe(""); // its one private item was unmuted: no encrypted items left
  });

  it("outside components: an explicit manager and pubkey, the store contract, and the write state", async () => {
    const { manager, me } = await signedIn(async () => {});
    const other = await manager.login(NDKPrivateKeySigner.generate(), { setActive: true });
    expect(manager.activePubkey).toBe(other);
    const follows = useFollows(me.pubkey, manager);
    const mutes = useMutes(() => me.pubkey, manager);
    const { writing } = useListWrites(me.pubkey, manager);
    const sizes: number[] = [];
    const stop = follows.subscribe((set) => sizes.push(set.size));
    const seen: boolean[] = [];
    const stopWriting = writing.subscribe((w) => seen.push(w));
    fixture.defer(() => (stop(), stopWriting()));

    const target = stranger();
    await expect(follows.add(target)).resolves.toEqual({ changed: true, relays: [`${fixture.relay.url}/`] });
    await expect(follows.add(target)).resolves.toMatchObject({ changed: false });
    await expect(mutes.mute({ hashtag: "Nostr" })).resolves.toMatchObject({ changed: true });
    await eventually(() => get(writing) === false, 3000, "writing false");
    expect(follows.has(target)).toBe(true);
    expect(get(follows).has(target)).toBe(true);
    expect(mutes.has({ hashtag: "#nostr" })).toBe(true);
    expect(sizes).toEqual([0, 1]);
    expect(seen[0]).toBe(false);
    expect(seen).toContain(true);
    expect(seen.at(-1)).toBe(false);
    // The active account's lists were not touched.
    expect(manager.getSession(other)?.followSet?.size ?? 0).toBe(0);
    await expect(follows.add("nope")).rejects.toMatchObject({ code: "list-edit-invalid" });
  });
});
