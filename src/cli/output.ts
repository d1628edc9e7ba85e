import { nip19 } from "@nostr-dev-kit/ndk";
import type { NDKSession, SignerState } from "../facade/types";

/** What a session's signer can do, in words. */
export const SIGNER_WORDS: Record<SignerState, string> = {
  ready: "can sign",
  locked: "locked (key sealed under a passphrase)",
  readOnly: "read-only (public key only)",
  needsLogin: "needs a login to sign (no key kept)",
  restoring: "restoring its signer",
  authenticating: "checking its signer",
  awaitingApproval: "waiting for the remote signer's approval",
  verifying: "checking the browser extension",
  retrying: "remote signer unreachable, retrying",
  extensionAway: "browser extension away",
  stopped: "stopped",
};

export interface AccountView {
  pubkey: string;
  npub: string;
  name?: string;
  active: boolean;
  /** What its lists do: fetching, ready, error, idle, stopped. */
  lists: NDKSession["status"];
  signerState: SignerState;
  signer: string;
  canSign: boolean;
  follows: number;
  mutes: number;
  relays: number;
  failure?: { code: string; message: string };
}

export function mutesOf(session: NDKSession | undefined): number {
  return (session?.muteSet?.size ?? 0) + (session?.mutedWords?.size ?? 0) + (session?.mutedHashtags?.size ?? 0);
}

export function accountView(session: NDKSession, active: boolean): AccountView {
  const profile = session.profile as { name?: unknown; displayName?: unknown; display_name?: unknown } | undefined;
  const name = [profile?.name, profile?.displayName, profile?.display_name].find((n): n is string => typeof n === "string" && n.trim() !== "");
  const failure = session.failure ?? session.signerFailure;
  return {
    pubkey: session.pubkey,
    npub: nip19.npubEncode(session.pubkey),
    ...(name ? { name: name.trim().slice(0, 64) } : {}),
    active,
    lists: session.status,
    signerState: session.signerState,
    signer: SIGNER_WORDS[session.signerState] ?? session.signerState,
    canSign: session.canSign,
    follows: session.followSet?.size ?? 0,
    mutes: mutesOf(session),
    relays: session.relayList?.size ?? 0,
    ...(failure ? { failure: { code: failure.code, message: failure.message } } : {}),
  };
}

/** A name from a relay is someone else's text: no control characters reach the terminal. */
const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");

/** One line per account, e.g. `* alice  npub1…  follows 300, mutes 3, relays 2 · lists ready · signer locked (…)`. */
export function accountLine(view: AccountView): string {
  const lists = view.lists === "error" && view.failure ? `lists error (${view.failure.code})` : `lists ${view.lists}`;
  return [
    `${view.active ? "*" : " "} ${clean(view.name ?? "(no name)").padEnd(16)} ${view.npub}`,
    `  follows ${view.follows}, mutes ${view.mutes}, relays ${view.relays} · ${lists} · signer ${view.signer}`,
  ].join("\n");
}

/** stdout: results (JSON lines with --json, text otherwise); stderr: notes for a person, never in --json. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  /** The command's result: `value` as one JSON line with --json, else `text`. */
  result(value: unknown, text: string): void {
    this.out.write(`${this.json ? JSON.stringify(value) : text}\n`);
  }

  /** A remark for a person (stderr), silent with --json. */
  note(text: string): void {
    if (!this.json) this.err.write(`${text}\n`);
  }

  warn(text: string): void {
    this.err.write(`${text}\n`);
  }
}
