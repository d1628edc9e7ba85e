// Issue 10.1: a stored signer that cannot be rebuilt logs the peer's warning (no secret in it) and its session comes back without a signer.
import { expect, it, vi } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage } from "../../src";

const fixture = useRelay();

it("a garbage payload: console.warn names the pubkey, not the payload; the session reads and is read-only", async () => {
  const storage = new MemoryStorage();
  const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
  const first = managerFor(fixture.ndk, { storage, unsafePersistPrivateKeys: true });
  await first.manager.login(alice);
  await first.manager.login(bob);
  await first.manager.persist();
  await first.manager.destroy();
  const { sessions, activePubkey, state } = await storage.load();
  const garbage = '{"type":"private-key","payload":"secret-looking-garbage"}';
  const envelope = JSON.parse(state!);
  envelope.unsafeSecrets[alice.pubkey] = garbage;
  await storage.save(sessions, activePubkey, JSON.stringify(envelope));

  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const second = managerFor(fixture.ndk, { storage, unsafePersistPrivateKeys: true });
  fixture.defer(() => second.manager.destroy());
  fixture.defer(() => warn.mockRestore());
  await second.manager.restore();
  await second.signer(alice.pubkey, "needsLogin");
  await second.signer(bob.pubkey);
  const lines = warn.mock.calls.map((call) => call.join(" "));
  expect(lines).toEqual([expect.stringContaining(`Failed to restore signer for ${alice.pubkey}`)]);
  expect(lines.join("\n")).not.toContain("secret-looking-garbage");
  expect(second.manager.isReadOnly(alice.pubkey)).toBe(true);
  await second.ready(alice.pubkey);
});
