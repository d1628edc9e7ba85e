// Row 5: a bunker:// login whose relays cannot be reached: one refuses (nothing listens), one accepts
// TCP and never answers the WebSocket handshake. The login fails typed, bunker-unreachable, within
// timeouts.connectMs (sooner when every relay refuses), and makes no session.
import { createServer, type Server, type Socket } from "node:net";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { rejectionOf } from "../support/bounded";
import { ms, type FaultContext, type Scenario } from "./harness";

const CONNECT_MS = 1000;
const SECRET = "unreachable-bunker-secret-77a";

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));

/** A 127.0.0.1 port nothing listens on. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}`;
}

/** Accepts TCP and never answers the handshake: a relay behind a black hole. */
async function blackHole(ctx: FaultContext) {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  ctx.defer(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `ws://127.0.0.1:${port}`, open: () => sockets.size };
}

export const scenario: Scenario = {
  title: "bunker unreachable at login",
  timeoutMs: 15_000,
  async run(ctx) {
    ctx.secret(SECRET);
    const lists = await ctx.relay();
    const ndk = await ctx.ndk([lists.url]);
    const { manager } = ctx.manager(ndk, { timeouts: { connectMs: CONNECT_MS, signerMs: 5000 } });
    const bunkerPubkey = NDKPrivateKeySigner.generate().pubkey;
    const uri = (...relays: string[]) => `bunker://${bunkerPubkey}?${relays.map((r) => `relay=${encodeURIComponent(r)}`).join("&")}&secret=${SECRET}`;

    const attempt = async (relays: string[]) => {
      const started = performance.now();
      const error = await rejectionOf(manager.login(uri(...relays)), CONNECT_MS + 3000, "an unreachable bunker login");
      const took = performance.now() - started;
      ctx.caught("bunker login", error);
      const e = error as { name?: string; code?: string; relays?: string[]; message?: string };
      ctx.check(e.name === "BunkerUnreachableError" && e.code === "bunker-unreachable", `typed bunker-unreachable (got ${e.name} ${e.code})`);
      ctx.check(JSON.stringify(e.relays) === JSON.stringify(relays), `the error names the relays (${e.relays})`);
      ctx.check(!e.message?.includes("secret="), "no bunker address in the message");
      return { took, e };
    };

    const refused = await refusedUrl();
    const one = await attempt([refused]);
    ctx.check(one.took < CONNECT_MS, `a refusal ends the wait before connectMs (${ms(one.took)})`);
    const hole = await blackHole(ctx);
    const two = await attempt([hole.url, await refusedUrl()]);
    ctx.check(two.took >= CONNECT_MS - 2 && two.took <= CONNECT_MS + 500, `a silent relay fails at connectMs (${ms(two.took)}, connectMs ${CONNECT_MS})`);
    await ctx.until(() => hole.open() === 0, 2000, "the half-open socket closed");
    ctx.check(manager.getSessions().size === 0, "no session was made");
    return {
      sees: `login() rejects ${two.e.name} \`${two.e.code}\` naming the relays: refused in ${ms(one.took)}, silent relay at ${ms(two.took)} (connectMs ${CONNECT_MS}); no session`,
      listsLost: 0,
      // The bunker never comes back: the figure is the time to a definite answer, the bounded connect wait.
      recoveryMs: two.took,
      notes: [
        `bunker:// with a secret; relay 1: a closed port; relay 2: TCP accepted, handshake never answered (+ a closed port); timeouts.connectMs ${CONNECT_MS}; the black hole's socket is closed after the failure`,
        `recovery: nothing recovers (the bunker stays unreachable), so the figure is the time to a definite answer: from calling login() with the silent relay + a closed port to its rejection with the typed BunkerUnreachableError (the bounded connect wait, connectMs ${CONNECT_MS}); with only a closed port the answer came in ${ms(one.took)}`,
      ],
    };
  },
};
