import { READ_ONLY, sessionId, type SessionContext } from "../../machines";
import type { ManagerActor } from "../engine";
import type { Keyring } from "../effects/keyring";
import type { SerializedSession } from "../facade/types";
import type { AccountRecord } from "./envelope";
import { SECRET_FREE_TYPES } from "./records";

type PersistedManager = { context: { pubkeys: string[]; activePubkey: string | null; lastActive: Record<string, number> }; children: Record<string, { snapshot?: { context?: SessionContext } }> };

/** The registry's view of a persisted manager snapshot: one record per account. */
function accountsIn(snapshot: PersistedManager): AccountRecord[] {
  return snapshot.context.pubkeys.map((pubkey) => {
    const context = snapshot.children[sessionId(pubkey)]?.snapshot?.context;
    return {
      pubkey,
      signer: context?.signer ?? { type: READ_ONLY },
      lastActive: snapshot.context.lastActive[pubkey] ?? 0,
      preferences: context?.preferences,
    };
  });
}

export const accountsOf = (actor: ManagerActor): AccountRecord[] => accountsIn(actor.getPersistedSnapshot() as unknown as PersistedManager);

/**
 * What may be stored of an account's signer payload: a secret-free one (NIP-07) always, one holding
 * a secret only with the unsafe opt-in.
 */
export function storablePayload(keyring: Keyring, account: AccountRecord, unsafe: boolean): { payload: string; secret: boolean } | undefined {
  const secretFree = SECRET_FREE_TYPES.has(account.signer.type);
  if (!secretFree && !unsafe) return undefined;
  const payload = keyring.payload(account.pubkey);
  return payload ? { payload, secret: !secretFree } : undefined;
}

/** A map that JSON leaves out when it holds nothing. */
const orNothing = (map: Record<string, string>) => (Object.keys(map).length ? map : undefined);

/** What one save writes: the envelope's body, and the same accounts as the peer's records. */
export interface SavedState {
  /** The envelope as JSON without its header (added when written; see `envelopeText`). */
  body: string;
  records: Map<string, SerializedSession>;
  activePubkey: string | undefined;
}

/**
 * The state to save, from one persisted snapshot: the envelope's body (registry, snapshot, and signer
 * payloads — secret-free ones (NIP-07) under `payloads`, secrets only with the unsafe opt-in) and the
 * peer's records of the same accounts (with the same payloads).
 */
export function savedState(actor: ManagerActor, keyring: Keyring, unsafe: boolean): SavedState {
  const snapshot = actor.getPersistedSnapshot() as unknown as PersistedManager;
  const accounts = accountsIn(snapshot);
  const payloads: Record<string, string> = {};
  const unsafeSecrets: Record<string, string> = {};
  const records = new Map<string, SerializedSession>();
  for (const account of accounts) {
    const stored = storablePayload(keyring, account, unsafe);
    if (stored) (stored.secret ? unsafeSecrets : payloads)[account.pubkey] = stored.payload;
    records.set(account.pubkey, {
      pubkey: account.pubkey,
      signerType: account.signer.type,
      signerPayload: stored?.payload,
      lastActive: account.lastActive,
      preferences: account.preferences,
    });
  }
  const sealed = keyring.sealedSecrets();
  const body = JSON.stringify({
    registry: { accounts, activePubkey: snapshot.context.activePubkey },
    snapshot,
    secrets: sealed.size ? Object.fromEntries(sealed) : undefined,
    payloads: orNothing(payloads),
    unsafeSecrets: orNothing(unsafeSecrets),
  });
  return { body, records, activePubkey: snapshot.context.activePubkey ?? undefined };
}
