import type { AnyActorRef } from "xstate";
import { READ_ONLY, sessionId, type ListSlots, type SessionContext } from "../../machines";
import { CorruptStorageError, NewerStorageError, StorageError } from "../errors";
import type { ManagerActor } from "../engine";
import type { EngineRuntime } from "../effects/runtime";
import { restoreSigner } from "../effects/signers";
import { accountsOf, stateBody, storablePayload } from "../persistence/body";
import type { AccountRecord, Envelope } from "../persistence/envelope";
import type { SecretsKeeper } from "../secrets/sealing";
import { readLegacy, type LegacyAccount } from "../persistence/legacy";
import { readEnvelope } from "../persistence/load";
import { prepareForRestore } from "../persistence/prepare";
import { Saver } from "../persistence/saver";
import { backupKey, STATE_KEY, type KeyValueStorage } from "../storage/types";
import type { SerializedSession, SessionStorage } from "./types";

export type AnyStorage = KeyValueStorage | SessionStorage;

/** A storage written for `@nostr-dev-kit/sessions` (`save` / `load` / `clear`): it keeps accounts, not lists. */
export const isPeerStorage = (storage: AnyStorage): storage is SessionStorage =>
  typeof (storage as KeyValueStorage).getItem !== "function" && typeof (storage as SessionStorage).load === "function";

/** What `restore()` found and did. */
export interface RestoreReport {
  /** snapshot: rehydrated as saved · registry: accounts only (lists refetched) · legacy: imported from @nostr-dev-kit/sessions or NDK React · accounts: a peer-style storage · empty: nothing stored. */
  source: "snapshot" | "registry" | "legacy" | "accounts" | "empty";
  /** Sessions the manager holds afterwards. */
  sessions: number;
  /** Where stored bytes that could not be used as they were are kept. */
  backupKey?: string;
}

/** What the controller needs from the manager it serves. */
export interface PersistenceHost {
  readonly actor: ManagerActor;
  readonly runtime: EngineRuntime;
  /** Replaces the engine with one rehydrated from a validated snapshot. */
  rehydrate(snapshot: unknown): void;
  /** Adds an account as a session (an `account.login` event), optionally with last-known lists. */
  admit(account: AccountRecord, lists?: ListSlots): void;
  activate(pubkey: string | null, at: number): void;
  logout(pubkey: string): void;
}

const payloadType = (payload: string | undefined): string => {
  try {
    const type = (JSON.parse(payload ?? "") as { type?: unknown }).type;
    return typeof type === "string" ? type : READ_ONLY;
  } catch {
    return READ_ONLY;
  }
};

/**
 * Restore and save for one manager: the envelope in a key-value storage (snapshot + registry), or
 * account records in a peer-style storage. Reads never lose bytes; newer data is never written over.
 */
export class PersistenceController {
  private readonly saver: Saver | undefined;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage: AnyStorage,
    private readonly host: PersistenceHost,
    private readonly options: { debounceMs: number; unsafe: boolean; keeper: SecretsKeeper },
  ) {
    this.saver = isPeerStorage(storage)
      ? undefined
      : new Saver(storage, () => stateBody(host.actor, host.runtime, options.unsafe), options.debounceMs);
  }

  private restoreError: StorageError | undefined;

  /** The latest storage problem: a save that failed, or data restore() could not use. */
  get lastError(): StorageError | undefined {
    return this.saver?.lastError ?? this.restoreError;
  }

  scheduleSave(): void {
    if (this.saver) this.saver.schedule();
    else void this.persist().catch(() => {});
  }

  async persist(): Promise<void> {
    if (this.saver) return this.saver.flush();
    await (this.storage as SessionStorage).save(this.records(), this.host.actor.getSnapshot().context.activePubkey ?? undefined);
  }

  close(): Promise<void> {
    clearTimeout(this.resumeTimer);
    return this.saver?.close() ?? Promise.resolve();
  }

  async clear(logoutAll: () => void): Promise<void> {
    this.saver?.cancel();
    logoutAll();
    this.saver?.markStored(stateBody(this.host.actor, this.host.runtime, this.options.unsafe));
    if (isPeerStorage(this.storage)) await this.storage.clear();
    else await this.storage.removeItem(STATE_KEY);
  }

  async restore(sessionsExist: boolean): Promise<RestoreReport> {
    this.restoreError = undefined;
    try {
      return await this.restoreFrom(sessionsExist);
    } catch (error) {
      this.restoreError = error instanceof StorageError ? error : new StorageError(`Restore failed (${(error as Error).name})`);
      throw this.restoreError;
    }
  }

  private async restoreFrom(sessionsExist: boolean): Promise<RestoreReport> {
    if (isPeerStorage(this.storage)) {
      const data = await this.storage.load();
      await this.restoreAccounts(data.sessions.values(), data.activePubkey);
      return this.report("accounts");
    }
    const storage = this.storage;
    let text: string | null;
    try {
      text = await storage.getItem(STATE_KEY);
    } catch (error) {
      throw error instanceof StorageError ? error : new StorageError(`The stored state could not be read (${(error as Error).name})`);
    }
    const outcome = readEnvelope(text);
    if (outcome.kind === "empty") return this.report((await this.importLegacy(storage)) ? "legacy" : "empty");
    if (outcome.kind === "newer") {
      const error = new NewerStorageError(outcome.version);
      this.saver!.refuse(error);
      throw error;
    }
    if (outcome.kind === "unreadable") throw new CorruptStorageError(outcome.reason, await this.keepBytes(text!, "unreadable"));

    const { envelope } = outcome;
    await this.unsealSecrets(envelope);
    let backup: string | undefined;
    const active = envelope.registry.activePubkey;
    if (outcome.snapshot && !sessionsExist) {
      const { snapshot, resume } = prepareForRestore(outcome.snapshot);
      this.host.rehydrate(snapshot);
      this.readmitBroken(envelope.registry.accounts);
      if (active && resume.includes(active)) this.host.actor.send({ type: "session.resume", pubkey: active });
      this.resumeSoon(resume.filter((pubkey) => pubkey !== active));
    } else {
      if (outcome.snapshotProblem) backup = await this.keepBytes(text!, "snapshot");
      const known = new Set(this.host.actor.getSnapshot().context.pubkeys);
      const children = outcome.snapshot?.children ?? {};
      for (const account of envelope.registry.accounts)
        if (!known.has(account.pubkey)) this.host.admit(account, children[sessionId(account.pubkey)]?.snapshot.context.lists);
    }
    await this.activate(active, envelope.registry.accounts);
    return this.report(outcome.snapshot && !sessionsExist ? "snapshot" : "registry", backup);
  }

  /**
   * Secrets back into the runtime: AES-GCM ones opened (cheap), NIP-49 ones kept sealed, so their
   * sessions restore locked and no scrypt work happens until someone unlocks them.
   */
  private async unsealSecrets(envelope: Envelope): Promise<void> {
    const { vault, sealed } = this.host.runtime;
    for (const [pubkey, payload] of Object.entries({ ...envelope.payloads, ...envelope.unsafeSecrets })) vault.set(pubkey, payload);
    for (const [pubkey, secret] of Object.entries(envelope.secrets ?? {})) {
      sealed.set(pubkey, secret);
      if (secret.scheme !== "aes-gcm" || vault.has(pubkey)) continue;
      const payload = await this.options.keeper.open(secret);
      if (payload) vault.set(pubkey, payload);
    }
  }

  /**
   * The other sessions resume right after restore() resolves: rebuilding their signers (a key
   * derivation each) must not delay the moment the app can show the restored lists.
   */
  private resumeSoon(pubkeys: string[]): void {
    if (pubkeys.length === 0) return;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      for (const pubkey of pubkeys) this.host.actor.send({ type: "session.resume", pubkey });
    }, 0);
  }

  private report(source: RestoreReport["source"], backupKey?: string): RestoreReport {
    return { source, sessions: this.host.actor.getSnapshot().context.pubkeys.length, ...(backupKey ? { backupKey } : {}) };
  }

  /** XState restores a child it cannot make sense of silently as an error (P6): such sessions start over. */
  private readmitBroken(accounts: AccountRecord[]): void {
    const snapshot = this.host.actor.getSnapshot();
    for (const account of accounts) {
      const child = snapshot.children[sessionId(account.pubkey)] as AnyActorRef | undefined;
      if (child && child.getSnapshot().status === "active") continue;
      if (child) this.host.actor.send({ type: "account.logout", pubkey: account.pubkey });
      this.host.admit(account);
    }
  }

  /** The active session gets its signer and NDK its wiring before restore() resolves. */
  private async activate(activePubkey: string | null | undefined, accounts: AccountRecord[]): Promise<void> {
    if (!activePubkey || !this.host.actor.getSnapshot().context.pubkeys.includes(activePubkey)) return;
    const child = this.host.actor.getSnapshot().children[sessionId(activePubkey)] as AnyActorRef | undefined;
    const signer = (child?.getSnapshot().context as SessionContext | undefined)?.signer ?? { type: READ_ONLY };
    await restoreSigner(this.host.runtime, { pubkey: activePubkey, signer }).catch(() => {});
    const lastActive = accounts.find((a) => a.pubkey === activePubkey)?.lastActive ?? 0;
    this.host.activate(activePubkey, lastActive);
  }

  private async importLegacy(storage: KeyValueStorage): Promise<boolean> {
    const legacy = await storage.legacy?.().catch(() => undefined);
    const imported = legacy ? readLegacy(legacy) : undefined;
    if (!imported || imported.accounts.length === 0) return false;
    await this.restoreAccounts(imported.accounts, imported.activePubkey);
    this.saver?.schedule();
    return true;
  }

  /** Accounts without lists (peer storage, legacy import): signers go to the vault, sessions start fresh. */
  private async restoreAccounts(records: Iterable<LegacyAccount | SerializedSession>, active: string | undefined): Promise<void> {
    const accounts: AccountRecord[] = [];
    const known = new Set(this.host.actor.getSnapshot().context.pubkeys);
    for (const record of records) {
      if (known.has(record.pubkey)) continue;
      if (record.signerPayload) this.host.runtime.vault.set(record.pubkey, record.signerPayload);
      const type = (record as SerializedSession).signerType ?? payloadType(record.signerPayload);
      const account = { pubkey: record.pubkey, signer: { type }, lastActive: record.lastActive, preferences: record.preferences };
      accounts.push(account);
      this.host.admit(account);
    }
    await this.activate(active, accounts);
  }

  private records(): Map<string, SerializedSession> {
    const records = new Map<string, SerializedSession>();
    for (const account of accountsOf(this.host.actor)) {
      records.set(account.pubkey, {
        pubkey: account.pubkey,
        lastActive: account.lastActive,
        preferences: account.preferences,
        signerType: account.signer.type,
        signerPayload: storablePayload(this.host.runtime, account, this.options.unsafe)?.payload,
      });
    }
    return records;
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
      this.saver?.refuse(new StorageError("Unreadable stored data could not be backed up, so nothing will be saved over it"));
      return undefined;
    }
  }
}
