import type { AnyActorRef } from "xstate";
import { READ_ONLY, sessionId, type SessionContext } from "../../machines";
import type { ManagerActor } from "../engine";
import type { EngineRuntime } from "../effects/runtime";
import type { AccountRecord } from "./envelope";

/** Signer types whose payload holds no secret (a NIP-07 payload is empty: the extension keeps the key). */
export const SECRET_FREE_TYPES: ReadonlySet<string> = new Set(["nip07"]);

export function accountsOf(actor: ManagerActor): AccountRecord[] {
  const snapshot = actor.getSnapshot();
  return snapshot.context.pubkeys.map((pubkey) => {
    const child = snapshot.children[sessionId(pubkey)] as AnyActorRef | undefined;
    const context = child?.getSnapshot().context as SessionContext | undefined;
    return {
      pubkey,
      signer: context?.signer ?? { type: READ_ONLY },
      lastActive: snapshot.context.lastActive[pubkey] ?? 0,
      preferences: context?.preferences,
    };
  });
}

function safePayload(signer: { toPayload(): string }): string | undefined {
  try {
    return signer.toPayload();
  } catch {
    return undefined;
  }
}

/**
 * What may be stored of an account's signer payload: a secret-free one (NIP-07) always, one holding
 * a secret only with the unsafe opt-in. The live signer's payload, or the one still in the vault.
 */
export function storablePayload(runtime: EngineRuntime, account: AccountRecord, unsafe: boolean): { payload: string; secret: boolean } | undefined {
  const secretFree = SECRET_FREE_TYPES.has(account.signer.type);
  if (!secretFree && !unsafe) return undefined;
  const live = runtime.signers.get(account.pubkey);
  const payload = live ? safePayload(live) : runtime.vault.get(account.pubkey);
  return payload ? { payload, secret: !secretFree } : undefined;
}

/** A map that JSON leaves out when it holds nothing. */
const orNothing = (map: Record<string, string>) => (Object.keys(map).length ? map : undefined);

/**
 * The envelope's body as JSON (header added by the Saver): registry, persisted snapshot, and signer
 * payloads — secret-free ones (NIP-07) under `payloads`, secrets only with the unsafe opt-in.
 */
export function stateBody(actor: ManagerActor, runtime: EngineRuntime, unsafe: boolean): string {
  const accounts = accountsOf(actor);
  const payloads: Record<string, string> = {};
  const unsafeSecrets: Record<string, string> = {};
  for (const account of accounts) {
    const stored = storablePayload(runtime, account, unsafe);
    if (stored) (stored.secret ? unsafeSecrets : payloads)[account.pubkey] = stored.payload;
  }
  return JSON.stringify({
    registry: { accounts, activePubkey: actor.getSnapshot().context.activePubkey },
    snapshot: actor.getPersistedSnapshot(),
    secrets: runtime.sealed.size ? Object.fromEntries(runtime.sealed) : undefined,
    payloads: orNothing(payloads),
    unsafeSecrets: orNothing(unsafeSecrets),
  });
}
