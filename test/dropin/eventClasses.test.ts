// Issue 10.7: custom event classes wrap the events a session receives, as the peer's do.
import { describe, expect, it } from "vitest";
import { NDKEvent, NDKPrivateKeySigner, type NDKKind } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";

const fixture = useRelay();

class InterestList extends NDKEvent {
  static kinds = [10015 as NDKKind];
  static from(event: NDKEvent): InterestList {
    return new InterestList(event.ndk, event.rawEvent());
  }
  get interests(): string[] {
    return this.getMatchingTags("t").map((tag) => tag[1]!);
  }
}

class BookmarkList extends NDKEvent {
  static kinds = [10003 as NDKKind];
  static from(event: NDKEvent): BookmarkList {
    return new BookmarkList(event.ndk, event.rawEvent());
  }
}

/** One class for two kinds. */
class ItemList extends NDKEvent {
  static kinds = [10016 as NDKKind, 10017 as NDKKind];
  static from(event: NDKEvent): ItemList {
    return new ItemList(event.ndk, event.rawEvent());
  }
  get items(): string[] {
    return this.getMatchingTags("item").map((tag) => tag[1]!);
  }
}

async function loggedIn() {
  const { manager, ready } = managerFor(fixture.ndk);
  fixture.defer(() => manager.destroy());
  const signer = NDKPrivateKeySigner.generate();
  await manager.login(signer);
  await ready(signer.pubkey);
  return { manager, signer, ready };
}

const stored = (manager: ReturnType<typeof managerFor>["manager"], pubkey: string, kind: number) => manager.getSession(pubkey)?.events.get(kind as NDKKind);

describe("startSession(pubkey, { events })", () => {
  it("wraps a received event with its class; an older one never replaces a newer one", async () => {
    const { manager, signer, ready } = await loggedIn();
    manager.startSession(signer.pubkey, { events: new Map([[10015 as NDKKind, InterestList]]) });
    await ready(signer.pubkey);
    const now = Math.floor(Date.now() / 1000);
    await publish(fixture.ndk, signer, { kind: 10015, tags: [["t", "nostr"], ["t", "bitcoin"]], created_at: now });
    await eventually(() => stored(manager, signer.pubkey, 10015) instanceof InterestList, 3000, "the wrapped event");
    expect((stored(manager, signer.pubkey, 10015) as InterestList).interests).toEqual(["nostr", "bitcoin"]);
    const older = new NDKEvent(fixture.ndk, { kind: 10015, content: "", tags: [["t", "old"]], created_at: now - 100 });
    await older.sign(signer);
    await older.publish().catch(() => {}); // the relay keeps the newer one; a refresh asks again anyway
    manager.refresh(signer.pubkey);
    await ready(signer.pubkey);
    expect((stored(manager, signer.pubkey, 10015) as InterestList).interests).toEqual(["nostr", "bitcoin"]);
  });

  it("several classes at once; a kind mapped to undefined, or to a class without from, stores the plain event", async () => {
    const { manager, signer, ready } = await loggedIn();
    class NoFrom {}
    manager.startSession(signer.pubkey, {
      events: new Map<NDKKind, never>([
        [10015 as NDKKind, InterestList as never],
        [10003 as NDKKind, BookmarkList as never],
        [10004 as NDKKind, undefined as never],
        [10005 as NDKKind, NoFrom as never],
      ]),
    });
    await ready(signer.pubkey);
    for (const kind of [10015, 10003, 10004, 10005]) await publish(fixture.ndk, signer, { kind, tags: [["t", String(kind)]] });
    await eventually(() => [10015, 10003, 10004, 10005].every((kind) => stored(manager, signer.pubkey, kind)), 3000, "four events");
    expect(stored(manager, signer.pubkey, 10015)).toBeInstanceOf(InterestList);
    expect(stored(manager, signer.pubkey, 10003)).toBeInstanceOf(BookmarkList);
    for (const kind of [10004, 10005]) {
      expect(stored(manager, signer.pubkey, kind)).toBeInstanceOf(NDKEvent);
      expect(stored(manager, signer.pubkey, kind)!.constructor).toBe(NDKEvent);
    }
  });
});

describe("the eventConstructors option", () => {
  it("wraps each kind a class names, several kinds for one class", async () => {
    const { manager, signer, ready } = await loggedIn();
    manager.startSession(signer.pubkey, { eventConstructors: [InterestList, ItemList] });
    await ready(signer.pubkey);
    await publish(fixture.ndk, signer, { kind: 10016, tags: [["item", "one"]] });
    await publish(fixture.ndk, signer, { kind: 10017, tags: [["item", "two"]] });
    await publish(fixture.ndk, signer, { kind: 10015, tags: [["t", "coding"]] });
    await eventually(() => [10015, 10016, 10017].every((kind) => stored(manager, signer.pubkey, kind)), 3000, "three events");
    expect((stored(manager, signer.pubkey, 10016) as ItemList).items).toEqual(["one"]);
    expect((stored(manager, signer.pubkey, 10017) as ItemList).items).toEqual(["two"]);
    expect(stored(manager, signer.pubkey, 10015)).toBeInstanceOf(InterestList);
  });

  it("as a manager option, every session's events are wrapped", async () => {
    const { manager, ready } = managerFor(fixture.ndk, { fetches: { eventConstructors: [InterestList] } });
    fixture.defer(() => manager.destroy());
    const signer = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, signer, { kind: 10015, tags: [["t", "early"]] });
    await manager.login(signer);
    await ready(signer.pubkey);
    expect((stored(manager, signer.pubkey, 10015) as InterestList).interests).toEqual(["early"]);
  });
});
