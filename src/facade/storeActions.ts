import type { NDKSessionManager } from "./NDKSessionManager";
import type { SessionStoreActions } from "./types";

/** The peer's store actions (`state.switchToUser(pk)` and the like), each a call on the manager. */
export function storeActionsOf(manager: NDKSessionManager): SessionStoreActions {
  return {
    init: () => {},
    addSession: (userOrSigner, setActive) => manager.login(userOrSigner, { setActive }),
    startSession: (pubkey, opts) => manager.startSession(pubkey, opts),
    stopSession: (pubkey) => manager.stopSession(pubkey),
    addMonitor: (monitor) => manager.addMonitor(monitor),
    switchToUser: (pubkey) => manager.switchTo(pubkey),
    removeSession: (pubkey) => manager.logout(pubkey),
    updateSession: () => {},
    updatePreferences: (pubkey, preferences) => manager.actor.send({ type: "session.preferences.set", pubkey, preferences }),
  };
}
