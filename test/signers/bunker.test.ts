// The NIP-46 test bunker (test/support/bunker.ts) against NDK's real NDKNip46Signer on a separate NDK.
import { expect, it } from "vitest";
import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, NDKNip46Signer, NDKPrivateKeySigner, NDKRelayStatus, NDKUser, ndkSignerFromPayload } from "@nostr-dev-kit/ndk";
import { verifyEvent, type NostrEvent } from "nostr-tools/pure";
import { eventually } from "../support/env";
import { allRelays } from "../support/bunker";
import { useBunkerRig } from "../support/bunkerRig";
import { rejectionOf, settlesWithin, within } from "../support/bounded";

const rig = useBunkerRig();
const { bunker, client } = rig;

function bunkerSigner(ndk: NDK, uri: string): NDKNip46Signer {
  const signer = NDKNip46Signer.bunker(ndk, uri);
  rig.defer(() => signer.stop());
  return signer;
}

/** A kind-1 note signed remotely, as NDK signs it (id computed locally, signature from the bunker). */
async function signNote(ndk: NDK, signer: NDKNip46Signer, content: string): Promise<NostrEvent> {
  const event = new NDKEvent(ndk, { kind: 1, content, tags: [] });
  await within(event.sign(signer), 5000, "remote sign_event");
  return event.rawEvent() as NostrEvent;
}

/** nostr-tools caches its verdict on the object: check a fresh copy. */
const verifies = (event: NostrEvent) => verifyEvent(JSON.parse(JSON.stringify(event)) as NostrEvent);

it("bunker:// without a secret: connect, get_public_key, switch_relays, then a remote sign_event that verifies", async () => {
  const b = await bunker();
  const ndk = await client();
  const signer = bunkerSigner(ndk, b.bunkerUri());
  const user = await within(signer.blockUntilReady(), 5000, "connect");
  expect(user.pubkey).toBe(b.userPubkey);
  expect(b.bunkerPubkey).toBe(b.userPubkey);

  const event = await signNote(ndk, signer, "signed by the bunker");
  expect(event.pubkey).toBe(b.userPubkey);
  expect(verifies(event)).toBe(true);
  expect(b.requests.map((r) => r.method)).toEqual(["connect", "get_public_key", "switch_relays", "sign_event"]);
  expect(b.requests[0]).toMatchObject({ withSecret: false, client: signer.localSigner.pubkey });
});

it("bunker pubkey ≠ user pubkey: the user key signs and encrypts, the bunker key only carries the traffic", async () => {
  const userKey = NDKPrivateKeySigner.generate();
  const b = await bunker({ userKey, bunkerKey: NDKPrivateKeySigner.generate() });
  expect(b.bunkerPubkey).not.toBe(b.userPubkey);
  const ndk = await client();
  const signer = bunkerSigner(ndk, b.bunkerUri());
  const user = await within(signer.blockUntilReady(), 5000, "connect");
  expect(user.pubkey).toBe(userKey.pubkey);
  expect(signer.bunkerPubkey).toBe(b.bunkerPubkey);

  const event = await signNote(ndk, signer, "by the user, through the bunker");
  expect(event.pubkey).toBe(userKey.pubkey);
  expect(verifies(event)).toBe(true);

  const peer = NDKPrivateKeySigner.generate();
  const [peerUser, userUser] = [new NDKUser({ pubkey: peer.pubkey }), new NDKUser({ pubkey: userKey.pubkey })];
  const sealed = await within(signer.encrypt(peerUser, "to the peer", "nip44"), 5000, "nip44_encrypt");
  expect(await peer.decrypt(userUser, sealed, "nip44")).toBe("to the peer");
  const reply = await peer.encrypt(userUser, "to the user", "nip44");
  expect(await within(signer.decrypt(peerUser, reply, "nip44"), 5000, "nip44_decrypt")).toBe("to the user");
});

it("bunker:// with a secret: accepted once; the same secret again, or no secret, is refused", async () => {
  const b = await bunker({ secret: "single-use-3f9a" });
  expect(b.bunkerUri()).toContain("secret=single-use-3f9a");
  expect(b.bunkerUri(false)).not.toContain("secret=");
  const ndk = await client();

  const first = bunkerSigner(ndk, b.bunkerUri());
  expect((await within(first.blockUntilReady(), 5000, "first connect")).pubkey).toBe(b.userPubkey);

  const again = bunkerSigner(ndk, b.bunkerUri());
  expect(String(await rejectionOf(again.blockUntilReady(), 5000, "second connect"))).toMatch(/already used secret/);
  const without = bunkerSigner(ndk, b.bunkerUri(false));
  expect(String(await rejectionOf(without.blockUntilReady(), 5000, "connect without secret"))).toMatch(/Not authorized/);

  const connects = b.requests.filter((r) => r.method === "connect");
  expect(connects.map((r) => [r.client, r.withSecret])).toEqual([
    [first.localSigner.pubkey, true],
    [again.localSigner.pubkey, true],
    [without.localSigner.pubkey, false],
  ]);
  // The client that used the secret keeps working.
  expect(verifies(await signNote(ndk, first, "still allowed"))).toBe(true);
});

it("nostrconnect://: the bunker answers the client's URI (secret-protected bunker, distinct keys)", async () => {
  const b = await bunker({ secret: "never-presented", bunkerKey: NDKPrivateKeySigner.generate() });
  const ndk = await client();
  const signer = NDKNip46Signer.nostrconnect(ndk, rig.relay.url, undefined, { name: "engine tests", perms: "sign_event:1" });
  rig.defer(() => signer.stop());
  const ready = signer.blockUntilReady();
  await b.answerNostrConnect(signer.nostrConnectUri!);
  const user = await within(ready, 5000, "nostrconnect");
  expect(user.pubkey).toBe(b.userPubkey);
  expect(signer.bunkerPubkey).toBe(b.bunkerPubkey);

  const event = await signNote(ndk, signer, "via nostrconnect");
  expect(event.pubkey).toBe(b.userPubkey);
  expect(verifies(event)).toBe(true);
  expect(b.requests.map((r) => r.method)).toEqual(["get_public_key", "switch_relays", "sign_event"]);
});

it("approval delay: the signer emits authUrl first, and the signature arrives after the delay", async () => {
  const authUrl = "https://bunker.test/approve?request=1";
  const b = await bunker({ approvalDelayMs: 600, authUrl });
  const ndk = await client();
  const signer = bunkerSigner(ndk, b.bunkerUri());
  await within(signer.blockUntilReady(), 5000, "connect");
  const seen: Array<{ url: string; at: number }> = [];
  signer.on("authUrl", (url: string) => {
    seen.push({ url, at: performance.now() });
  });

  const started = performance.now();
  const event = await signNote(ndk, signer, "approved later");
  const done = performance.now();
  expect(verifies(event)).toBe(true);
  expect(seen.map((s) => s.url)).toEqual([authUrl]);
  expect(done - started).toBeGreaterThanOrEqual(600);
  expect(done - seen[0]!.at).toBeGreaterThanOrEqual(500);
});

it("stopped: a sign gets no answer (bounded wait); after restart a new sign works, the lost one stays lost", async () => {
  const b = await bunker();
  const ndk = await client();
  const signer = bunkerSigner(ndk, b.bunkerUri());
  await within(signer.blockUntilReady(), 5000, "connect");
  const connected = rig.relay.connections();

  await b.stop();
  await eventually(() => rig.relay.connections() === connected - 2, 2000, "the bunker's two sockets to close");
  const lost = new NDKEvent(ndk, { kind: 1, content: "while stopped", tags: [] }).sign(signer);
  expect(await settlesWithin(lost, 800)).toBe(false);

  await b.restart();
  expect(rig.relay.connections()).toBe(connected);
  const event = await signNote(ndk, signer, "after restart");
  expect(verifies(event)).toBe(true);
  expect(b.requests.filter((r) => r.method === "sign_event")).toHaveLength(1);
  expect(await settlesWithin(lost, 50)).toBe(false);
});

it("restore from payload: re-sending the single-use secret is refused; listening without connect signs (#332)", async () => {
  const b = await bunker({ secret: "once-only-77" });
  const ndk = await client();
  const original = bunkerSigner(ndk, b.bunkerUri());
  await within(original.blockUntilReady(), 5000, "connect");
  const payload = original.toPayload();
  original.stop();

  const later = await client();
  const restore = async () => {
    const signer = (await ndkSignerFromPayload(payload, later)) as NDKNip46Signer;
    rig.defer(() => signer.stop());
    // Its RPC pool starts connecting now; NDK warns on the console when asked to publish before that.
    await eventually(() => allRelays(later).every((r) => r.status >= NDKRelayStatus.CONNECTED), 2000, "RPC relay");
    return signer;
  };
  const reconnecting = await restore();
  expect(String(await rejectionOf(reconnecting.blockUntilReady(), 5000, "re-connect"))).toMatch(/already used secret/);
  reconnecting.stop();

  const restored = await restore();
  expect(restored.pubkey).toBe(b.userPubkey);
  const unheard = new NDKEvent(later, { kind: 1, content: "no listener yet", tags: [] }).sign(restored);
  expect(await settlesWithin(unheard, 500)).toBe(false); // NDK 3.0.3: fromPayload never subscribes
  await within((restored as unknown as { startListening(): Promise<void> }).startListening(), 5000, "startListening");
  const event = await signNote(later, restored, "after restore");
  expect([event.pubkey, verifies(event)]).toEqual([b.userPubkey, true]);
  expect(b.requests.filter((r) => r.method === "connect").map((r) => r.withSecret)).toEqual([true, true]);
});
