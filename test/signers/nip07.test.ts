// NIP-07 effects in Node, against a `window.nostr` backed by a real key (test/support/nip07.ts).
import { afterAll, afterEach, beforeEach, expect, it, vi } from "vitest";
import NDK, { NDKEvent, NDKUser } from "@nostr-dev-kit/ndk";
import { generateSecretKey, getPublicKey, verifyEvent, type NostrEvent } from "nostr-tools/pure";
import * as nip44 from "nostr-tools/nip44";
import { checkExtension, nip07SignerFor, watchFocus } from "../../src/effects/nip07";
import { createFakeNip07, type FakeNip07 } from "../support/nip07";

const alice = generateSecretKey();
const bob = generateSecretKey();
const [alicePub, bobPub] = [getPublicKey(alice), getPublicKey(bob)];
const ndk = new NDK({ explicitRelayUrls: [], enableOutboxModel: false, autoConnectUserRelays: false });
const consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((method) => vi.spyOn(console, method));
let fake: FakeNip07;

beforeEach(() => {
  fake = createFakeNip07(alice); // installs on globalThis.window (= globalThis)
});
afterEach(() => fake.remove());
afterAll(() => {
  // checkExtension and the effects never log, whatever happened above.
  for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

/** A fresh object (nostr-tools caches a verdict on the object it verified or signed). */
const verifies = (event: NostrEvent) => verifyEvent(JSON.parse(JSON.stringify(event)) as NostrEvent);
const timed = async <T>(work: Promise<T>) => {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
};

it("ok: the extension answers the expected pubkey", async () => {
  expect(globalThis.window).toBe(globalThis);
  expect(await checkExtension(alicePub, { timeoutMs: 500 })).toEqual({ status: "ok" });
  expect(await checkExtension(alicePub.toUpperCase(), { timeoutMs: 500 })).toEqual({ status: "ok" });
  expect(fake.calls.getPublicKey).toBe(2);
});

it("missing: no window.nostr within the time, and getPublicKey is never asked", async () => {
  fake.remove();
  const { value, ms } = await timed(checkExtension(alicePub, { timeoutMs: 150 }));
  expect(value).toEqual({ status: "missing" });
  expect(ms).toBeGreaterThanOrEqual(140);
  expect(ms).toBeLessThan(600);
  expect(fake.calls.getPublicKey).toBe(0);
});

it("an extension that injects window.nostr late, within the time, is found", async () => {
  fake.remove();
  setTimeout(() => fake.install(), 80);
  expect(await checkExtension(alicePub, { timeoutMs: 1000 })).toEqual({ status: "ok" });
});

it("other-account: the extension now answers for another key", async () => {
  expect(fake.switchAccount(bob)).toBe(bobPub);
  expect(await checkExtension(alicePub, { timeoutMs: 500 })).toEqual({ status: "other-account", pubkey: bobPub });
});

it("no-answer: getPublicKey slower than the timeout, a refusal, or garbage", async () => {
  fake.getPublicKeyDelayMs = 400;
  const { value, ms } = await timed(checkExtension(alicePub, { timeoutMs: 100 }));
  expect(value).toEqual({ status: "no-answer" });
  expect(ms).toBeLessThan(350);
  expect(fake.calls.getPublicKey).toBe(1);

  fake.getPublicKeyDelayMs = Infinity; // never answers
  expect(await checkExtension(alicePub, { timeoutMs: 50 })).toEqual({ status: "no-answer" });

  const refusing = { nostr: { getPublicKey: () => Promise.reject(new Error("User rejected")) } };
  const throwing = { nostr: { getPublicKey: () => { throw new Error("boom"); } } };
  const garbage = { nostr: { getPublicKey: async () => "not a pubkey" } };
  for (const win of [refusing, throwing, garbage])
    expect(await checkExtension(alicePub, { timeoutMs: 200, win: win as unknown as typeof globalThis })).toEqual({ status: "no-answer" });
});

it("a real NDKNip07Signer signs through the fake; the event verifies; NIP-44 round-trips", async () => {
  const signer = nip07SignerFor(ndk, 500);
  expect((await signer.user()).pubkey).toBe(alicePub);

  const event = new NDKEvent(ndk, { kind: 1, content: "hello from a NIP-07 extension", tags: [["t", "nip07"]] });
  await event.sign(signer);
  const raw = event.rawEvent() as NostrEvent;
  expect(raw.pubkey).toBe(alicePub);
  expect(verifies(raw)).toBe(true);
  expect(fake.calls.signEvent).toBe(1);

  const sealed = await signer.encrypt(new NDKUser({ pubkey: bobPub }), "private mute", "nip44");
  expect(nip44.decrypt(sealed, nip44.getConversationKey(bob, alicePub))).toBe("private mute");
  expect(await signer.decrypt(new NDKUser({ pubkey: bobPub }), sealed, "nip44")).toBe("private mute");
  expect([fake.calls["nip44.encrypt"], fake.calls["nip44.decrypt"]]).toEqual([1, 1]);
});

it("NDK caches the user: after an account switch it still says the old pubkey and its event fails verification", async () => {
  const signer = nip07SignerFor(ndk, 500);
  expect((await signer.user()).pubkey).toBe(alicePub);
  fake.switchAccount(bob);
  expect((await signer.user()).pubkey).toBe(alicePub); // memoised

  const event = new NDKEvent(ndk, { kind: 1, content: "signed after the switch", tags: [] });
  await event.sign(signer); // NDK keeps only the extension's sig, over bob's id
  expect(event.pubkey).toBe(alicePub);
  expect(verifies(event.rawEvent() as NostrEvent)).toBe(false);
  expect(await checkExtension(alicePub, { timeoutMs: 500 })).toEqual({ status: "other-account", pubkey: bobPub });
});

it("NDKNip07Signer without an extension rejects after its waitTimeout", async () => {
  fake.remove();
  const { value, ms } = await timed(nip07SignerFor(ndk, 150).blockUntilReady().then(() => "ready", (error: Error) => error.message));
  expect(value).toBe("NIP-07 extension not available");
  expect(ms).toBeGreaterThanOrEqual(140);
  expect(ms).toBeLessThan(600);
});

it("watchFocus: window focus and visibilitychange to visible call back; cleanup stops it; a no-op in Node", () => {
  const stopNode = watchFocus(() => {
    throw new Error("never called in Node");
  });
  stopNode();
  stopNode();

  const doc = Object.assign(new EventTarget(), { visibilityState: "hidden" });
  const win = Object.assign(new EventTarget(), { document: doc }) as unknown as typeof globalThis;
  let calls = 0;
  const stop = watchFocus(() => calls++, win);
  win.dispatchEvent(new Event("focus"));
  doc.dispatchEvent(new Event("visibilitychange")); // hidden: not a return
  expect(calls).toBe(1);
  doc.visibilityState = "visible";
  doc.dispatchEvent(new Event("visibilitychange"));
  expect(calls).toBe(2);
  stop();
  stop();
  win.dispatchEvent(new Event("focus"));
  doc.dispatchEvent(new Event("visibilitychange"));
  expect(calls).toBe(2);
});
