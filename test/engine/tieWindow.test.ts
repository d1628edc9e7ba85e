// The opt-in `refresh.tieWindowSec`: lists stored longer ago than it are asked from the next second
// (the relay does not send them again), and without it from their own second (ties never missed).
import { expect, it } from "vitest";
import { connectedNdk, disconnect, NDKPrivateKeySigner, publish, withRelay } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage, type SessionManagerOptions } from "../../src";

const fixture = useRelay();

it.each([
  ["by default, from the stored list's own second", {}, 0],
  ["with refresh.tieWindowSec 0, from the next second", { refresh: { tieWindowSec: 0 } }, 1],
] as Array<[string, Partial<SessionManagerOptions>, number]>)("a restore asks for a list stored a minute ago %s", async (_, options, after) => {
  const relay = await withRelay();
  fixture.defer(() => relay.close());
  const alice = NDKPrivateKeySigner.generate();
  const at = Math.floor(Date.now() / 1000) - 60;
  const ndk = await connectedNdk([relay.url]);
  fixture.defer(() => disconnect(ndk));
  await publish(ndk, alice, { kind: 3, tags: [["p", NDKPrivateKeySigner.generate().pubkey]], created_at: at });
  const storage = new MemoryStorage();
  const first = managerFor(ndk, { storage });
  await first.manager.login(alice);
  await first.ready(alice.pubkey);
  await first.manager.destroy(); // saves

  const second = managerFor(ndk, { storage, ...options });
  fixture.defer(() => second.manager.destroy());
  relay.frames.length = 0;
  await second.manager.restore();
  await second.ready(alice.pubkey);
  const sinces = relay.frames
    .filter((frame) => frame.type === "REQ")
    .flatMap((frame) => frame.filters ?? [])
    .filter((filter) => filter.authors?.includes(alice.pubkey) && filter.kinds?.includes(3) && filter.since !== undefined)
    .map((filter) => filter.since);
  expect(sinces).toContain(at + after);
  expect(sinces).not.toContain(at + 1 - after);
});
