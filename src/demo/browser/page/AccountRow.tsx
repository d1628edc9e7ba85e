/**
 * One account: who it is (its kind 0 name), what its lists hold, what each region of its session
 * actor says in words, and the commands a person has for it. Everything shown comes from the
 * session's view through the React binding, so the row updates when that session changes.
 */
import { useState } from "react";
import { nip19, type Hexpubkey } from "@nostr-dev-kit/ndk";
import type { NDKSession } from "../../../facade/types";
import { useSession, useSessionManager } from "../../../bindings/react";
import type { Run } from "./run";
import { Statechart } from "./Statechart";

export function shortNpub(pubkey: Hexpubkey): string {
  const npub = nip19.npubEncode(pubkey);
  return `${npub.slice(0, 10)}…${npub.slice(-4)}`;
}

export function nameOf(session: NDKSession): string {
  const profile = session.profile;
  return profile?.name ?? profile?.displayName ?? shortNpub(session.pubkey);
}

/** Muted pubkeys and events, words and hashtags: everything the mute list hides. */
const muteCount = (s: NDKSession) => (s.muteSet?.size ?? 0) + (s.mutedWords?.size ?? 0) + (s.mutedHashtags?.size ?? 0);

const FAILING_SIGNER = new Set(["retrying", "needsLogin", "extensionAway"]);

interface Props {
  pubkey: Hexpubkey;
  active: boolean;
  /** Known to keep its key as NIP-49 (see runStorage.ts): lock is offered. */
  lockable: boolean;
  onLockable(pubkey: Hexpubkey): void;
  run: Run;
}

export function AccountRow({ pubkey, active, lockable, onLockable, run }: Props) {
  const manager = useSessionManager();
  const session = useSession(pubkey);
  const [chart, setChart] = useState(false);
  const [passphrase, setPassphrase] = useState("");
  if (!session) return null;
  const name = nameOf(session);
  const failing = session.status === "error" || FAILING_SIGNER.has(session.signerState);
  const failure = session.failure ?? session.signerFailure;

  const unlock = () =>
    run(`unlock ${name}`, async () => {
      await manager.unlock(pubkey, passphrase);
      setPassphrase("");
      onLockable(pubkey);
    });

  return (
    <li className={active ? "account active" : "account"} data-testid="account" data-pubkey={pubkey} data-active={active}>
      <div className="who">
        <strong data-field="name">{name}</strong> <code title={pubkey}>{shortNpub(pubkey)}</code>
        {active && <span className="badge" data-field="active">active</span>}
      </div>
      <dl className="counts">
        <dt>follows</dt>
        <dd data-field="follows">{session.followSet?.size ?? "–"}</dd>
        <dt>mutes</dt>
        <dd data-field="mutes">{muteCount(session)}</dd>
        <dt>relays</dt>
        <dd data-field="relays">{session.relayList?.size ?? "–"}</dd>
      </dl>
      <p className="states">
        lists: <span data-field="status">{session.status}</span> · signer: <span data-field="signer">{session.signerState}</span>
        {session.canSign ? " (can sign)" : ""}
      </p>
      {failure && (
        <p className="error" data-field="failure">
          {failure.message} ({failure.code})
        </p>
      )}
      <div className="actions">
        {!active && <button onClick={() => run(`switch to ${name}`, () => manager.switchTo(pubkey))}>Switch</button>}
        <button onClick={() => run(`log out ${name}`, () => manager.logout(pubkey))}>Log out</button>
        {lockable && session.canSign && <button onClick={() => run(`lock ${name}`, () => manager.lock(pubkey))}>Lock</button>}
        {session.signerState === "locked" && (
          <form className="inline" onSubmit={(e) => (e.preventDefault(), unlock())}>
            <input type="password" placeholder="passphrase" aria-label={`passphrase of ${name}`} value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
            <button type="submit">Unlock</button>
          </form>
        )}
        <button disabled={!failing} title="Try the signer and the lists again now, without waiting for the backoff" onClick={() => run(`retry ${name}`, () => manager.retry(pubkey))}>
          Retry
        </button>
        <button onClick={() => setChart(!chart)} aria-expanded={chart}>
          {chart ? "Hide statechart" : "Statechart"}
        </button>
      </div>
      {chart && <Statechart svgUrl="/session.svg" actor={manager.actor.system.get(`session:${pubkey}`)} label="session actor" />}
    </li>
  );
}
