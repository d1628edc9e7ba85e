import { waitFor } from "xstate";
import { StorageError, storageFailure } from "../errors";
import type { ManagerActor } from "../engine";
import type { Keyring } from "../effects/keyring";
import type { EngineStorage } from "../storage/types";
import { savedState } from "./body";
import type { RestoreReport, StateLoader } from "./loader";
import { Saver } from "./saver";

export interface PersistenceOptions {
  debounceMs: number;
  /** Store signer payloads that hold secrets in plain text (`unsafePersistPrivateKeys`). */
  unsafe: boolean;
}

/**
 * Saving and restoring one manager: restore is the manager's own `loading → restoring → active`
 * (started with `manager.restore`, read by `loader`); saving writes its persisted snapshot, debounced,
 * one write at a time, only when it changed, through the storage's `save` (the peer's account
 * records, with the envelope riding along as `state`).
 */
export class Persistence {
  private readonly saver: Saver;
  private restoreError: StorageError | undefined;

  constructor(
    private readonly storage: EngineStorage,
    private readonly actor: ManagerActor,
    private readonly keyring: Keyring,
    private readonly loader: StateLoader,
    private readonly options: PersistenceOptions,
  ) {
    this.saver = new Saver(storage, () => savedState(actor, keyring, options.unsafe), options.debounceMs);
  }

  /** The latest storage problem: a save that failed, or data restore() could not use. */
  get lastError(): StorageError | undefined {
    return this.saver.lastError ?? this.restoreError;
  }

  /** Sends `manager.restore` and waits for the manager to be active again (every step of it is bounded). */
  async restore(): Promise<RestoreReport> {
    this.restoreError = undefined;
    this.actor.send({ type: "manager.restore" });
    await waitFor(this.actor, (snapshot) => snapshot.matches("active") || snapshot.status !== "active");
    const outcome = this.loader.outcome;
    if (outcome?.refuseSaves) this.saver.refuse(outcome.refuseSaves);
    if (!outcome || !outcome.ok) {
      this.restoreError = outcome?.ok === false ? outcome.error : new StorageError("The manager stopped before the restore finished", "destroyed");
      throw this.restoreError;
    }
    if (outcome.saveSoon) this.scheduleSave();
    const sessions = this.actor.getSnapshot().context.pubkeys.length;
    return { source: outcome.source, sessions, ...(outcome.backupKey ? { backupKey: outcome.backupKey } : {}) };
  }

  /** An auto-save: debounced; a failure is logged, kept in `lastError`, and the next change saves again. */
  scheduleSave(): void {
    this.saver.schedule();
  }

  /** Saves now (after any save under way, and once the keys of recent logins are sealed). */
  async persist(): Promise<void> {
    await this.keyring.settled();
    return this.saver.flush();
  }

  /** Logs every session out and empties storage; nothing is written back. */
  async clear(): Promise<void> {
    this.saver.cancel();
    for (const pubkey of [...this.actor.getSnapshot().context.pubkeys]) this.actor.send({ type: "account.logout", pubkey });
    this.saver.markStored(savedState(this.actor, this.keyring, this.options.unsafe).body);
    try {
      await this.storage.clear();
    } catch (error) {
      throw storageFailure(error, "The stored state could not be removed");
    }
  }

  /** Writes a pending save (its body taken now, before the actors stop), then nothing more. */
  close(): Promise<void> {
    return this.saver.close();
  }
}
