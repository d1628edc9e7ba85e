// Row 6: a NIP-07 extension (window.nostr backed by a real key) switches to another account, then
// back, then goes missing and comes back. The session names each (extensionAway with its code), keeps
// reading, refuses to sign as the wrong user, and is ready again when the page is looked at again.
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { bytesToHex } from "nostr-tools/utils";
import { publish } from "../support/env";
import { rejectionOf } from "../support/bounded";
import { createFakeNip07 } from "../support/nip07";
import { nip07SignerFor } from "../../src/effects/nip07";
import type { Scenario } from "./harness";

const SIGNER_MS = 300;

export const scenario: Scenario = {
  title: "NIP-07 extension switching account",
  timeoutMs: 15_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const publisher = await ctx.ndk([relay.url]);
    const [key, otherKey] = [generateSecretKey(), generateSecretKey()];
    ctx.secret(bytesToHex(key), bytesToHex(otherKey));
    const pubkey = getPublicKey(key);
    const follow = NDKPrivateKeySigner.generate().pubkey;
    await publish(publisher, new NDKPrivateKeySigner(bytesToHex(key)), { kind: 3, tags: [["p", follow]] });

    const hadWindow = "window" in globalThis;
    const extension = createFakeNip07(key);
    ctx.defer(() => {
      extension.remove();
      if (!hadWindow) delete (globalThis as { window?: unknown }).window;
    });
    const ndk = await ctx.ndk([relay.url]);
    const { manager, signer: signerIs } = ctx.manager(ndk, { timeouts: { signerMs: SIGNER_MS, fetchMs: 2000 } });
    const bystander = ctx.key();
    await manager.login(bystander, { setActive: false });
    ctx.check((await manager.login(nip07SignerFor(ndk, SIGNER_MS))) === pubkey, "the extension's account logged in");
    await ctx.until(() => manager.getSession(pubkey)?.status === "ready" && manager.getSession(pubkey)?.signerState === "ready", 3000, "the NIP-07 session ready");
    const signerTrail = ctx.trail(manager, pubkey, "signer");
    const status = ctx.trail(manager, pubkey);
    const recheck = () => manager.actor.send({ type: "signers.recheck" }); // what regaining focus sends

    // Another account in the extension, then the right one again.
    extension.switchAccount(otherKey);
    recheck();
    await signerIs(pubkey, "extensionAway", 2000);
    const otherCode = manager.getSession(pubkey)?.signerFailure?.code;
    ctx.check(otherCode === "extension-other-account", `other account → extension-other-account (got ${otherCode})`);
    extension.switchAccount(key);
    const backAt = performance.now();
    recheck();
    const readyAt = await ctx.until(() => manager.getSession(pubkey)?.signerState === "ready", 3000, "ready after switching back");
    const signed = await new NDKEvent(ndk, { kind: 1, content: "me again", tags: [] }).sign().then(
      () => true,
      (e: unknown) => (ctx.caught("sign after switching back", e), false),
    );
    ctx.check(signed, "signs again after switching back");

    // No extension, then the extension again.
    extension.remove();
    recheck();
    await signerIs(pubkey, "extensionAway", 2000);
    const missingCode = manager.getSession(pubkey)?.signerFailure?.code;
    ctx.check(missingCode === "extension-missing", `no extension → extension-missing (got ${missingCode})`);
    extension.install();
    recheck();
    await signerIs(pubkey, "ready", 3000);

    // The app signs while the extension is on the other account (the session is extensionAway).
    extension.switchAccount(otherKey);
    recheck();
    await signerIs(pubkey, "extensionAway", 2000);
    const asked = extension.calls.signEvent;
    const refused = await rejectionOf(new NDKEvent(ndk, { kind: 1, content: "as whom?", tags: [] }).sign(), 3000, "a sign while on the other account");
    ctx.caught("sign while away", refused);
    const refusedCode = (refused as { code?: string }).code;
    const extensionAsked = extension.calls.signEvent - asked;
    const afterSign = signerTrail.seen.at(-1);
    extension.switchAccount(key);
    recheck();
    // It comes back without a new login: at once from extensionAway, or after its backoff from retrying.
    const comesBack = await signerIs(pubkey, "ready", 5000).then(
      () => true,
      () => false,
    );
    const afterRecheck = signerTrail.seen.at(-1);
    ctx.check(
      comesBack,
      `a sign while the extension is on another account leaves the session ${afterSign}; after switching back it stays ${afterRecheck} (a new login would be needed)`,
    );
    ctx.check(refusedCode === "signer-mismatch", `the foreign signature is refused (got ${refusedCode})`);
    ctx.check(status.seen.every((s) => s === "ready"), `the lists kept reading (${status.text()})`);
    ctx.check(manager.getSession(bystander.pubkey)?.signerState === "ready", "the other session is unaffected");
    const lost = manager.getSession(pubkey)?.followSet?.has(follow) ? 0 : 1;
    return {
      sees: `signerState ${signerTrail.text()}; a sign while on the other account rejects ${(refused as Error).name} \`${refusedCode}\` and leaves ${afterSign}; status ${status.text()} throughout`,
      listsLost: lost,
      recoveryMs: readyAt - backAt,
      notes: [
        `fake window.nostr backed by real keys (test/support/nip07.ts); each change followed by signers.recheck (what focus sends); signerMs ${SIGNER_MS}; recovery from switching back (and the recheck) to signerState ready`,
        `then, with the extension on the other account again, one sign: the gate asks the extension (signEvent ×${extensionAsked}), refuses the other account's signature, the session goes ${afterSign}; after switching back it is ${afterRecheck} again, no new login`,
      ],
    };
  },
};
