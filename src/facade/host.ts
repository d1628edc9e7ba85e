import type { ListSlots } from "../../machines";
import type { ManagerActor } from "../engine";
import type { EngineRuntime } from "../effects/runtime";
import type { AccountRecord } from "../persistence/envelope";
import type { PersistenceHost } from "./persistence";

/**
 * What persistence and tab sync may do to a manager, as events to its (current) actor: a restore
 * can replace the actor, so it is read at every call.
 */
export function managerHost(current: () => { actor: ManagerActor; runtime: EngineRuntime }, rehydrate: (snapshot: unknown) => void): PersistenceHost {
  const send = (event: Parameters<ManagerActor["send"]>[0]) => current().actor.send(event);
  return {
    get actor() {
      return current().actor;
    },
    get runtime() {
      return current().runtime;
    },
    rehydrate,
    admit: (account: AccountRecord, lists?: ListSlots) =>
      send({
        type: "account.login",
        pubkey: account.pubkey,
        signer: account.signer,
        setActive: false,
        at: account.lastActive,
        lastActive: account.lastActive,
        preferences: account.preferences,
        lists,
      }),
    activate: (pubkey, at) => send({ type: "account.switch", pubkey, at }),
    logout: (pubkey) => send({ type: "account.logout", pubkey }),
  };
}
