/**
 * A list write that no relay took when the app stopped (a tab closed, a phone app killed, the
 * network lost the EVENT): its optimistic copy is shown while it runs, may be saved meanwhile, and
 * must not come back after a restart as if relays held it. Real relay, real NDK, real keys.
 */
import { describe, expect, it } from "vitest";
import NDK, { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { managerFor } from "../support/engine";
import { useRelay } from "../support/fixture";
import { disconnect, eventually, publish } from "../support/env";
import { readBack } from "../support/writes";
import { RelayLink } from "../model/relayLink";
import { MemoryStorage } from "../../src";

const fixture = useRelay();
const stranger = () => NDKPrivateKeySigner.generate().pubkey;
const TIMEOUTS = { fetchMs: 1000, signerMs: 2000, publishMs: 5000 };

describe("a write cut short by a restart", () => {
  it("is not restored as if relays held it: the session shows the relays' list again, and the next write is built on it", async () => {
    const me = NDKPrivateKeySigner.generate();
    const [old, lost, next] = [stranger(), stranger(), stranger()];
    await publish(fixture.ndk, me, { kind: 3, tags: [["p", old]], created_at: Math.floor(Date.now() / 1000) - 10 });
    const storage = new MemoryStorage();

    // The first run: the follow is signed and shown, and its EVENT is lost on the way to the relay.
    const link = await RelayLink.open(fixture.relay.url);
    fixture.defer(() => link.close());
    const first = managerFor(await fixture.ndkOn(link.url), { storage, autoSave: false, unsafePersistPrivateKeys: true, timeouts: TIMEOUTS, fetches: { follows: true } });
    fixture.defer(() => first.manager.destroy());
    const pubkey = await first.manager.login(me);
    await Promise.all([first.ready(pubkey), first.signer(pubkey)]);
    link.refuseEvents("silently");
    const cut = first.manager.follow(lost).then(
      () => "settled",
      (error: { code?: string }) => error.code,
    );
    await eventually(() => first.manager.getSession(pubkey)?.followSet?.has(lost) === true, 3000, "the follow shown at once");
    await first.manager.persist(); // saved while the write waits for an OK that never comes
    await first.manager.destroy(); // the app stops
    expect(await cut).toBe("write-cancelled");

    // The next run, on a relay that never saw the follow.
    const second = managerFor(await fixture.ndkOn(fixture.relay.url), { storage, autoSave: false, unsafePersistPrivateKeys: true, timeouts: TIMEOUTS, fetches: { follows: true } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    await Promise.all([second.ready(pubkey), second.signer(pubkey)]);
    expect([...second.manager.getSession(pubkey)!.followSet!]).toEqual([old]);

    await expect(second.manager.follow(next)).resolves.toMatchObject({ changed: true });
    expect((await readBack(fixture.ndk, pubkey, 3))!.tags).toEqual([["p", old], ["p", next]]);
    expect([...second.manager.getSession(pubkey)!.followSet!].sort()).toEqual([old, next].sort());
  });

  it("a write the relay took is saved and restored as the session's list", async () => {
    const me = NDKPrivateKeySigner.generate();
    const [old, added] = [stranger(), stranger()];
    await publish(fixture.ndk, me, { kind: 3, tags: [["p", old]], created_at: Math.floor(Date.now() / 1000) - 10 });
    const storage = new MemoryStorage();
    const first = managerFor(await fixture.ndkOn(fixture.relay.url), { storage, autoSave: false, unsafePersistPrivateKeys: true, timeouts: TIMEOUTS, fetches: { follows: true } });
    fixture.defer(() => first.manager.destroy());
    const pubkey = await first.manager.login(me);
    await Promise.all([first.ready(pubkey), first.signer(pubkey)]);
    await first.manager.follow(added);
    await first.manager.persist();
    await first.manager.destroy();

    // Restored with no relay reachable: the list shown is the stored one, the write included.
    const unreachable = new NDK({ explicitRelayUrls: ["ws://127.0.0.1:9"], enableOutboxModel: false, autoConnectUserRelays: false });
    fixture.defer(() => disconnect(unreachable));
    const offline = managerFor(unreachable, { storage, autoSave: false, timeouts: TIMEOUTS, fetches: { follows: true } });
    fixture.defer(() => offline.manager.destroy());
    await offline.manager.restore();
    expect([...offline.manager.getSession(pubkey)!.followSet!].sort()).toEqual([old, added].sort());
  });
});
