import type { LoadedState, RestoredAccount } from "../../machines";
import { CorruptStorageError, NewerStorageError, StorageError, storageFailure, withTimeout } from "../errors";
import type { Keyring } from "../effects/keyring";
import type { SerializedSession, SessionData } from "../facade/types";
import { isHexPubkey } from "../lists/packedPubkeys";
import { backupKey, STATE_KEY, type EngineStorage } from "../storage/types";
import { readLegacy, type LegacyAccount } from "./legacy";
import { accountsOfRegistry, accountsOfSnapshot, readEnvelope } from "./load";
import { payloadType } from "./records";

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

/**
 * The manager's `loadState` actor: reads what storage holds through its `load()` (the envelope as
 * `state`; else the accounts of a storage that knows only the peer's shape; else what an older
 * library left), hands its secrets to the keyring, and says which accounts to bring back. Reads
 * never lose bytes: what cannot be used is copied to a backup key first; data of a newer format
 * stops all saving. Bounded by `storageMs`.
 */
export class StateLoader {
  /** How the last load went, for `restore()` to report or throw. */
  outcome: LoadOutcome | undefined;

  constructor(
    private readonly storage: EngineStorage,
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
      const typed = storageFailure(error, "Restore failed");
      this.outcome = { ok: false, error: typed, refuseSaves: this.refusal };
      throw typed;
    }
  };

  private async read(): Promise<LoadedState> {
    let data: SessionData;
    try {
      data = await this.storage.load();
    } catch (error) {
      throw storageFailure(error, "The stored state could not be read");
    }
    const text = typeof data?.state === "string" ? data.state : null;
    const outcome = readEnvelope(text);
    if (outcome.kind === "empty") {
      const records = data?.sessions instanceof Map ? data.sessions : new Map<string, SerializedSession>();
      if (records.size) return this.done("accounts", await this.fromRecords(records.values(), data.activePubkey));
      return this.legacyImport();
    }
    if (outcome.kind === "newer") {
      this.refusal = new NewerStorageError(outcome.version);
      throw this.refusal;
    }
    if (outcome.kind === "unreadable") throw new CorruptStorageError(outcome.reason, await this.keepBytes(text!, "unreadable"));
    const { envelope, snapshot, damaged } = outcome;
    this.keyring.admitStored({ ...envelope.payloads, ...envelope.unsafeSecrets }, envelope.secrets ?? {});
    const activePubkey = envelope.registry.activePubkey;
    // The active account's sealed key is opened now, with the state: its session then signs as soon
    // as it exists, instead of after the work the restore of every other session queues.
    if (activePubkey) await this.keyring.storedPayload(activePubkey).catch(() => undefined);
    // Parts left out (a damaged secret): the bytes are kept before a save writes the rest back.
    const backup = damaged ? await this.keepBytes(text!, "damaged") : undefined;
    for (const part of damaged ?? []) console.warn(`ndk-session-engine: the stored ${part} is damaged and was left out; the stored bytes are kept under "${backup}"`);
    if (snapshot) return this.done("snapshot", { accounts: accountsOfSnapshot(snapshot), activePubkey }, backup);
    const registry = { accounts: accountsOfRegistry(envelope.registry.accounts), activePubkey };
    // No snapshot at all: an app's own save(map) wrote just these accounts; nothing to keep.
    if (envelope.snapshot === null) return this.done("registry", registry, backup);
    return this.done("registry", registry, backup ?? (await this.keepBytes(text!, "snapshot")));
  }

  private done(source: RestoreReport["source"], loaded: LoadedState, backup?: string): LoadedState {
    this.outcome = { ok: true, source, refuseSaves: this.refusal, saveSoon: this.importing, ...(backup ? { backupKey: backup } : {}) };
    return loaded;
  }

  /** First run after `@nostr-dev-kit/sessions` or NDK React: their accounts, saved in our format soon after. */
  private async legacyImport(): Promise<LoadedState> {
    const legacy = await this.storage.legacy?.().catch(() => undefined);
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
      if (!isHexPubkey(record?.pubkey)) continue;
      if (record.signerPayload) payloads[record.pubkey] = record.signerPayload;
      const type = (record as SerializedSession).signerType ?? payloadType(record.signerPayload);
      accounts.push({ pubkey: record.pubkey, signer: { type }, lastActive: record.lastActive, preferences: record.preferences });
    }
    this.keyring.admitStored(payloads, {});
    return { accounts, activePubkey: active ?? null };
  }

  /** Copies bytes that cannot be used to a backup key; if even that fails, saving stops for this run. */
  private async keepBytes(text: string, reason: string): Promise<string | undefined> {
    const key = backupKey(reason);
    const { storage } = this;
    try {
      if (storage.copy) await storage.copy(STATE_KEY, key);
      else if (storage.setItem) await storage.setItem(key, text);
      else throw new StorageError("This storage has no key-value methods to keep a backup with");
      return key;
    } catch {
      this.refusal = new StorageError("Unreadable stored data could not be backed up, so nothing will be saved over it");
      return undefined;
    }
  }
}
