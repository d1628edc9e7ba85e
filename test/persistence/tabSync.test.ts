import { describe, expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";

const fixture = useRelay();
let channels = 0;

/** Two managers on one channel: what two tabs of one origin are (BroadcastChannel works in Node too). */
function twoTabs(shareActive = true) {
  const syncTabs = { channel: `test-${process.pid}-${channels++}`, shareActive };
  const a = managerFor(fixture.ndk, { syncTabs });
  const b = managerFor(fixture.ndk, { syncTabs });
  fixture.defer(() => a.manager.destroy());
  fixture.defer(() => b.manager.destroy());
  return { a: a.manager, b: b.manager, readyA: a.ready };
}

describe("tabs in step", () => {
  it("a login in one tab reaches the other within 100 ms, and its session follows the lists there too", async () => {
    const { a, b } = twoTabs();
    const watcher = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, watcher, { kind: 3, tags: [["p", watcher.pubkey]] });
    const started = performance.now();
    await a.login(fixture.ndk.getUser({ pubkey: watcher.pubkey }));
    await eventually(() => b.getSession(watcher.pubkey) !== undefined, 100, "the login in the other tab");
    expect(performance.now() - started).toBeLessThan(100);
    expect(b.activePubkey).toBe(watcher.pubkey);
    await eventually(() => b.getSession(watcher.pubkey)?.followSet?.size === 1, 3000, "lists in the other tab");
  });

  it("switches and logouts travel; nothing echoes back and forth", async () => {
    const { a, b } = twoTabs();
    const [x, y] = [0, 1].map(() => NDKPrivateKeySigner.generate().pubkey);
    await a.login(fixture.ndk.getUser({ pubkey: x! }));
    await a.login(fixture.ndk.getUser({ pubkey: y! }));
    await eventually(() => b.activePubkey === y, 200, "active shared");
    await b.switchTo(x!);
    await eventually(() => a.activePubkey === x, 200, "switch from the other tab");
    a.logout(y!);
    await eventually(() => b.getSession(y!) === undefined, 200, "logout in the other tab");
    await new Promise((r) => setTimeout(r, 50));
    expect([...a.getSessions().keys()]).toEqual([x]);
    expect([...b.getSessions().keys()]).toEqual([x]);
    expect([a.activePubkey, b.activePubkey]).toEqual([x, x]);
  });

  it("two tabs adding different accounts at once both end with both", async () => {
    const { a, b } = twoTabs();
    const [x, y] = [0, 1].map(() => NDKPrivateKeySigner.generate().pubkey);
    await Promise.all([a.login(fixture.ndk.getUser({ pubkey: x! })), b.login(fixture.ndk.getUser({ pubkey: y! }))]);
    await eventually(() => a.getSessions().size === 2 && b.getSessions().size === 2, 200, "merged by pubkey");
    expect(new Set(a.getSessions().keys())).toEqual(new Set([x, y]));
  });

  it("with shareActive: false each tab keeps its own active account", async () => {
    const { a, b } = twoTabs(false);
    const [x, y] = [0, 1].map(() => NDKPrivateKeySigner.generate().pubkey);
    await a.login(fixture.ndk.getUser({ pubkey: x! }));
    await eventually(() => b.getSession(x!) !== undefined, 200, "the login travels");
    expect(b.activePubkey).toBeUndefined();
    await b.login(fixture.ndk.getUser({ pubkey: y! }));
    await eventually(() => a.getSession(y!) !== undefined, 200, "and back");
    expect(a.activePubkey).toBe(x);
    expect(b.activePubkey).toBe(y);
  });
});
