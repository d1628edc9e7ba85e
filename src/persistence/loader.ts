import { READ_ONLY, type LoadedState, type RestoredAccount } from "../../machines";
import { CorruptStorageError, NewerStorageError, StorageError, withTimeout } from "../errors";
import type { Keyring } from "../effects/keyring";
import type { SerializedSession, SessionStorage } from "../facade/types";
import { backupKey, STATE_KEY, type KeyValueStorage } from "../storage/types";
import { readLegacy, type LegacyAccount } from "./legacy";
import { accountsOfRegistry, accountsOfSnapshot, readEnvelope } from "./load";

export type AnyStorage = KeyValueStorage | SessionStorage;

/** A storage written for `@nostr-dev-kit/sessions` (`save` / `load` / `clear`): it keeps accounts, not lists. */
export const isPeerStorage = (storage: AnyStorage): storage is SessionStorage =>
  typeof (storage as KeyValueStorage).getItem !== "function" && typeof (storage as SessionStorage).load === "function";

/** What `restore()` found and did. */
export interface RestoreReport {
  /** snapshot: as saved · registry: accounts only (lists refetched) · legacy: imported from @nostr-dev-kit/sessions or NDK React · accounts: a peer-style storage · empty: nothing stored. */
  source: "snapshot" | "registry" | "legacy" | "accounts" | "empty";
  /** Sessions the manager holds afterwards. */
  sessions: number;
  /** Where stored bytes that could not be used as they were are kept. */
  backupKey?: string;
}

/** How a load went, and what it asks of saving: nothing over data it could not keep, or a save soon (an import). */
export type LoadOutcome = ({ ok: true; source: RestoreReport["source"]; backupKey?: string } | { ok: false; error: StorageError }) & {
  refuseSaves?: StorageError;
  saveSoon?: boolean;
};

const payloadType = (payload: string | undefined): string => {
  try {
    const type = (JSON.parse(payload ?? "") as { type?: unknown }).type;
    return typeof type === "string" ? type : READ_ONLY;
  } catch {
    return READ_ONLY;
  }
};

/**
 * The manager's `loadState` actor: reads what storage holds (the envelope of a key-value storage,
 * the accounts of a peer-style one, or what an older library left), hands its secrets to the
 * keyring, and says which accounts to bring back. Reads never lose bytes: what cannot be used is
 * copied to a backup key first; data of a newer format stops all saving. Bounded by `storageMs`.
 */
export class StateLoader {
  /** How the last load went, for `restore()` to report or throw. */
  outcome: LoadOutcome | undefined;

  constructor(
    private readonly storage: AnyStorage,
    private readonly keyring: Keyring,
    private readonly storageMs: number,
  ) {}

  private refusal: StorageError | undefined;
  private importing = false;

  readonly load = async (): Promise<LoadedState> => {
    this.outcome = undefined;
    this.refusal = undefined;
    this.importing = false;
    try {
      const loaded = await withTimeout(this.read(), this.storageMs, () => new StorageError(`Storage did not answer within ${this.storageMs} ms`, "storage-timeout"));
      return loaded;
    } catch (error) {
      const typed = error instanceof StorageError ? error : new StorageError(`Restore failed (${(error as Error).name})`);
      this.outcome = { ok: false, error: typed, refuseSaves: this.refusal };
      throw typed;
    }
  };

  private async read(): Promise<LoadedState> {
    if (isPeerStorage(this.storage)) {
      const data = await this.storage.load();
      return this.done("accounts", await this.fromRecords(data.sessions.values(), data.activePubkey));
    }
    let text: string | null;
    try {
      text = await this.storage.getItem(STATE_KEY);
    } catch (error) {
      throw error instanceof StorageError ? error : new StorageError(`The stored state could not be read (${(error as Error).name})`);
    }
    const outcome = readEnvelope(text);
    if (outcome.kind === "empty") return this.legacyImport();
    if (outcome.kind === "newer") {
      this.refusal = new NewerStorageError(outcome.version);
      throw this.refusal;
    }
    if (outcome.kind === "unreadable") throw new CorruptStorageError(outcome.reason, await this.keepBytes(text!, "unreadable"));
    const { envelope, snapshot } = outcome;
    await this.keyring.admitStored({ ...envelope.payloads, ...envelope.unsafeSecrets }, envelope.secrets ?? {});
    const activePubkey = envelope.registry.activePubkey;
    if (snapshot) return this.done("snapshot", { accounts: accountsOfSnapshot(snapshot), activePubkey });
    const backup = await this.keepBytes(text!, "snapshot");
    return this.done("registry", { accounts: accountsOfRegistry(envelope.registry.accounts), activePubkey }, backup);
  }

  private done(source: RestoreReport["source"], loaded: LoadedState, backup?: string): LoadedState {
    this.outcome = { ok: true, source, refuseSaves: this.refusal, saveSoon: this.importing, ...(backup ? { backupKey: backup } : {}) };
    return loaded;
  }

  /** First run after `@nostr-dev-kit/sessions` or NDK React: their accounts, saved in our format soon after. */
  private async legacyImport(): Promise<LoadedState> {
    const storage = this.storage as KeyValueStorage;
    const legacy = await storage.legacy?.().catch(() => undefined);
    const imported = legacy ? readLegacy(legacy) : undefined;
    if (!imported || imported.accounts.length === 0) return this.done("empty", { accounts: [], activePubkey: null });
    this.importing = true;
    return this.done("legacy", await this.fromRecords(imported.accounts, imported.activePubkey));
  }

  /** Accounts without lists (peer storage, legacy import): payloads to the keyring, sessions start fresh. */
  private async fromRecords(records: Iterable<LegacyAccount | SerializedSession>, active: string | undefined): Promise<LoadedState> {
    const accounts: RestoredAccount[] = [];
    const payloads: Record<string, string> = {};
    for (const record of records) {
      if (record.signerPayload) payloads[record.pubkey] = record.signerPayload;
      const type = (record as SerializedSession).signerType ?? payloadType(record.signerPayload);
      accounts.push({ pubkey: record.pubkey, signer: { type }, lastActive: record.lastActive, preferences: record.preferences });
    }
    await this.keyring.admitStored(payloads, {});
    return { accounts, activePubkey: active ?? null };
  }

  /** Copies bytes that cannot be used to a backup key; if even that fails, saving stops for this run. */
  private async keepBytes(text: string, reason: string): Promise<string | undefined> {
    const key = backupKey(reason);
    const storage = this.storage as KeyValueStorage;
    try {
      if (storage.copy) await storage.copy(STATE_KEY, key);
      else await storage.setItem(key, text);
      return key;
    } catch {
      this.refusal = new StorageError("Unreadable stored data could not be backed up, so nothing will be saved over it");
      return undefined;
    }
  }
}
