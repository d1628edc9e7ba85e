import { expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createWebSocketInspector, createWebSocketReceiver, type StatelyInspectionEvent } from "@statelyai/inspect";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";

const fixture = useRelay();

/**
 * A loopback stand-in for `createInspectorServer` (which binds every interface): it passes each
 * message from one WebSocket client to the others, as that server does.
 */
async function inspectorBridge() {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) =>
    socket.on("message", (data) => {
      for (const client of server.clients) if (client !== socket && client.readyState === client.OPEN) client.send(data.toString());
    }),
  );
  await new Promise<void>((resolve) => server.once("listening", resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    clients: () => server.clients.size,
    close: () => new Promise<void>((resolve) => (server.clients.forEach((c) => c.terminate()), server.close(() => resolve()))),
  };
}

it("the `inspect` option takes @statelyai/inspect: spawns, state changes and events arrive in order, with no secret", async () => {
  const bridge = await inspectorBridge();
  fixture.defer(() => bridge.close());
  type Received = StatelyInspectionEvent & { snapshot?: { value?: unknown; context?: { pubkey?: string } }; event?: { type: string } };
  const received: Received[] = [];
  createWebSocketReceiver({ server: bridge.url }).subscribe((event) => received.push(event as Received));
  await eventually(() => bridge.clients() === 1, 2000, "the receiver connected");
  const inspector = createWebSocketInspector({ url: bridge.url });
  fixture.defer(() => inspector.stop());

  const { manager, ready } = managerFor(fixture.ndk, { inspect: inspector.inspect });
  fixture.defer(() => manager.destroy());
  const alice = NDKPrivateKeySigner.generate();
  await manager.login(alice);
  await ready(alice.pubkey);
  await manager.switchTo(null);

  const sessionSnapshots = () =>
    received.filter((e) => e.type === "@xstate.snapshot" && e.snapshot?.context?.pubkey === alice.pubkey);
  const bothReady = (value: { signer?: unknown; lists?: { live?: unknown } } | undefined) => value?.signer === "ready" && value.lists?.live === "ready";
  await eventually(() => sessionSnapshots().some((e) => bothReady(e.snapshot?.value)), 5000, "the ready snapshot");
  await eventually(() => received.some((e) => e.type === "@xstate.event" && e.event?.type === "account.switch"), 5000, "the switch");

  // The inspector names each actor by its id: the session actor is `session:<pubkey>`.
  const spawned = received.findIndex((e) => e.type === "@xstate.actor" && (e as { name?: string }).name === `session:${alice.pubkey}`);
  expect(spawned).toBeGreaterThanOrEqual(0);
  // Each region's states arrive in order: the signer's and the lists' own paths.
  const values = sessionSnapshots().map((e) => e.snapshot?.value as { signer: unknown; lists: unknown });
  const path = (region: "signer" | "lists") =>
    values.map((value) => JSON.stringify(value[region])).filter((state, i, all) => i === 0 || state !== all[i - 1]);
  expect(path("signer")).toEqual(['"restoring"', '"authenticating"', '"ready"']);
  expect(path("lists")).toEqual(['{"live":"fetching"}', '{"live":"ready"}']);
  expect(received.indexOf(sessionSnapshots()[0]!)).toBeGreaterThan(spawned);

  const wire = JSON.stringify(received);
  for (const secret of [alice.privateKey, alice.nsec]) expect(wire).not.toContain(secret);
});
