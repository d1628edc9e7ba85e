/**
 * Every logged-in account, from the React binding: the list re-renders on logins, logouts and
 * switches (here or in another tab, through the manager's tab sync); each row follows its own session.
 */
import { useCallback, useEffect, useState } from "react";
import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import { useActivePubkey, useSessions } from "../../../bindings/react";
import { AccountRow } from "./AccountRow";
import { markLockable, readLockable } from "./runStorage";
import type { Run } from "./run";

/** Which sessions keep their key as NIP-49, kept per run in localStorage (public keys only) so other tabs and reloads know too. */
export function useLockable(runId: string): [ReadonlySet<Hexpubkey>, (pubkey: Hexpubkey) => void] {
  const [lockable, setLockable] = useState(() => readLockable(runId));
  useEffect(() => {
    const reread = () => setLockable(readLockable(runId));
    window.addEventListener("storage", reread);
    return () => window.removeEventListener("storage", reread);
  }, [runId]);
  const mark = useCallback(
    (pubkey: Hexpubkey) => {
      markLockable(runId, pubkey);
      setLockable(readLockable(runId));
    },
    [runId],
  );
  return [lockable, mark];
}

interface Props {
  lockable: ReadonlySet<Hexpubkey>;
  onLockable(pubkey: Hexpubkey): void;
  run: Run;
}

export function AccountList({ lockable, onLockable, run }: Props) {
  const sessions = useSessions();
  const active = useActivePubkey();
  if (sessions.size === 0) return <p className="muted" data-testid="no-accounts">No account yet: log in with one of the ways on the left.</p>;
  return (
    <ul className="accounts" data-testid="accounts">
      {[...sessions.keys()].map((pubkey) => (
        <AccountRow
          key={pubkey}
          pubkey={pubkey}
          active={pubkey === active}
          lockable={lockable.has(pubkey) || sessions.get(pubkey)?.signerState === "locked"}
          onLockable={onLockable}
          run={run}
        />
      ))}
    </ul>
  );
}
