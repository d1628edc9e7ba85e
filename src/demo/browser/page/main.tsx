/**
 * The demo page's entry: one NDK on the demo's relay alone, one NDKSessionManager on LocalStorage
 * with keys sealed in IndexedDB, restored before the first render, handed to React through the
 * library's own `SessionsProvider`.
 */
import NDK from "@nostr-dev-kit/ndk";
import { createRoot } from "react-dom/client";
import { LocalStorage, NDKSessionManager } from "../../../index";
import { SessionsProvider } from "../../../bindings/react";
import type { DemoConfig } from "../config";
import { App } from "./App";
import { oneLine } from "./errors";
import { lateInspector } from "./inspector";
import { forgetEarlierRuns, storagePrefix } from "./runStorage";
import { withinMs } from "./timing";

async function boot(root: HTMLElement): Promise<void> {
  const config = await withinMs(fetch("/config.json").then((r) => r.json() as Promise<DemoConfig>), 5000, "loading /config.json");
  forgetEarlierRuns(config.runId);

  // The outbox model would open sockets to relays found in users' lists; this page talks to one relay only.
  const ndk = new NDK({ explicitRelayUrls: [config.relayUrl], enableOutboxModel: false, autoConnectUserRelays: false });
  ndk.connect(2000).catch(() => {}); // the status line says whether it is up; sessions retry by themselves

  // The inspector records from the start, so the Stately window can be opened at any time and still
  // see every actor (see inspector.ts); `?inspect` opens it at once.
  const inspector = lateInspector();
  const manager = new NDKSessionManager(ndk, {
    storage: new LocalStorage(storagePrefix(config.runId)), // tab sync is on by default for LocalStorage
    secrets: { key: "auto" }, // private keys sealed with a non-extractable AES-GCM key kept in IndexedDB
    saveDebounceMs: 100, // a reload right after a login still finds it
    inspect: inspector.observer,
  });
  // Outside a click the browser may block the window: then the button (which says so) opens it.
  if (new URLSearchParams(location.search).has("inspect")) inspector.open();

  let restoreError: string | undefined;
  try {
    await withinMs(manager.restore(), 10_000, "restoring the stored sessions");
  } catch (error) {
    restoreError = `restore: ${oneLine(error)}`;
  }
  createRoot(root).render(
    <SessionsProvider manager={manager}>
      <App ndk={ndk} config={config} inspector={inspector} initialError={restoreError} />
    </SessionsProvider>,
  );
}

const root = document.getElementById("root")!;
boot(root).catch((error: unknown) => {
  root.innerHTML = "";
  const line = document.createElement("p");
  line.className = "error";
  line.textContent = `The demo could not start: ${oneLine(error)}`;
  root.append(line);
});
