// The signer call policy (src/effects/signerQueue.ts) with real signers: NDK private keys, wrapped to be
// slow, silent or lying, and NDK's NIP-46 signer against the test bunker.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { NDKEvent, NDKNip46Signer, NDKPrivateKeySigner, NDKUser, type NDKSigner, type NostrEvent as NdkRaw } from "@nostr-dev-kit/ndk";
import { verifyEvent, type NostrEvent } from "nostr-tools/pure";
import { SessionError } from "../../src/errors";
import { createSignerGate } from "../../src/effects/signerQueue";
import { SignerCancelledError, SignerMismatchError, SignerTimeoutError } from "../../src/effects/signerErrors";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import { connectedNdk, eventually, withRelay } from "../support/env";
import { disconnectAll, startBunker, type Bunker } from "../support/bunker";
import { rejectionOf, within } from "../support/bounded";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const verifies = (event: NostrEvent) => verifyEvent(JSON.parse(JSON.stringify(event)) as NostrEvent);
const key = NDKPrivateKeySigner.generate();
const peer = NDKPrivateKeySigner.generate();
const [keyUser, peerUser] = [new NDKUser({ pubkey: key.pubkey }), new NDKUser({ pubkey: peer.pubkey })];

/** `key`, with `sign` (and optionally encryption) replaced; what NDK's interface allows a signer to do. */
function signerWith(overrides: { sign?: (event: NdkRaw) => Promise<unknown>; around?: <T>(label: string, work: () => Promise<T>) => Promise<T> }): NDKSigner {
  const around = overrides.around ?? (<T>(_: string, work: () => Promise<T>) => work());
  return {
    pubkey: key.pubkey,
    user: () => key.user(),
    sign: (event: NdkRaw) => around(event.content, () => (overrides.sign ?? ((e: NdkRaw) => key.sign(e)))(event)),
    encrypt: (user: NDKUser, value: string, scheme: "nip44") => around("encrypt", () => key.encrypt(user, value, scheme)),
    decrypt: (user: NDKUser, value: string, scheme: "nip44") => around("decrypt", () => key.decrypt(user, value, scheme)),
  } as unknown as NDKSigner;
}

/** A signer whose n-th call takes delays[n] ms; it logs starts and ends and the most calls it had at once. */
function slowSigner(delays: number[]) {
  const log: string[] = [];
  let calls = 0;
  let active = 0;
  const stats = { maxActive: 0 };
  const signer = signerWith({
    around: async (label, work) => {
      const wait = delays[calls++] ?? 0;
      stats.maxActive = Math.max(stats.maxActive, ++active);
      log.push(`start ${label}`);
      await sleep(wait);
      const value = await work();
      log.push(`end ${label}`);
      active--;
      return value;
    },
  });
  return { signer, log, stats };
}

it("FIFO: concurrent calls run one at a time, in call order (the same signer overlaps without the gate)", async () => {
  const sealed = await peer.encrypt(keyUser, "for key", "nip44");
  const bare = slowSigner([90, 60, 30, 0]);
  await Promise.all([
    bare.signer.sign({ kind: 1, content: "a", tags: [], created_at: 1, pubkey: key.pubkey }),
    bare.signer.encrypt(peerUser, "b", "nip44"),
    bare.signer.sign({ kind: 1, content: "c", tags: [], created_at: 1, pubkey: key.pubkey }),
    bare.signer.decrypt(peerUser, sealed, "nip44"),
  ]);
  expect(bare.stats.maxActive).toBe(4);
  expect(bare.log.slice(4)).toEqual(["end decrypt", "end c", "end encrypt", "end a"]);

  const slow = slowSigner([90, 60, 30, 0]);
  const gate = createSignerGate(slow.signer, key.pubkey, { timeoutMs: 1000 });
  const results = await Promise.all([
    gate.sign({ kind: 1, content: "a" }),
    gate.encrypt(peer.pubkey, "b"),
    gate.sign({ kind: 1, content: "c" }),
    gate.decrypt(peerUser, sealed),
  ]);
  expect(slow.stats.maxActive).toBe(1);
  expect(slow.log).toEqual(["start a", "end a", "start encrypt", "end encrypt", "start c", "end c", "start decrypt", "end decrypt"]);
  const [a, b, c, d] = results as [NostrEvent, string, NostrEvent, string];
  expect([a.content, verifies(a), c.content, verifies(c)]).toEqual(["a", true, "c", true]);
  expect(await peer.decrypt(keyUser, b, "nip44")).toBe("b");
  expect(d).toBe("for key");
  expect(gate.pending()).toBe(0);
});

it("the timeout counts from each call's start, not from when it was queued", async () => {
  const slow = slowSigner([100, 100, 100]);
  const gate = createSignerGate(slow.signer, key.pubkey, { timeoutMs: 150 });
  const started = performance.now();
  const events = await Promise.all(["1", "2", "3"].map((content) => gate.sign({ kind: 1, content })));
  expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  expect(events.map((e) => e.content)).toEqual(["1", "2", "3"]);
});

it("timeout: a signer that never answers rejects with SignerTimeoutError; the queue moves on", async () => {
  let first = true;
  const signer = signerWith({ sign: (e) => (first ? ((first = false), new Promise(() => {})) : key.sign(e)) });
  const gate = createSignerGate(signer, key.pubkey, { timeoutMs: 120 });
  const started = performance.now();
  const hung = gate.sign({ kind: 1, content: "hangs" });
  const next = gate.sign({ kind: 1, content: "next" });
  const error = await rejectionOf(hung, 2000, "hung sign");
  const elapsed = performance.now() - started;
  expect(error).toBeInstanceOf(SignerTimeoutError);
  expect(error).toBeInstanceOf(SessionError);
  expect((error as SessionError).code).toBe("signer-timeout");
  expect(elapsed).toBeGreaterThanOrEqual(119);
  expect(elapsed).toBeLessThan(1000);
  expect(verifies(await within(next, 1000, "next sign"))).toBe(true);
});

const other = NDKPrivateKeySigner.generate();
it.each([
  ["signed by another key", (e: NdkRaw) => other.sign(e)],
  ["signed over changed content", (e: NdkRaw) => key.sign({ ...e, content: `${e.content} (edited)` })],
  ["signed over another created_at", (e: NdkRaw) => key.sign({ ...e, created_at: e.created_at + 1 })],
  ["a signature of garbage", async () => "ab".repeat(64)],
  ["no signature at all", async () => undefined],
])("a lying signer (%s) gets SignerMismatchError, and the NDKEvent stays unsigned", async (_, sign) => {
  const gate = createSignerGate(signerWith({ sign }), key.pubkey, { timeoutMs: 1000 });
  const template = await rejectionOf(gate.sign({ kind: 1, content: "hello" }), 2000, "template");
  expect(template).toBeInstanceOf(SignerMismatchError);
  expect(template).toBeInstanceOf(SessionError);
  expect((template as SessionError).code).toBe("signer-mismatch");

  const event = new NDKEvent(undefined, { kind: 1, content: "hello", tags: [] });
  expect(await rejectionOf(gate.sign(event), 2000, "NDKEvent")).toBeInstanceOf(SignerMismatchError);
  expect(event.sig).toBeFalsy();
});

it("a signer that writes into what it was handed cannot change the event returned (or the NDKEvent)", async () => {
  const signer = signerWith({
    sign: async (e) => {
      const sig = await key.sign(e); // NDK's private-key signer itself writes pubkey, id and sig into e
      e.content = "tampered";
      e.tags.push(["p", other.pubkey]);
      return sig;
    },
  });
  const gate = createSignerGate(signer, key.pubkey, { timeoutMs: 1000 });
  const returned = await gate.sign({ kind: 1, content: "original", tags: [["t", "x"]] });
  expect([returned.content, returned.tags, verifies(returned)]).toEqual(["original", [["t", "x"]], true]);

  const event = new NDKEvent(undefined, { kind: 1, content: "original", tags: [] });
  const signed = await gate.sign(event);
  expect(event.rawEvent()).toEqual(signed);
  expect([event.content, event.tags, verifies(event.rawEvent() as NostrEvent)]).toEqual(["original", [], true]);
});

it("cancel: a queued call and a running call reject with SignerCancelledError; the next call runs", async () => {
  let first = true;
  const gate = createSignerGate(signerWith({ sign: (e) => (first ? ((first = false), new Promise(() => {})) : key.sign(e)) }), key.pubkey, {
    timeoutMs: 10_000,
  });
  const [running, queued] = [new AbortController(), new AbortController()];
  const hung = gate.sign({ kind: 1, content: "hangs" }, { signal: running.signal });
  const waiting = gate.sign({ kind: 1, content: "queued" }, { signal: queued.signal });
  const last = gate.sign({ kind: 1, content: "last" });
  queued.abort();
  expect(await rejectionOf(waiting, 200, "queued")).toBeInstanceOf(SignerCancelledError);
  expect(gate.pending()).toBe(3);
  running.abort();
  expect(await rejectionOf(hung, 200, "running")).toBeInstanceOf(SignerCancelledError);
  expect((await within(last, 1000, "last")).content).toBe("last");
  expect(gate.pending()).toBe(0);
});

it("an approval probe pauses the timer while it says the user is being asked", async () => {
  let asking = false;
  const signer = signerWith({
    sign: async (e) => {
      asking = true;
      await sleep(300);
      asking = false;
      await sleep(30);
      return key.sign(e);
    },
  });
  const paused = createSignerGate(signer, key.pubkey, { timeoutMs: 150, approval: { waiting: () => asking } });
  const pending = paused.sign({ kind: 1, content: "approved" });
  await eventually(() => paused.awaitingApproval(), 200, "awaiting approval");
  expect(verifies(await within(pending, 2000, "probe sign"))).toBe(true);
  expect(paused.awaitingApproval()).toBe(false);

  const counted = createSignerGate(signer, key.pubkey, { timeoutMs: 150, approval: false });
  expect(await rejectionOf(counted.sign({ kind: 1, content: "too slow" }), 2000, "unpaused")).toBeInstanceOf(SignerTimeoutError);
});

let relay: LoopbackRelay;
let bunker: Bunker;
const authUrl = "https://bunker.test/approve";
const cleanups: Array<() => Promise<void> | void> = [];
beforeAll(async () => {
  relay = await withRelay();
  bunker = await startBunker(relay.url, relay, { approvalDelayMs: 700, authUrl, bunkerKey: NDKPrivateKeySigner.generate() });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await bunker.close();
  await eventually(() => relay.connections() === 0, 3000, "all sockets closed");
  await relay.close();
});

async function connectedSigner(flow: "bunker" | "nostrconnect"): Promise<NDKNip46Signer> {
  const ndk = await connectedNdk([relay.url]);
  cleanups.push(() => disconnectAll(ndk));
  const signer = flow === "bunker" ? NDKNip46Signer.bunker(ndk, bunker.bunkerUri()) : NDKNip46Signer.nostrconnect(ndk, relay.url);
  cleanups.push(() => signer.stop());
  const ready = signer.blockUntilReady();
  if (flow === "nostrconnect") await bunker.answerNostrConnect(signer.nostrConnectUri!);
  await within(ready, 5000, `${flow} connect`);
  return signer;
}

it.each(["bunker", "nostrconnect"] as const)("NIP-46 (%s): an approval longer than the timeout still succeeds; without the pause it times out", async (flow) => {
  const signer = await connectedSigner(flow);
  const forwarded: string[] = [];
  signer.on("authUrl", (url: string) => void forwarded.push(url));
  const urls: string[] = [];
  const gate = createSignerGate(signer, bunker.userPubkey, { timeoutMs: 300, onAuthUrl: (url) => urls.push(url) });
  const started = performance.now();
  const event = await within(gate.sign({ kind: 1, content: `approved via ${flow}` }), 5000, "approved sign");
  expect(performance.now() - started).toBeGreaterThanOrEqual(700);
  expect(event.pubkey).toBe(bunker.userPubkey);
  expect(verifies(event)).toBe(true);
  expect(urls).toEqual([authUrl]);
  // NDK 3.0.3 re-emits authUrl on the signer only after a bunker:// connect; the gate listens to signer.rpc.
  expect(forwarded).toEqual(flow === "bunker" ? [authUrl] : []);

  const unpaused = createSignerGate(signer, bunker.userPubkey, { timeoutMs: 300, approval: false });
  expect(await rejectionOf(unpaused.sign({ kind: 1, content: "not paused" }), 2000, "unpaused")).toBeInstanceOf(SignerTimeoutError);
});

it("NIP-46: a stopped bunker gives SignerTimeoutError; after restart the same gate signs again", async () => {
  const signer = await connectedSigner("bunker");
  const gate = createSignerGate(signer, bunker.userPubkey, { timeoutMs: 300 });
  await bunker.stop();
  expect(await rejectionOf(gate.sign({ kind: 1, content: "nobody home" }), 2000, "stopped")).toBeInstanceOf(SignerTimeoutError);
  await bunker.restart();
  const event = await within(gate.sign({ kind: 1, content: "back" }), 5000, "after restart");
  expect(verifies(event)).toBe(true);
});
