/**
 * Watches the actor system through XState inspection: every `@xstate.snapshot` of an actor whose id
 * starts with `session:` is folded into a path of list statuses, printed once the session settles.
 */
import type { AnyActorRef, AnyMachineSnapshot, InspectionEvent } from "xstate";
import { statesOf } from "../facade/sessionView";
import type { SessionStatus } from "../facade/types";

const PREFIX = "session:";
const SETTLED = new Set<SessionStatus>(["ready", "error", "idle", "stopped"]);

export interface SessionPrinterDeps {
  nameOf(pubkey: string): string;
  /** The lists a settled session holds, e.g. "(follows 300, mutes 3)". */
  describe(pubkey: string, status: SessionStatus): string;
  print(line: string): void;
}

export interface SessionPrinter {
  inspect(event: InspectionEvent): void;
  /** The last status seen of a session, from inspection alone. */
  statusOf(pubkey: string): SessionStatus | undefined;
}

export function sessionPrinter(deps: SessionPrinterDeps): SessionPrinter {
  const paths = new Map<string, SessionStatus[]>();
  const last = new Map<string, SessionStatus>();
  return {
    statusOf: (pubkey) => last.get(pubkey),
    inspect(event) {
      if (event.type !== "@xstate.snapshot") return;
      const id = (event.actorRef as AnyActorRef).id;
      if (!id.startsWith(PREFIX)) return;
      const pubkey = id.slice(PREFIX.length);
      const snapshot = event.snapshot as AnyMachineSnapshot;
      const { status } = statesOf(snapshot.value, snapshot.status);
      if (last.get(pubkey) === status) return;
      const path = [...(paths.get(pubkey) ?? (last.has(pubkey) ? [last.get(pubkey)!] : [])), status];
      last.set(pubkey, status);
      if (!SETTLED.has(status)) {
        paths.set(pubkey, path);
        return;
      }
      paths.delete(pubkey);
      deps.print(`session  ${deps.nameOf(pubkey).padEnd(7)} ${path.join(" → ")}  ${deps.describe(pubkey, status)}`.trimEnd());
    },
  };
}

/** Polls `check` every 5 ms; rejects with `what` once `timeoutMs` has passed. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Rejects if `promise` has not settled within `timeoutMs`. */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
