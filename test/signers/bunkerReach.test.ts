// bunker:// logins that cannot work: a malformed address is refused before anything is dialled; a bunker
// whose relays cannot be reached fails within timeouts.connectMs; a person's approval is never part of it.
import { expect, it } from "vitest";
import { createServer, type Server, type Socket } from "node:net";
import { NDKNip46Signer, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { useBunkerRig } from "../support/bunkerRig";
import { managerFor } from "../support/engine";
import { connectedNdk, eventually } from "../support/env";
import { rejectionOf, within } from "../support/bounded";
import { HandleWatch } from "../support/handles";
import { BunkerUnreachableError, SignerError } from "../../src";

const rig = useBunkerRig();
const SECRET = "s3cret-value-7Qx";
const pubkey = NDKPrivateKeySigner.generate().pubkey;
const enc = encodeURIComponent;

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));

/** A 127.0.0.1 port nothing listens on: bound, read, and closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts TCP and never answers the WebSocket handshake: a relay behind a black hole. */
async function silentRelay() {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.resume(); // read (and drop) the handshake, or the client's close is never seen
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  rig.defer(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `ws://127.0.0.1:${port}`, accepted: () => accepted, open: () => sockets.size };
}

/** A manager on an NDK with no relays of its own: every socket and timer seen is the bunker's. */
async function bareManager(timeouts: { connectMs: number; signerMs?: number }) {
  const ndk = await connectedNdk([]);
  const { manager } = managerFor(ndk, { timeouts: { signerMs: 10_000, ...timeouts } });
  rig.defer(() => manager.destroy());
  return { ndk, manager };
}

function watchHandles(): HandleWatch {
  const watch = new HandleWatch();
  rig.defer(() => watch.stop());
  return watch;
}

/**
 * Until nothing the login made is alive. Each NDK relay re-arms a 30 s validation tick for life, with
 * no handle to clear: it is run here once, as its timer would, and must not arm another.
 */
async function nothingLeft(watch: HandleWatch): Promise<void> {
  const isTick = (where: string) => where.includes("updateValidationRatio");
  for (const tick of watch.alive().filter((h) => isTick(h.where))) {
    const timer = tick.resource as NodeJS.Timeout & { _onTimeout(): void };
    const fire = timer._onTimeout.bind(timer);
    clearTimeout(timer);
    fire();
  }
  await eventually(() => watch.alive().length === 0, 2000, "the bunker's timers and sockets to go").catch(() => {});
  expect(watch.alive().map((h) => `${h.type} ${h.where.split("\n")[0]!.trim()}`)).toEqual([]);
}

function expectNoSecret(error: unknown): void {
  const { message, stack } = error as Error;
  expect(message).not.toContain(SECRET);
  expect(message).not.toContain("secret=");
  expect(String(stack)).not.toContain(SECRET);
}

it("a malformed bunker:// address fails at once with invalid-login saying what is wrong, dials nothing, shows no secret", async () => {
  const { ndk, manager } = await bareManager({ connectMs: 10_000 });
  const relay = enc(rig.relay.url);
  const cases: Array<[uri: string, says: RegExp]> = [
    [`bunker://zz?relay=${relay}&secret=${SECRET}`, /pubkey is not 64 lower-case hex characters \(it has 2\)/],
    [`bunker://${pubkey.toUpperCase()}?relay=${relay}&secret=${SECRET}`, /upper-case letters; NIP-46 pubkeys are 64 lower-case hex/],
    [`bunker://${"00".repeat(32)}?relay=${relay}&secret=${SECRET}`, /not a point on secp256k1/],
    [`bunker://${pubkey}?secret=${SECRET}`, /no relay= parameter/],
    [`bunker://${pubkey}?relay=${enc("https://relay.example")}&secret=${SECRET}`, /the relay is not a ws:\/\/ or wss:\/\/ URL \(it is https:\/\/\)/],
    [`bunker://${pubkey}?relay=${relay}&relay=not%20a%20relay&secret=${SECRET}`, /relay 2 is not a URL/],
    [`bunker://not a url?relay=${relay}&secret=${SECRET}`, /could not be read as a URL/],
  ];
  const watch = watchHandles();
  for (const [uri, says] of cases) {
    const error = await rejectionOf(manager.login(uri), 500, uri);
    expect(error).toBeInstanceOf(SignerError);
    expect(error).toMatchObject({ name: "SignerError", code: "invalid-login" });
    expect((error as Error).message).toMatch(says);
    expectNoSecret(error);
  }
  // NDK was never handed one of them: no RPC pool, no socket, no timer.
  expect(ndk.pools).toHaveLength(1);
  expect(watch.alive()).toEqual([]);
  expect(manager.getSessions().size).toBe(0);
});

it("a bunker whose relay refuses: bunker-unreachable naming the relay, as soon as it refuses; nothing left behind", async () => {
  const port = await closedPort();
  const connectMs = 5000;
  const { ndk, manager } = await bareManager({ connectMs });
  const watch = watchHandles();
  const started = performance.now();
  const error = await rejectionOf(manager.login(`bunker://${pubkey}?relay=${enc(`ws://127.0.0.1:${port}`)}&secret=${SECRET}`), connectMs + 1000, "login");
  expect(error).toBeInstanceOf(BunkerUnreachableError);
  expect(error).toMatchObject({ code: "bunker-unreachable", relays: [`ws://127.0.0.1:${port}`] });
  expect((error as Error).message).toContain(`ws://127.0.0.1:${port}`);
  expectNoSecret(error);
  // NDK never dials a refused relay again, so the refusal, not the deadline, ends the wait.
  expect(performance.now() - started).toBeLessThan(connectMs);
  expect(manager.getSessions().size).toBe(0);
  expect(ndk.pools).toHaveLength(1); // the bunker's RPC pool is gone from the NDK
  await nothingLeft(watch);
});

it("relays that never answer the handshake: bunker-unreachable at connectMs, naming each; the half-open socket is closed", async () => {
  const silent = await silentRelay();
  const refused = `ws://127.0.0.1:${await closedPort()}`;
  const connectMs = 600;
  const { manager } = await bareManager({ connectMs });
  const watch = watchHandles();
  const started = performance.now();
  const login = manager.login(`bunker://${pubkey}?relay=${enc(silent.url)}&relay=${enc(refused)}&secret=${SECRET}`);
  const error = await rejectionOf(login, connectMs + 2000, "login");
  expect(performance.now() - started).toBeGreaterThanOrEqual(connectMs - 2); // timers may round down by a millisecond
  expect(silent.accepted()).toBe(1);
  expect(error).toMatchObject({ name: "BunkerUnreachableError", code: "bunker-unreachable", relays: [silent.url, refused], timeoutMs: connectMs });
  expect((error as Error).message).toBe(`The remote signer's relays ${silent.url}, ${refused} could not be reached within ${connectMs} ms`);
  expectNoSecret(error);
  expect(manager.getSessions().size).toBe(0);
  await eventually(() => silent.open() === 0, 2000, "the half-open socket to close");
  await nothingLeft(watch);
});

it("cancelling while the bunker's relay is still connecting ends the login at once, and closes the socket", async () => {
  const silent = await silentRelay();
  const { manager } = await bareManager({ connectMs: 30_000 });
  const controller = new AbortController();
  const login = manager.login(`bunker://${pubkey}?relay=${enc(silent.url)}`, { signal: controller.signal });
  await eventually(() => silent.accepted() === 1, 2000, "the bunker's relay to be dialled");
  controller.abort();
  expect(await rejectionOf(login, 1000, "cancelled login")).toMatchObject({ code: "signer-cancelled" });
  await eventually(() => silent.open() === 0, 2000, "the half-open socket to close");
  expect(manager.getSessions().size).toBe(0);
});

it("the app's own NDKNip46Signer with an unreachable relay fails the same way, and is left to the app", async () => {
  const port = await closedPort();
  const { ndk, manager } = await bareManager({ connectMs: 5000 });
  const signer = NDKNip46Signer.bunker(ndk, `bunker://${pubkey}?relay=${enc(`ws://127.0.0.1:${port}`)}`);
  const error = await rejectionOf(manager.login(signer), 6000, "login");
  expect(error).toMatchObject({ code: "bunker-unreachable", relays: [`ws://127.0.0.1:${port}`] });
  expect(ndk.pools).toHaveLength(2); // its pool is the app's to close
  expect(manager.getSessions().size).toBe(0);
});

it("an approval slower than the connect wait still logs in: only reaching the bunker's relay is timed", async () => {
  const approvalDelayMs = 1200;
  const b = await rig.bunker({ secret: SECRET, approvalOn: ["connect"], approvalDelayMs });
  const ndk = await rig.client();
  const connectMs = 300;
  const { manager, ready } = managerFor(ndk, { timeouts: { signerMs: 5000, connectMs } });
  rig.defer(() => manager.destroy());
  const started = performance.now();
  const user = await within(manager.login(b.bunkerUri()), 5000, "login");
  expect(performance.now() - started).toBeGreaterThanOrEqual(approvalDelayMs);
  expect(user).toBe(b.userPubkey);
  expect(b.requests.map((r) => r.method)).toEqual(["connect", "get_public_key", "switch_relays"]);
  await ready(user);
});

it("an approval through auth_url counts against neither wait, however long the person takes", async () => {
  const authUrl = "https://bunker.test/approve-login";
  const b = await rig.bunker({ approvalOn: ["connect"], approvalDelayMs: 1500, authUrl });
  const ndk = await rig.client();
  const told: string[] = [];
  const { manager } = managerFor(ndk, { timeouts: { signerMs: 500, connectMs: 300 } });
  rig.defer(() => manager.destroy());
  const user = await within(manager.login(b.bunkerUri(), { onAuthUrl: (url) => told.push(url) }), 5000, "login");
  expect(user).toBe(b.userPubkey);
  expect(told).toEqual([authUrl]);
});
