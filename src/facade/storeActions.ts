import { SessionError } from "../errors";
import type { NDKSessionManager } from "./NDKSessionManager";
import type { SessionStoreActions } from "./types";

/** The peer's store actions (`state.switchToUser(pk)` and the like), each a call on the manager. */
export function storeActionsOf(manager: NDKSessionManager): SessionStoreActions {
  return {
    // The manager was built on its NDK: the same one again is a no-op, another one cannot be taken.
    init: (ndk) => {
      if (ndk !== manager.ndk) throw new SessionError("This state belongs to a manager built on another NDK", "not-supported");
    },
    addSession: (userOrSigner, setActive) => manager.login(userOrSigner, { setActive }),
    startSession: (pubkey, opts) => manager.startSession(pubkey, opts),
    stopSession: (pubkey) => manager.stopSession(pubkey),
    addMonitor: (monitor) => manager.addMonitor(monitor),
    switchToUser: (pubkey) => manager.switchTo(pubkey),
    removeSession: (pubkey) => manager.logout(pubkey),
    updateSession: (pubkey, data) => manager.updateSession(pubkey, data),
    updatePreferences: (pubkey, preferences) => manager.actor.send({ type: "session.preferences.set", pubkey, preferences }),
  };
}
