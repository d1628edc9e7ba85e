/**
 * The Stately inspector, one click away. `createBrowserInspector()` opens https://stately.ai/inspect
 * in a new window, and a browser only allows that from a click; but the manager takes its `inspect`
 * observer when it is built, and the inspector must hear every actor's creation to draw it. So the
 * page records, from the start, the creation event and latest snapshot of each live actor (bounded:
 * two events per actor, dropped when the actor stops), and replays them when the window is opened.
 * The inspector window needs internet; this page still talks to 127.0.0.1 only.
 */
import { createBrowserInspector } from "@statelyai/inspect";
import type { InspectionEvent } from "xstate";

export interface LateInspector {
  /** Goes to the manager's `inspect` option. */
  observer(event: InspectionEvent): void;
  /**
   * Opens the Stately inspector window and replays what it missed; false when the browser blocked
   * the pop-up (a call outside a click, as `?inspect` makes), so a click can try again.
   */
  open(): boolean;
  readonly opened: boolean;
}

type Next = (event: InspectionEvent) => void;

export function lateInspector(): LateInspector {
  const created = new Map<string, InspectionEvent>();
  const latest = new Map<string, InspectionEvent>();
  let forward: Next | undefined;

  const record = (event: InspectionEvent) => {
    const id = event.actorRef.sessionId;
    if (event.type === "@xstate.actor") created.set(id, event);
    if (event.type !== "@xstate.snapshot") return;
    if ((event.snapshot as { status?: string }).status === "active") latest.set(id, event);
    else {
      created.delete(id);
      latest.delete(id);
    }
  };

  return {
    observer(event) {
      if (forward) forward(event);
      else record(event);
    },
    open() {
      if (forward) return true;
      const inspector = createBrowserInspector({ maxDeferredEvents: 2000 });
      if (!("targetWindow" in inspector.adapter) || !inspector.adapter.targetWindow) return false;
      const next: Next = (event) => inspector.inspect.next?.(event);
      for (const [id, event] of created) {
        next(event);
        const snapshot = latest.get(id);
        if (snapshot) next(snapshot);
      }
      created.clear();
      latest.clear();
      forward = next;
      return true;
    },
    get opened() {
      return forward !== undefined;
    },
  };
}
