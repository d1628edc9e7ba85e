// NIP-46 sessions end to end: NDK's real NDKNip46Backend (test/support/bunker.ts) on the loopback relay.
import { expect, it } from "vitest";
import { NDKEvent, NDKNip46Signer, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { connectedNdk, eventually, withRelay, type NDK } from "../support/env";
import { disconnectAll } from "../support/bunker";
import { useBunkerRig } from "../support/bunkerRig";
import { managerFor } from "../support/engine";
import { within } from "../support/bounded";
import { MemoryStorage } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";

const rig = useBunkerRig();
const { bunker, client } = rig;
const note = (ndk: NDK, content: string) => new NDKEvent(ndk, { kind: 1, content, tags: [] });

it("a bunker:// login (with secret, bunker key ≠ user key) signs through ndk.signer, one verified event", async () => {
  const b = await bunker({ secret: "one-time-secret", bunkerKey: NDKPrivateKeySigner.generate() });
  expect(b.bunkerPubkey).not.toBe(b.userPubkey);
  const ndk = await client();
  const { manager, ready } = managerFor(ndk, { timeouts: { signerMs: 3000 } });
  rig.defer(() => manager.destroy());
  const pubkey = await manager.login(NDKNip46Signer.bunker(ndk, b.bunkerUri(true)));
  expect(pubkey).toBe(b.userPubkey);
  await ready(pubkey);
  const event = note(ndk, "signed remotely");
  await within(event.publish(), 5000, "publish");
  const fetched = await within(ndk.fetchEvent({ ids: [event.id] }), 5000, "fetch back");
  expect(fetched?.pubkey).toBe(b.userPubkey);
});

it("approval time does not count: a sign waiting longer than the timeout succeeds, shown as awaitingApproval", async () => {
  const b = await bunker({ approvalDelayMs: 1500, authUrl: "https://bunker.example/approve/1" });
  const ndk = await client();
  const news: string[] = [];
  const told: string[] = [];
  const { manager, ready, signer, signerState } = managerFor(ndk, { timeouts: { signerMs: 600 }, onAuthUrl: (url, pk) => told.push(`${pk}:${url}`) });
  rig.defer(() => manager.destroy());
  const pubkey = await manager.login(NDKNip46Signer.bunker(ndk, b.bunkerUri(false)));
  await ready(pubkey);
  await signer(pubkey);
  const signing = note(ndk, "needs approval").sign();
  await signer(pubkey, "awaitingApproval", 2000);
  const snapshot = manager.actor.system.get(`session:${pubkey}`)!.getSnapshot();
  news.push(snapshot.context.approvalUrl);
  await within(signing, 5000, "the approved sign");
  await signer(pubkey, "ready", 2000);
  expect(signerState(pubkey)).toBe("ready");
  expect(news).toEqual(["https://bunker.example/approve/1"]);
  expect(told).toEqual([`${pubkey}:https://bunker.example/approve/1`]);
});

it("restores from a sealed payload without re-sending the single-use secret, and signs", async () => {
  const b = await bunker({ secret: "only-once" });
  const key = await generateSealingKey();
  const storage = new MemoryStorage();
  const first = await client();
  const one = managerFor(first, { storage, secrets: { key }, timeouts: { signerMs: 3000 } });
  const pubkey = await one.manager.login(NDKNip46Signer.bunker(first, b.bunkerUri(true)));
  await one.ready(pubkey);
  await one.manager.persist();
  await one.manager.destroy();
  const stored = (await storage.getItem("state"))!;
  expect(stored).not.toContain("only-once");
  expect(stored).toContain('"aes-gcm"');

  const second = await client();
  const two = managerFor(second, { storage, secrets: { key }, timeouts: { signerMs: 3000 } });
  rig.defer(() => two.manager.destroy());
  await two.manager.restore();
  await two.ready(pubkey);
  await within(note(second, "after restore").sign(), 5000, "sign after restore");
  expect(b.requests.filter((r) => r.method === "connect").length).toBe(1);
});

it("a bunker that goes away mid-session: the sign times out, the session says so, and recovers when it is back", async () => {
  const b = await bunker();
  const ndk = await client();
  const { manager, ready, signer } = managerFor(ndk, { timeouts: { signerMs: 400, fetchMs: 2000 }, retry: { baseMs: 100, maxMs: 300 } });
  rig.defer(() => manager.destroy());
  const pubkey = await manager.login(NDKNip46Signer.bunker(ndk, b.bunkerUri(false)));
  await ready(pubkey);
  await b.stop();
  await expect(note(ndk, "nobody signs this").sign()).rejects.toMatchObject({ code: "signer-timeout" });
  await signer(pubkey, "retrying", 2000);
  expect(manager.getSession(pubkey)!.signerFailure!.code).toBe("signer-timeout");
  expect(manager.getSession(pubkey)!.status).toBe("ready"); // its lists are not the bunker's business
  await b.restart();
  await signer(pubkey, "ready", 8000);
  await within(note(ndk, "signed again").sign(), 5000, "sign after recovery");
});

it("nostrconnect:// pairing: the app shows a URI, the remote signer answers it, the session signs", async () => {
  const b = await bunker();
  const ndk = await client();
  const { manager, ready } = managerFor(ndk, { timeouts: { signerMs: 300 } });
  rig.defer(() => manager.destroy());
  const { uri, session } = manager.nostrConnect({ relay: rig.relay.url, name: "ndk-session-engine tests", perms: "sign_event:1" });
  expect(uri).toMatch(/^nostrconnect:\/\//);
  await new Promise((r) => setTimeout(r, 500)); // longer than signerMs: a person pairing is not timed out
  await b.answerNostrConnect(uri);
  const pubkey = await within(session, 5000, "pairing");
  expect(pubkey).toBe(b.userPubkey);
  await ready(pubkey);
  await within(note(ndk, "paired").sign(), 5000, "sign after pairing");

  const controller = new AbortController();
  const abandoned = manager.nostrConnect({ relay: rig.relay.url, signal: controller.signal });
  controller.abort();
  await expect(abandoned.session).rejects.toMatchObject({ code: "signer-cancelled" });
});

it("logout stops the remote signer's listener and closes its own connection", async () => {
  const b = await bunker();
  const ndk = await client();
  const { manager, ready } = managerFor(ndk, { timeouts: { signerMs: 3000 } });
  rig.defer(() => manager.destroy());
  const before = rig.relay.connections();
  const pubkey = await manager.login(NDKNip46Signer.bunker(ndk, b.bunkerUri(false)));
  await ready(pubkey);
  const listening = rig.relay.connections();
  expect(listening).toBeGreaterThan(before); // the signer's own socket
  manager.logout(pubkey);
  await eventually(() => rig.relay.connections() === before, 3000, "the signer's socket closed");
});

it("a relay outage during a NIP-46 session's fetch retries the lists only: the bunker gets no new request", async () => {
  const b = await bunker();
  const lists = await withRelay();
  const port = Number(new URL(lists.url).port);
  const ndk = await connectedNdk([lists.url]); // lists on their own relay; the bunker talks on the rig's
  rig.defer(() => disconnectAll(ndk));
  const { manager, ready, signer, status } = managerFor(ndk, { timeouts: { signerMs: 2000, fetchMs: 300 }, retry: { baseMs: 100, maxMs: 200 } });
  rig.defer(() => manager.destroy());
  const pubkey = await manager.login(NDKNip46Signer.bunker(ndk, b.bunkerUri(false)));
  await ready(pubkey);
  await signer(pubkey);
  const asked = b.requests.length;
  const signerStates: string[] = [];
  manager.select((state) => state.sessions.get(pubkey)?.signerState).subscribe((state) => signerStates.push(state!));

  await lists.close();
  manager.refresh(pubkey);
  await eventually(() => status(pubkey) === "error", 3000, "the lists retrying");
  expect(manager.getSession(pubkey)!.failure!.code).toMatch(/offline|relay-timeout/);
  const back = await withRelay({ port });
  rig.defer(() => back.close());
  await ready(pubkey, 8000);
  expect(signerStates).toEqual([]); // the signer region never moved
  expect(b.requests.length).toBe(asked);
  await within(note(ndk, "still signs").sign(), 5000, "a sign after the outage");
});
