// Row 4: a NIP-46 bunker (NDK's own NDKNip46Backend) goes silent mid-session and comes back. A sign
// meanwhile fails typed, the signer retries on its backoff and is ready again once the bunker is back;
// the lists never stop (a list published during the outage arrives live).
import { NDKEvent, NDKNip46Signer, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { startBunker } from "../support/bunker";
import { rejectionOf, within } from "../support/bounded";
import { ms, type Scenario } from "./harness";

const SIGNER_MS = 500;
const RETRY = { baseMs: 250, maxMs: 1000 };
const SECRET = "bunker-secret-4f9c1e"; // single use: accepted once, at the login

export const scenario: Scenario = {
  title: "NIP-46 bunker gone and back",
  timeoutMs: 25_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const publisher = await ctx.ndk([relay.url]);
    const userKey = ctx.key();
    ctx.secret(SECRET);
    const bunker = await startBunker(relay.url, relay, { userKey, bunkerKey: ctx.key(), secret: SECRET });
    ctx.defer(() => bunker.close());
    const [before, during] = [0, 1].map(() => NDKPrivateKeySigner.generate().pubkey) as [string, string];
    await publish(publisher, userKey, { kind: 3, tags: [["p", before]], created_at: Math.floor(Date.now() / 1000) - 100 });

    const ndk = await ctx.ndk([relay.url]);
    const { manager, signer: signerIs } = ctx.manager(ndk, { timeouts: { signerMs: SIGNER_MS, fetchMs: 2000 }, retry: RETRY });
    const remote = NDKNip46Signer.bunker(ndk, bunker.bunkerUri(true));
    const client = (remote as unknown as { localSigner: NDKPrivateKeySigner }).localSigner;
    ctx.secret(client.privateKey, client.nsec);
    const pubkey = await within(manager.login(remote), 5000, "bunker login");
    const other = ctx.key();
    await manager.login(other, { setActive: false });
    await ctx.until(() => manager.getSession(pubkey)?.status === "ready" && manager.getSession(pubkey)?.signerState === "ready", 5000, "the bunker session ready");
    const status = ctx.trail(manager, pubkey);
    const signerTrail = ctx.trail(manager, pubkey, "signer");
    const otherStatus = ctx.trail(manager, other.pubkey);

    await bunker.stop();
    const error = await rejectionOf(new NDKEvent(ndk, { kind: 1, content: "nobody signs this", tags: [] }).sign(), SIGNER_MS + 2000, "a sign while the bunker is away");
    ctx.caught("sign while away", error);
    const code = (error as { code?: string }).code;
    ctx.check(code === "signer-timeout", `the sign rejects with code signer-timeout (got ${(error as Error).name} ${code})`);
    await signerIs(pubkey, "retrying", 3000);
    // Lists never stop: a newer follow list published now arrives while the signer is away.
    await publish(publisher, userKey, { kind: 3, tags: [["p", before], ["p", during]] });
    await ctx.until(() => manager.getSession(pubkey)?.followSet?.has(during) === true, 3000, "a live list update while the bunker is away");
    const stillRetrying = manager.getSession(pubkey)?.signerState === "retrying";

    await bunker.restart();
    const backAt = performance.now();
    const readyAt = await ctx.until(() => manager.getSession(pubkey)?.signerState === "ready", RETRY.maxMs + 4 * SIGNER_MS + 3000, "the signer ready once the bunker is back");
    const signed = await within(new NDKEvent(ndk, { kind: 1, content: "signed again", tags: [] }).sign(), 5000, "a sign after recovery").then(
      () => true,
      (e: unknown) => (ctx.caught("sign after recovery", e), false),
    );
    ctx.check(signed, "a sign works after the bunker is back");
    ctx.check(status.seen.every((s) => s === "ready"), `the lists never left ready (${status.text()})`);
    ctx.check(otherStatus.seen.every((s) => s === "ready"), "the other session is unaffected");
    ctx.check(stillRetrying, "the signer was still retrying when the bunker came back");
    ctx.check(bunker.requests.filter((r) => r.method === "connect").length === 1, "the single-use secret was sent once (no reconnect)");
    const lost = manager.getSession(pubkey)?.followSet?.has(during) && manager.getSession(pubkey)?.followSet?.has(before) ? 0 : 1;
    return {
      sees: `sign() rejects ${(error as Error).name} \`${code}\`; signerState ${signerTrail.text()}; status ${status.text()} throughout; list update arrived during the outage`,
      listsLost: lost,
      recoveryMs: readyAt - backAt,
      notes: [
        `NDK's NDKNip46Backend with a single-use secret and a bunker key ≠ user key, stopped (both sockets closed) then restarted; signerMs ${SIGNER_MS}, retry ${RETRY.baseMs}→${RETRY.maxMs} ms; recovery from the bunker listening again to signerState ready (the next backoff ping; ${ms(RETRY.maxMs)} at most between tries)`,
      ],
    };
  },
};
