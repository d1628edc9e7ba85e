/**
 * The app's commands of the session model, each done through the manager exactly as an app does it
 * (test/model/sessionRun.ts runs the rest: births, logins, and what signers and relays do).
 * - `session.monitor` is `addMonitor([kind])`, which names the active session: a path's one session.
 * - `session.update` is `updateSession(pubkey, { followSet })`: the session stores the edit at once,
 *   newer than the contact list it holds; a list the test publishes later is made newer still, so
 *   the relay's list replaces the edit (NIP-01), as the model says it does.
 */
import type { NDKSessionManager } from "../../src";
import { PASSPHRASE, sessionSnapshot } from "./births";
import { MONITORED_KIND, type ModelEvent } from "./sessionModel";
import { followSetEdit } from "./world";

export interface CommandContext {
  manager: NDKSessionManager;
  pubkey: string;
  /** Newest created_at published per author (test/model/world.ts publishNewerList). */
  published: Map<string, number>;
}

type Command = (c: CommandContext) => void | Promise<void>;

function editFollows({ manager, pubkey, published }: CommandContext): void {
  manager.updateSession(pubkey, followSetEdit());
  const edit = sessionSnapshot(manager, pubkey)?.context.lists["3"] as { createdAt: number; data: { count: number } } | undefined;
  if (edit?.data.count !== 1) throw new Error(`updateSession: the session did not store the follow edit (it holds ${JSON.stringify(edit)})`);
  published.set(pubkey, Math.max(published.get(pubkey) ?? 0, edit.createdAt));
}

const COMMANDS: Partial<Record<ModelEvent["type"], Command>> = {
  "session.preferences.set": ({ manager, pubkey }) => manager.enableWallet(pubkey),
  "session.monitor": ({ manager }) => manager.addMonitor([MONITORED_KIND]),
  "session.start": ({ manager, pubkey }) => manager.startSession(pubkey, { follows: true, mutes: true }),
  "session.stop": ({ manager, pubkey }) => manager.stopSession(pubkey),
  "session.lock": ({ manager, pubkey }) => manager.lock(pubkey),
  "session.unlock": ({ manager, pubkey }) => manager.unlock(pubkey, PASSPHRASE),
  "session.refresh": ({ manager, pubkey }) => manager.refresh(pubkey),
  "session.retry": ({ manager, pubkey }) => manager.retry(pubkey),
  "signer.recheck": ({ manager }) => void manager.actor.send({ type: "signers.recheck" }), // what the page regaining focus sends
  "session.update": editFollows,
};

/** The app command that produces `event`, if it is one. */
export const appCommand = (event: ModelEvent): Command | undefined => COMMANDS[event.type];
