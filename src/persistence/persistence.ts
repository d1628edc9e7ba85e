import { waitFor } from "xstate";
import { StorageError } from "../errors";
import type { ManagerActor } from "../engine";
import type { Keyring } from "../effects/keyring";
import type { SerializedSession, SessionStorage } from "../facade/types";
import { STATE_KEY } from "../storage/types";
import { accountsOf, stateBody, storablePayload } from "./body";
import { isPeerStorage, type AnyStorage, type RestoreReport, type StateLoader } from "./loader";
import { Saver } from "./saver";

export interface PersistenceOptions {
  debounceMs: number;
  /** Store signer payloads that hold secrets in plain text (`unsafePersistPrivateKeys`). */
  unsafe: boolean;
}

/**
 * Saving and restoring one manager: restore is the manager's own `loading → restoring → active`
 * (started with `manager.restore`, read by `loader`); saving writes its persisted snapshot, debounced,
 * one write at a time, only when it changed. A peer-style storage gets the peer's account records.
 */
export class Persistence {
  private readonly saver: Saver | undefined;
  private restoreError: StorageError | undefined;

  constructor(
    private readonly storage: AnyStorage,
    private readonly actor: ManagerActor,
    private readonly keyring: Keyring,
    private readonly loader: StateLoader,
    private readonly options: PersistenceOptions,
  ) {
    this.saver = isPeerStorage(storage) ? undefined : new Saver(storage, () => stateBody(actor, keyring, options.unsafe), options.debounceMs);
  }

  /** The latest storage problem: a save that failed, or data restore() could not use. */
  get lastError(): StorageError | undefined {
    return this.saver?.lastError ?? this.restoreError;
  }

  /** Sends `manager.restore` and waits for the manager to be active again (every step of it is bounded). */
  async restore(): Promise<RestoreReport> {
    this.restoreError = undefined;
    this.actor.send({ type: "manager.restore" });
    await waitFor(this.actor, (snapshot) => snapshot.matches("active") || snapshot.status !== "active");
    const outcome = this.loader.outcome;
    if (outcome?.refuseSaves) this.saver?.refuse(outcome.refuseSaves);
    if (!outcome || !outcome.ok) {
      this.restoreError = outcome?.ok === false ? outcome.error : new StorageError("The manager stopped before the restore finished", "destroyed");
      throw this.restoreError;
    }
    if (outcome.saveSoon) this.scheduleSave();
    const sessions = this.actor.getSnapshot().context.pubkeys.length;
    return { source: outcome.source, sessions, ...(outcome.backupKey ? { backupKey: outcome.backupKey } : {}) };
  }

  scheduleSave(): void {
    if (this.saver) this.saver.schedule();
    else void this.persist().catch(() => {});
  }

  /** Saves now (after any save under way, and once the keys of recent logins are sealed). */
  async persist(): Promise<void> {
    await this.keyring.settled();
    if (this.saver) return this.saver.flush();
    await (this.storage as SessionStorage).save(this.records(), this.actor.getSnapshot().context.activePubkey ?? undefined);
  }

  /** Logs every session out and empties storage; nothing is written back. */
  async clear(): Promise<void> {
    this.saver?.cancel();
    for (const pubkey of [...this.actor.getSnapshot().context.pubkeys]) this.actor.send({ type: "account.logout", pubkey });
    this.saver?.markStored(stateBody(this.actor, this.keyring, this.options.unsafe));
    if (isPeerStorage(this.storage)) await this.storage.clear();
    else await this.storage.removeItem(STATE_KEY);
  }

  /** Writes a pending save (its body taken now, before the actors stop), then nothing more. */
  close(): Promise<void> {
    return this.saver?.close() ?? Promise.resolve();
  }

  private records(): Map<string, SerializedSession> {
    const records = new Map<string, SerializedSession>();
    for (const account of accountsOf(this.actor)) {
      records.set(account.pubkey, {
        pubkey: account.pubkey,
        lastActive: account.lastActive,
        preferences: account.preferences,
        signerType: account.signer.type,
        signerPayload: storablePayload(this.keyring, account, this.options.unsafe)?.payload,
      });
    }
    return records;
  }
}
