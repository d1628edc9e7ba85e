// Issue 10.6: createAccount() as the peer's, plus the new account's pubkey.
import { expect, it } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";

const fixture = useRelay();

it("createAccount returns { signer, events, pubkey }: an NDKPrivateKeySigner, active, and ndk.signer", async () => {
  const { manager } = managerFor(fixture.ndk);
  fixture.defer(() => manager.destroy());
  const { signer, events, pubkey } = await manager.createAccount({ profile: { name: "new" } }, { publish: false });
  expect(signer).toBeInstanceOf(NDKPrivateKeySigner);
  expect(pubkey).toBe(signer.pubkey);
  expect(events.map((e) => e.kind)).toEqual([0]);
  expect(manager.activePubkey).toBe(pubkey);
  expect(fixture.ndk.signer).toBe(signer);
});

it("publishes its events by default; with opts.signer it signs with that key and logs nothing in (the peer's rule)", async () => {
  const { manager } = managerFor(fixture.ndk);
  fixture.defer(() => manager.destroy());
  const { signer, events } = await manager.createAccount({ profile: { name: "published" }, follows: [NDKPrivateKeySigner.generate().pubkey] });
  expect(events.map((e) => e.kind)).toEqual([0, 3]);
  await eventually(() => fixture.relay.frames.some((f) => f.type === "EVENT"), 2000, "the published events");
  expect((await fixture.ndk.fetchEvents({ kinds: [0], authors: [signer.pubkey] })).size).toBe(1);
  const own = NDKPrivateKeySigner.generate();
  const result = await manager.createAccount({ profile: { name: "mine" } }, { signer: own, publish: false });
  expect(result.signer).toBe(own);
  expect(result.pubkey).toBe(own.pubkey);
  expect(manager.getSession(own.pubkey)).toBeUndefined();
  expect(manager.activePubkey).toBe(signer.pubkey);
});
