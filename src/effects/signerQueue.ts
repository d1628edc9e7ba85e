/**
 * The signer call policy of a session, without XState: one signer call at a time per session
 * (FIFO), each bounded by `timeoutMs` of its own working time, and every signature checked before
 * the signed event is handed out.
 *
 * - The timer starts when the call starts, not while it waits behind others.
 * - Time the signer spends waiting for its user does not count: from an `authUrl` (NIP-46 `auth_url`)
 *   to the answer, or while an `approval.waiting()` probe says so. A call paused by `authUrl` has
 *   no deadline until the signer answers; cancel it with the call's `signal`.
 * - A call that times out or is cancelled frees the queue; its late answer is discarded.
 * - The event is signed as this session: pubkey set, id computed here, the signer asked for a
 *   signature over a copy, and the result re-verified (id, schnorr signature, author). A mismatch
 *   rejects with `SignerMismatchError`; an `NDKEvent` passed in gets its id and sig only on success.
 */
import { NDKUser, type NDKEncryptionScheme, type NDKEvent, type NDKSigner } from "@nostr-dev-kit/ndk";
import { getEventHash, type NostrEvent } from "nostr-tools/pure";
import { SessionError } from "../errors";
import { isAuthentic } from "../lists/verify";
import { SignerCancelledError, SignerFailedError, SignerMismatchError, SignerTimeoutError } from "./signerErrors";

/** Says whether the signer is waiting for its user right now (an extension prompt, a remote approval). */
export interface ApprovalProbe {
  waiting(): boolean;
}

/** Emits `"authUrl"` when the signer starts waiting for its user: `NDKNip46Signer` and its `rpc` do. */
export interface ApprovalEmitter {
  on(event: "authUrl", listener: (url: string) => void): unknown;
  off(event: "authUrl", listener: (url: string) => void): unknown;
}

export interface SignerGateOptions {
  /** Working time allowed per call, from its start. */
  timeoutMs: number;
  /**
   * Where approval waits come from. Default: the signer's NIP-46 RPC (`signer.rpc`) when it has one,
   * which emits `authUrl` for every flow (`NDKNip46Signer` forwards it only after a bunker:// connect).
   * `false`: every millisecond counts.
   */
  approval?: ApprovalProbe | ApprovalEmitter | false;
  /** Called with the URL the user should open to approve (NIP-46 `auth_url`). */
  onAuthUrl?: (url: string) => void;
}

export interface SignerCallOptions {
  signal?: AbortSignal;
}

export interface EventTemplate {
  kind: number;
  content?: string;
  tags?: string[][];
  created_at?: number;
}

export interface SignerGate {
  readonly pubkey: string;
  /** The signed event, verified for `pubkey`; an `NDKEvent` input is completed in place as well. */
  sign(event: EventTemplate | NDKEvent, call?: SignerCallOptions): Promise<NostrEvent>;
  encrypt(peer: string | NDKUser, plaintext: string, scheme?: NDKEncryptionScheme, call?: SignerCallOptions): Promise<string>;
  decrypt(peer: string | NDKUser, ciphertext: string, scheme?: NDKEncryptionScheme, call?: SignerCallOptions): Promise<string>;
  /** Calls queued or running. */
  pending(): number;
  /** Whether the running call is waiting for the user's approval (its timer paused). */
  awaitingApproval(): boolean;
}

/** How often an `ApprovalProbe` is sampled, at most. */
const PROBE_MS = 25;

function isEmitter(value: unknown): value is ApprovalEmitter {
  return typeof value === "object" && value !== null && typeof (value as ApprovalEmitter).on === "function" && typeof (value as ApprovalEmitter).off === "function";
}

function isNdkEvent(value: EventTemplate | NDKEvent): value is NDKEvent {
  return typeof (value as NDKEvent).toNostrEvent === "function";
}

export function createSignerGate(signer: NDKSigner, pubkey: string, options: SignerGateOptions): SignerGate {
  let tail: Promise<unknown> = Promise.resolve();
  let count = 0;
  let approving = false;

  const sources = (): { probe?: ApprovalProbe; emitter?: ApprovalEmitter } => {
    const approval = options.approval;
    if (approval === false) return {};
    if (approval && "waiting" in approval) return { probe: approval };
    if (approval) return { emitter: approval };
    const rpc = (signer as { rpc?: unknown }).rpc; // looked up per call: NDK may replace it
    return isEmitter(rpc) ? { emitter: rpc } : {};
  };

  /** Runs `work` now, bounded by working time; approval time paused; `signal` cancels. */
  function timed<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { probe, emitter } = sources();
    return new Promise<T>((resolve, reject) => {
      let spent = 0;
      let last = performance.now();
      let counting = true;
      let asked = false;
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;

      const settle = (finish: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        emitter?.off("authUrl", onAuthUrl);
        signal?.removeEventListener("abort", onAbort);
        approving = false;
        finish();
      };
      const check = () => {
        clearTimeout(timer);
        const now = performance.now();
        if (counting) spent += now - last;
        last = now;
        counting = !(asked || probe?.waiting() === true);
        approving = !counting;
        const left = options.timeoutMs - spent;
        if (left <= 0) return settle(() => reject(new SignerTimeoutError(options.timeoutMs)));
        if (counting) timer = setTimeout(check, probe ? Math.min(left, PROBE_MS) : left);
        else if (probe) timer = setTimeout(check, PROBE_MS);
        // else: paused by authUrl until the signer answers or the caller cancels
      };
      function onAuthUrl(url: string) {
        if (done) return;
        asked = true;
        check();
        options.onAuthUrl?.(url);
      }
      function onAbort() {
        settle(() => reject(new SignerCancelledError()));
      }

      if (signal?.aborted) return reject(new SignerCancelledError());
      emitter?.on("authUrl", onAuthUrl);
      signal?.addEventListener("abort", onAbort, { once: true });
      check();
      new Promise<T>((started) => started(work())).then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error instanceof SessionError ? error : new SignerFailedError(error))),
      );
    });
  }

  /** Strictly one task at a time, in call order; a caller's cancel also works while queued. */
  function enqueue<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    count++;
    const run = tail.then(() => (signal?.aborted ? Promise.reject(new SignerCancelledError()) : task()));
    tail = run.then(
      () => count--,
      () => count--,
    );
    if (!signal) return run;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new SignerCancelledError());
      signal.addEventListener("abort", onAbort, { once: true });
      run.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  const userOf = (peer: string | NDKUser) => (typeof peer === "string" ? new NDKUser({ pubkey: peer }) : peer);

  async function signNow(input: EventTemplate | NDKEvent, signal?: AbortSignal): Promise<NostrEvent> {
    let template: EventTemplate = input as EventTemplate;
    if (isNdkEvent(input)) {
      input.pubkey = pubkey;
      const raw = await input.toNostrEvent(); // NDK's content tagging and created_at, as event.sign() would
      if (typeof raw.kind !== "number") throw new SessionError("The event to sign has no kind", "event-invalid");
      template = { ...raw, kind: raw.kind };
    }
    const unsigned = {
      pubkey,
      created_at: template.created_at || Math.floor(Date.now() / 1000),
      kind: template.kind,
      tags: (template.tags ?? []).map((tag) => [...tag]),
      content: template.content ?? "",
    };
    const id = getEventHash(unsigned);
    // A copy: a signer may write into what it is handed (NDK's private-key signer does).
    const sig: unknown = await timed(() => signer.sign({ ...unsigned, id, tags: unsigned.tags.map((tag) => [...tag]) }), signal);
    const signed: NostrEvent = { ...unsigned, id, sig: typeof sig === "string" ? sig : "" };
    if (!isAuthentic(signed, pubkey)) throw new SignerMismatchError(pubkey);
    if (isNdkEvent(input)) {
      input.id = id;
      input.sig = signed.sig;
    }
    return signed;
  }

  async function cryptNow(op: "encrypt" | "decrypt", peer: string | NDKUser, value: string, scheme: NDKEncryptionScheme, signal?: AbortSignal) {
    const result: unknown = await timed(() => signer[op](userOf(peer), value, scheme), signal);
    if (typeof result !== "string") throw new SignerFailedError(new Error(`${op} returned no text`));
    return result;
  }

  return {
    pubkey,
    sign: (event, call) => enqueue(() => signNow(event, call?.signal), call?.signal),
    encrypt: (peer, plaintext, scheme = "nip44", call) => enqueue(() => cryptNow("encrypt", peer, plaintext, scheme, call?.signal), call?.signal),
    decrypt: (peer, ciphertext, scheme = "nip44", call) => enqueue(() => cryptNow("decrypt", peer, ciphertext, scheme, call?.signal), call?.signal),
    pending: () => count,
    awaitingApproval: () => approving,
  };
}
