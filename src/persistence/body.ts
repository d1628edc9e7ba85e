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

/** Payloads to store: secret-free ones always, the rest only when the app opted into plain text. */
function payloadsOf(runtime: EngineRuntime, accounts: AccountRecord[], unsafe: boolean): Record<string, string> | undefined {
  const payloads: Record<string, string> = {};
  for (const { pubkey, signer } of accounts) {
    if (!unsafe && !SECRET_FREE_TYPES.has(signer.type)) continue;
    const live = runtime.signers.get(pubkey);
    const payload = live ? safePayload(live) : runtime.vault.get(pubkey);
    if (payload) payloads[pubkey] = payload;
  }
  return Object.keys(payloads).length ? payloads : undefined;
}

function safePayload(signer: { toPayload(): string }): string | undefined {
  try {
    return signer.toPayload();
  } catch {
    return undefined;
  }
}

/**
 * The envelope's body as JSON (header added by the Saver): registry, persisted snapshot, payloads.
 * Payloads of secret-free signers sit under `payloads`; secrets only under `unsafeSecrets`.
 */
export function stateBody(actor: ManagerActor, runtime: EngineRuntime, unsafe: boolean): string {
  const accounts = accountsOf(actor);
  const stored = payloadsOf(runtime, accounts, unsafe);
  const secretFree: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const { pubkey, signer } of accounts) {
    const payload = stored?.[pubkey];
    if (payload) (SECRET_FREE_TYPES.has(signer.type) ? secretFree : secrets)[pubkey] = payload;
  }
  return JSON.stringify({
    registry: { accounts, activePubkey: actor.getSnapshot().context.activePubkey },
    snapshot: actor.getPersistedSnapshot(),
    payloads: Object.keys(secretFree).length ? secretFree : undefined,
    unsafeSecrets: Object.keys(secrets).length ? secrets : undefined,
  });
}
