import { expect, it } from "vitest";
import { NDKEvent, NDKPrivateKeySigner, registerSigner } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { useRelay } from "../support/fixture";
import { activeSigner, managerFor } from "../support/engine";
import { MemoryStorage } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";

const fixture = useRelay();

/** A signer that names one user and signs as another: what a compromised or buggy signer does. */
class LyingSigner extends NDKPrivateKeySigner {
  private readonly other = NDKPrivateKeySigner.generate();
  override async sign(event: NostrEvent): Promise<string> {
    return this.other.sign({ ...event, pubkey: this.other.pubkey });
  }
}

it("a signature that is not the session's is never published: typed error, named state, signer dropped", async () => {
  const { manager, ready, signer } = managerFor(fixture.ndk);
  fixture.defer(() => manager.destroy());
  const liar = new LyingSigner(NDKPrivateKeySigner.generate().privateKey);
  await manager.login(liar);
  await ready(liar.pubkey);
  const event = new NDKEvent(fixture.ndk, { kind: 1, content: "forged?", tags: [] });
  await expect(event.publish()).rejects.toMatchObject({ code: "signer-mismatch" });
  await signer(liar.pubkey, "needsLogin", 2000);
  expect(manager.getSession(liar.pubkey)!.signerFailure!.code).toBe("signer-mismatch");
  expect(manager.isReadOnly(liar.pubkey)).toBe(true);
  expect(activeSigner(fixture.ndk)).toBeUndefined();
  expect(await fixture.ndk.fetchEvents({ kinds: [1], authors: [liar.pubkey] })).toHaveProperty("size", 0);
});

/** A signer type of the app's own, registered with NDK: stored sealed, rebuilt by NDK's registry. */
class AppSigner extends NDKPrivateKeySigner {
  override toPayload(): string {
    return JSON.stringify({ type: "app-signer", payload: this.privateKey });
  }
  static override async fromPayload(payload: string): Promise<NDKPrivateKeySigner> {
    return new AppSigner(JSON.parse(payload).payload);
  }
}
registerSigner("app-signer", AppSigner as never);

it("a signer type registered with NDK is sealed, restored and signs", async () => {
  const key = await generateSealingKey();
  const storage = new MemoryStorage();
  const mine = new AppSigner(NDKPrivateKeySigner.generate().privateKey);
  const first = managerFor(fixture.ndk, { storage, secrets: { key } });
  await first.manager.login(mine);
  await first.manager.persist();
  await first.manager.destroy();
  expect(JSON.parse((await storage.getItem("state"))!).registry.accounts[0].signer.type).toBe("app-signer");

  const second = managerFor(fixture.ndk, { storage, secrets: { key } });
  fixture.defer(() => second.manager.destroy());
  await second.manager.restore();
  await second.ready(mine.pubkey);
  expect(activeSigner(fixture.ndk)).toBeInstanceOf(AppSigner);
  const event = new NDKEvent(fixture.ndk, { kind: 1, content: "mine", tags: [] });
  await event.sign();
  expect(event.pubkey).toBe(mine.pubkey);
});
