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
  for (const { pubkey, signer } of accounts) {
    const secretFree = SECRET_FREE_TYPES.has(signer.type);
    if (!secretFree && !unsafe) continue;
    const live = runtime.signers.get(pubkey);
    const payload = live ? safePayload(live) : runtime.vault.get(pubkey);
    if (payload) (secretFree ? payloads : unsafeSecrets)[pubkey] = payload;
  }
  return JSON.stringify({
    registry: { accounts, activePubkey: actor.getSnapshot().context.activePubkey },
    snapshot: actor.getPersistedSnapshot(),
    secrets: runtime.sealed.size ? Object.fromEntries(runtime.sealed) : undefined,
    payloads: orNothing(payloads),
    unsafeSecrets: orNothing(unsafeSecrets),
  });
}
