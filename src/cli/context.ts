import NDK from "@nostr-dev-kit/ndk";
import { NDKSessionManager } from "../facade/NDKSessionManager";
import { FileStorage } from "../storage/fileStorage";
import { DEFAULT_TIMEOUTS } from "../effects/configuration";
import type { CliOptions } from "./args";
import { CliError } from "./errors";
import { configFileOf, prepareFolder, readConfig, relayUrls, sessionsFile, writeConfig, type CliConfig } from "./config";
import { Output } from "./output";
import { Progress, loadLists } from "./progress";
import { Prompter } from "./prompt";

/** Everything a command works with: the manager over the sessions file, NDK on the chosen relays, I/O. */
export interface Context {
  manager: NDKSessionManager;
  ndk: NDK;
  relays: string[];
  file: string;
  out: Output;
  progress: Progress;
  prompter: Prompter;
  timeouts: { fetchMs: number; signerMs: number };
  /** Waits (bounded) for these sessions' lists, with progress; a relay that did not answer is an error. */
  loadLists(pubkeys: string[]): Promise<void>;
  /** Writes the sessions now (after the keys of this run's logins are sealed). */
  save(): Promise<void>;
  /** Remembers the relays given with --relay (after a command that worked). */
  remember(): Promise<void>;
  close(): Promise<void>;
}

/** The library's bounded waits: --timeout for both, else its defaults (5 s for relays, 10 s for signers). */
export const timeoutsOf = (options: CliOptions) => ({
  fetchMs: options.timeoutMs ?? DEFAULT_TIMEOUTS.fetchMs,
  signerMs: options.timeoutMs ?? DEFAULT_TIMEOUTS.signerMs,
});

/** Node 20 has no global WebSocket; NDK needs one (ws is bundled into the CLI). */
async function ensureWebSocket(): Promise<void> {
  if (typeof globalThis.WebSocket === "function") return;
  const { WebSocket } = await import("ws");
  globalThis.WebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
}

/**
 * Opens the sessions file (its folder checked), picks the relays (--relay, remembered in the config
 * beside it), restores the stored sessions. Nothing is written unless the command calls save().
 */
export async function openContext(options: CliOptions): Promise<Context> {
  const out = new Output(options.json);
  const timeouts = timeoutsOf(options);
  const file = sessionsFile(options.file);
  const configFile = configFileOf(file);
  const given = relayUrls(options.relays);
  const config: CliConfig = await readConfig(configFile);
  const relays = given.length ? given : relayUrls(config.relays);
  if (relays.length === 0) throw new CliError("no relay: pass --relay wss://… (it is remembered for later commands)", "no-relay");
  const warning = await prepareFolder(file, options.file === undefined && !process.env.NDK_SESSION_ENGINE_FILE);
  if (warning) out.warn(warning);

  await ensureWebSocket();
  const ndk = new NDK({ explicitRelayUrls: relays, enableOutboxModel: false, autoConnectUserRelays: false });
  ndk.connect(timeouts.fetchMs).catch(() => {}); // a relay that does not answer shows up as the lists' failure
  const manager = new NDKSessionManager(ndk, { storage: new FileStorage(file), autoSave: false, timeouts });
  const progress = new Progress(options.progress ?? (process.stderr.isTTY === true && !options.json));
  const prompter = new Prompter();
  let closed = false;
  const context: Context = {
    manager,
    ndk,
    relays,
    file,
    out,
    progress,
    prompter,
    timeouts,
    loadLists: (pubkeys) => loadLists(manager, pubkeys, progress, { fetchMs: timeouts.fetchMs, limitMs: timeouts.fetchMs + timeouts.signerMs + 2000, relays }),
    save: () => manager.persist(),
    async remember() {
      if (given.length && given.join() !== config.relays.join()) await writeConfig(configFile, { relays: given });
    },
    async close() {
      if (closed) return;
      closed = true;
      prompter.close();
      await manager.destroy().catch(() => {});
      for (const relay of ndk.pool.relays.values()) relay.disconnect();
    },
  };
  try {
    await manager.restore();
  } catch (error) {
    await context.close();
    throw error;
  }
  return context;
}
