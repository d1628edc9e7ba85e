// Issue 10.2: `ndk.signer` is the app's own signer object, its guarantees kept in place.
import { afterEach, describe, expect, it } from "vitest";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { NDKEvent, NDKNip07Signer, NDKNip46Signer, NDKPrivateKeySigner, type NDKUser } from "@nostr-dev-kit/ndk";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { startBunker } from "../support/bunker";
import { createFakeNip07, type FakeNip07 } from "../support/nip07";
import { within } from "../support/bounded";

const fixture = useRelay();
let extension: FakeNip07 | undefined;
afterEach(() => extension?.remove());
const note = (content: string) => new NDKEvent(fixture.ndk, { kind: 1, content, tags: [] });

describe("ndk.signer is the app's own object", () => {
  it("after login, switchTo and a second login: identity and instanceof hold, and the state's signers are the same objects", async () => {
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    const bob = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    expect(fixture.ndk.signer).toBe(alice);
    expect(fixture.ndk.signer).toBeInstanceOf(NDKPrivateKeySigner);
    await manager.login(bob);
    expect(fixture.ndk.signer).toBe(bob);
    await manager.switchTo(alice.pubkey);
    expect(fixture.ndk.signer).toBe(alice);
    expect(manager.getCurrentState().signers.get(alice.pubkey)).toBe(alice);
    expect(manager.getCurrentState().signers.get(bob.pubkey)).toBe(bob);
    const signed = note("mine");
    await signed.sign();
    expect(signed.pubkey).toBe(alice.pubkey);
    expect(signed.verifySignature(false)).toBe(true);
  });

  it("a NIP-07 signer and a NIP-46 signer are the objects the app logged in with", async () => {
    const secret = generateSecretKey();
    extension = createFakeNip07(secret);
    const bunker = await startBunker(fixture.relay.url, fixture.relay);
    fixture.defer(() => bunker.close());
    const { manager } = managerFor(fixture.ndk, { timeouts: { signerMs: 3000 } });
    fixture.defer(() => manager.destroy());
    const nip07 = new NDKNip07Signer(1000, fixture.ndk);
    expect(await manager.login(nip07)).toBe(getPublicKey(secret));
    expect(fixture.ndk.signer).toBe(nip07);
    expect(fixture.ndk.signer).toBeInstanceOf(NDKNip07Signer);
    const remote = NDKNip46Signer.bunker(fixture.ndk, bunker.bunkerUri(false));
    await manager.login(remote);
    expect(fixture.ndk.signer).toBe(remote);
    expect(fixture.ndk.signer).toBeInstanceOf(NDKNip46Signer);
    const signed = note("remote");
    await within(signed.sign(), 5000, "a remote signature");
    expect(signed.pubkey).toBe(bunker.userPubkey);
  });
});

describe("the gate's guarantees, on the app's object", () => {
  it("one call at a time, in call order, whoever calls: NDK or the app itself", async () => {
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const signer = new CountingSigner(NDKPrivateKeySigner.generate().privateKey);
    await manager.login(signer);
    const events = [0, 1, 2].map((i) => note(`n${i}`));
    await Promise.all([...events.map((e) => e.sign()), signer.sign(events[0]!.rawEvent())]);
    expect(signer.overlap).toBe(1);
    expect(signer.calls).toBe(4);
  });

  it("a call is bounded: a signer that never answers gives a typed timeout", async () => {
    const { manager } = managerFor(fixture.ndk, { timeouts: { signerMs: 200 } });
    fixture.defer(() => manager.destroy());
    const signer = new HangingSigner(NDKPrivateKeySigner.generate().privateKey);
    await manager.login(signer);
    signer.hang = true;
    await expect(note("late").sign()).rejects.toMatchObject({ name: "SignerTimeoutError", code: "signer-timeout" });
  });

  it("every signature is checked as the session's; after logout the object is the app's again", async () => {
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const liar = new LyingSigner(NDKPrivateKeySigner.generate().privateKey);
    await manager.login(liar);
    await expect(note("forged?").sign()).rejects.toMatchObject({ code: "signer-mismatch" });
    const other = NDKPrivateKeySigner.generate();
    await manager.login(other);
    manager.logout(other.pubkey);
    expect(fixture.ndk.signer).toBeUndefined();
    // Out of the keyring, the object is the app's, with its own methods (here: a forged signature).
    const template = { kind: 1, content: "x", tags: [], created_at: 1, pubkey: other.pubkey, id: "" };
    expect(typeof (await other.sign(template))).toBe("string");
    expect(JSON.stringify(other)).toContain("_privateKey");
  });

  it("a class instance gets nothing added to it; after logout its prototype is its class's again", async () => {
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    const ownBefore = Reflect.ownKeys(alice);
    await manager.login(alice);
    expect(Reflect.ownKeys(alice)).toEqual(ownBefore);
    expect(Object.getPrototypeOf(alice)).not.toBe(NDKPrivateKeySigner.prototype); // the gated methods stand in front
    manager.logout(alice.pubkey);
    expect(Object.getPrototypeOf(alice)).toBe(NDKPrivateKeySigner.prototype);
    expect(Reflect.ownKeys(alice)).toEqual(ownBefore);
  });

  it("a signer whose methods are its own properties is gated in place too, and gets them back after logout", async () => {
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    const other = NDKPrivateKeySigner.generate();
    // Its own sign() signs with another key: only the gate can catch that.
    const ownSign = async (event: Parameters<NDKPrivateKeySigner["sign"]>[0]) => other.sign({ ...event, pubkey: other.pubkey });
    Object.assign(alice, { sign: ownSign });
    await manager.login(alice);
    expect(fixture.ndk.signer).toBe(alice);
    expect(alice.sign).not.toBe(ownSign);
    await expect(note("forged?").sign()).rejects.toMatchObject({ code: "signer-mismatch" });
    manager.logout(alice.pubkey);
    expect(alice.sign).toBe(ownSign);
    expect(Object.getPrototypeOf(alice)).toBe(NDKPrivateKeySigner.prototype);
  });

  it("while logged in, the object serialises and prints as its kind and pubkey alone", async () => {
    const { manager } = managerFor(fixture.ndk);
    fixture.defer(() => manager.destroy());
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    const { inspect } = await import("node:util");
    for (const text of [JSON.stringify(manager.getCurrentState()), JSON.stringify(alice), inspect(alice), inspect(manager.getCurrentState().signers)])
      expect(text).not.toContain(alice.privateKey);
    expect(JSON.parse(JSON.stringify(alice))).toEqual({ type: "private-key", pubkey: alice.pubkey });
  });
});

/** Counts overlapping sign calls. */
class CountingSigner extends NDKPrivateKeySigner {
  calls = 0;
  overlap = 0;
  private running = 0;
  override async sign(event: Parameters<NDKPrivateKeySigner["sign"]>[0]): Promise<string> {
    this.calls++;
    this.running++;
    this.overlap = Math.max(this.overlap, this.running);
    await new Promise((r) => setTimeout(r, 20));
    try {
      return await super.sign(event);
    } finally {
      this.running--;
    }
  }
}

/** Stops answering once told to. */
class HangingSigner extends NDKPrivateKeySigner {
  hang = false;
  override sign(event: Parameters<NDKPrivateKeySigner["sign"]>[0]): Promise<string> {
    return this.hang ? new Promise(() => {}) : super.sign(event);
  }
}

/** Signs with another key than the one it names. */
class LyingSigner extends NDKPrivateKeySigner {
  private readonly other = NDKPrivateKeySigner.generate();
  override async sign(event: Parameters<NDKPrivateKeySigner["sign"]>[0]): Promise<string> {
    return this.other.sign({ ...event, pubkey: this.other.pubkey });
  }
  override user(): Promise<NDKUser> {
    return super.user();
  }
}
