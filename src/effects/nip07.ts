/**
 * NIP-07 (browser extension, `window.nostr`) effects: is the extension there and on the session's
 * account, a callback when the page comes back to the user, and NDK's signer with a bounded wait.
 * Nothing here throws, logs or touches XState.
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip07Signer } from "@nostr-dev-kit/ndk";

export type ExtensionCheck =
  | { status: "ok" }
  | { status: "missing" }
  | { status: "other-account"; pubkey: string }
  | { status: "no-answer" };

/** NDK's own default for `NDKNip07Signer`'s wait for `window.nostr` to appear. */
export const NIP07_WAIT_TIMEOUT_MS = 1000;
/** How often `checkExtension` looks again for an extension that has not injected `window.nostr` yet. */
const POLL_MS = 50;
const HEX_PUBKEY = /^[0-9a-f]{64}$/;

type Host = { window?: unknown; nostr?: unknown };
type Provider = { getPublicKey(): unknown };

/** `window.nostr`, read where NDK reads it (`window`, which in a page is the global object). */
function providerOf(win: Host): Provider | undefined {
  try {
    const host = (typeof win.window === "object" && win.window !== null ? win.window : win) as Host;
    const nostr = host.nostr as Partial<Provider> | null | undefined;
    return nostr && typeof nostr.getPublicKey === "function" ? (nostr as Provider) : undefined;
  } catch {
    return undefined; // a throwing getter is no usable extension
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The answer of `getPublicKey()`, or `undefined` if it throws, rejects or does not settle within `ms`. */
async function askPubkey(provider: Provider, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    // Promise.resolve().then: a synchronous throw becomes a rejection; .catch: a late rejection is handled.
    const answer = Promise.resolve()
      .then(() => provider.getPublicKey())
      .catch(() => undefined);
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks the extension which account it is on, within `timeoutMs` in all (waiting for `window.nostr`
 * to appear, since extensions may inject it after the page's scripts start, and for the answer):
 * - `missing`: no `window.nostr` with a `getPublicKey` within the time (or no `window` at all);
 * - `no-answer`: it is there but did not answer in time, refused (rejected/threw), or answered
 *   something that is not a hex pubkey;
 * - `other-account`: it answered another pubkey (lowercased);
 * - `ok`: it answered `expectedPubkey` (compared in lowercase).
 * Never throws, never logs; leaves no timer behind (a `getPublicKey` that never settles is abandoned).
 */
export async function checkExtension(
  expectedPubkey: string,
  opts: { timeoutMs: number; win?: typeof globalThis },
): Promise<ExtensionCheck> {
  try {
    const win = (opts.win ?? globalThis) as Host;
    const now = () => (typeof performance === "object" ? performance.now() : Date.now());
    const deadline = now() + Math.max(0, opts.timeoutMs);
    let provider = providerOf(win);
    while (!provider && now() < deadline) {
      await sleep(Math.min(POLL_MS, deadline - now()));
      provider = providerOf(win);
    }
    if (!provider) return { status: "missing" };
    const answer = await askPubkey(provider, deadline - now());
    if (typeof answer !== "string" || !HEX_PUBKEY.test(answer.toLowerCase())) return { status: "no-answer" };
    const pubkey = answer.toLowerCase();
    return pubkey === expectedPubkey.toLowerCase() ? { status: "ok" } : { status: "other-account", pubkey };
  } catch {
    return { status: "no-answer" };
  }
}

type FocusTarget = {
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
  document?: FocusTarget & { visibilityState?: string };
};

/**
 * Calls `callback` whenever the page comes back to the user: the window's `focus` event, and the
 * document's `visibilitychange` when `visibilityState` is then `"visible"`. One return can fire
 * both (a tab switch does), so the callback should be cheap to repeat (a `checkExtension`).
 * Returns a cleanup that removes both listeners (safe to call twice). Where there is no window or
 * document with `addEventListener` (Node), nothing is watched and the cleanup does nothing.
 */
export function watchFocus(callback: () => void, win: typeof globalThis = globalThis): () => void {
  const target = win as unknown as FocusTarget;
  const doc = target.document;
  const onFocus = () => callback();
  const onVisibility = () => {
    if (doc?.visibilityState === "visible") callback();
  };
  const windowEvents = typeof target.addEventListener === "function";
  const documentEvents = typeof doc?.addEventListener === "function";
  if (windowEvents) target.addEventListener!("focus", onFocus);
  if (documentEvents) doc!.addEventListener!("visibilitychange", onVisibility);
  let active = windowEvents || documentEvents;
  return () => {
    if (!active) return;
    active = false;
    if (windowEvents) target.removeEventListener?.("focus", onFocus);
    if (documentEvents) doc!.removeEventListener?.("visibilitychange", onVisibility);
  };
}

/**
 * NDK's `NDKNip07Signer` for `ndk`, waiting at most `waitTimeoutMs` for `window.nostr` to appear.
 * What NDK 3.0.3's signer does and does not bound (so callers must still bound their own calls):
 * - `waitTimeout` bounds only the wait for `window.nostr` (polled every 100 ms); then the call
 *   rejects "NIP-07 extension not available". `getPublicKey`/`signEvent` themselves are not
 *   bounded: an extension that never answers leaves `user()`/`sign()` pending forever.
 * - `user()` is memoised, rejections included, and `sign()` of an `NDKEvent` takes its author from
 *   it: after the extension switches account the signer still says the old pubkey, and NDK keeps
 *   only the `sig` of what the extension returns, so the event fails verification. Compare pubkeys
 *   with `checkExtension` instead of trusting `user()`.
 * - It reads a bare `window`: in Node without one, every call rejects with a ReferenceError.
 * - `NDKNip07Signer.fromPayload` (a restore) ignores any timeout and uses 1000 ms.
 */
export function nip07SignerFor(ndk: NDK | undefined, waitTimeoutMs: number = NIP07_WAIT_TIMEOUT_MS): NDKNip07Signer {
  return new NDKNip07Signer(Math.max(0, waitTimeoutMs), ndk);
}
