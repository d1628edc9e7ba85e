/**
 * The page: relay status, the one error line, the ways to log in, the accounts, and the manager's
 * own statechart; the Stately inspector is a button away.
 */
import { useCallback, useState } from "react";
import type NDK from "@nostr-dev-kit/ndk";
import { useSessionManager } from "../../../bindings/react";
import type { DemoConfig } from "../config";
import { AccountList, useLockable } from "./AccountList";
import { oneLine } from "./errors";
import type { LateInspector } from "./inspector";
import { LoginPanel } from "./LoginPanel";
import { RelayStatus } from "./RelayStatus";
import type { Run } from "./run";
import { Statechart } from "./Statechart";

interface Props {
  ndk: NDK;
  config: DemoConfig;
  inspector: LateInspector;
  initialError?: string;
}

export function App({ ndk, config, inspector, initialError }: Props) {
  const manager = useSessionManager();
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState<string | undefined>();
  const [lockable, markLockable] = useLockable(config.runId);
  const [inspecting, setInspecting] = useState(inspector.opened);
  const [managerChart, setManagerChart] = useState(false);

  // One action's failure replaces the line; a success clears it, so the line is about the last thing done.
  const run: Run = useCallback(async (label, action) => {
    setBusy(label);
    try {
      await action();
      setError(undefined);
      return true;
    } catch (failure) {
      setError(`${label}: ${oneLine(failure)}`);
      return false;
    } finally {
      setBusy(undefined);
    }
  }, []);

  const storageProblem = manager.storageError;
  return (
    <>
      <header>
        <h1>ndk-session-engine · browser demo</h1>
        <RelayStatus ndk={ndk} relayUrl={config.relayUrl} />
        <p className="muted">
          Sessions are kept in localStorage (this run only) with private keys sealed by an AES-GCM key in IndexedDB; reload, or open a
          second tab: both show the same accounts and follow each other's logins, switches and logouts.
        </p>
        <div className="actions">
          <button
            data-testid="open-inspector"
            disabled={inspecting}
            onClick={() => {
              if (inspector.open()) setInspecting(true);
              else setError("inspector: the browser blocked the pop-up; allow pop-ups for this page and click again");
            }}
          >
            {inspecting ? "Stately inspector opened" : "Open the Stately inspector"}
          </button>
          <span className="muted"> opens stately.ai/inspect in a new window (needs internet; allow the pop-up), or load the page with ?inspect</span>
        </div>
      </header>
      <p className={error ? "error line" : "line"} data-testid="error" role="status">
        {error ?? (busy ? `${busy}…` : storageProblem ? `storage: ${oneLine(storageProblem)}` : " ")}
      </p>
      <main>
        <LoginPanel ndk={ndk} config={config} onLockable={markLockable} run={run} />
        <section className="panel" aria-label="accounts">
          <h2>Accounts</h2>
          <AccountList lockable={lockable} onLockable={markLockable} run={run} />
          <h2>Manager</h2>
          <button onClick={() => setManagerChart(!managerChart)} aria-expanded={managerChart}>
            {managerChart ? "Hide the manager's statechart" : "The manager's statechart"}
          </button>
          {managerChart && <Statechart svgUrl="/manager.svg" actor={manager.actor} label="manager actor" />}
        </section>
      </main>
    </>
  );
}
