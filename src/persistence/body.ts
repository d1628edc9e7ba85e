import { READ_ONLY, sessionId, type SessionContext } from "../../machines";
import type { ManagerActor } from "../engine";
import type { Keyring } from "../effects/keyring";
import type { AccountRecord } from "./envelope";

/** Signer types whose payload holds no secret (a NIP-07 payload is empty: the extension keeps the key). */
export const SECRET_FREE_TYPES: ReadonlySet<string> = new Set(["nip07"]);

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

/**
 * The envelope's body as JSON (header added by the Saver): registry, persisted snapshot, and signer
 * payloads — secret-free ones (NIP-07) under `payloads`, secrets only with the unsafe opt-in.
 */
export function stateBody(actor: ManagerActor, keyring: Keyring, unsafe: boolean): string {
  const snapshot = actor.getPersistedSnapshot() as unknown as PersistedManager;
  const accounts = accountsIn(snapshot);
  const payloads: Record<string, string> = {};
  const unsafeSecrets: Record<string, string> = {};
  for (const account of accounts) {
    const stored = storablePayload(keyring, account, unsafe);
    if (stored) (stored.secret ? unsafeSecrets : payloads)[account.pubkey] = stored.payload;
  }
  const sealed = keyring.sealedSecrets();
  return JSON.stringify({
    registry: { accounts, activePubkey: snapshot.context.activePubkey },
    snapshot,
    secrets: sealed.size ? Object.fromEntries(sealed) : undefined,
    payloads: orNothing(payloads),
    unsafeSecrets: orNothing(unsafeSecrets),
  });
}
