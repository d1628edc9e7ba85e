import { createHook } from "node:async_hooks";

/** A timer or socket made by NDK or this library's effects while a HandleWatch was on. */
export interface Handle {
  type: string;
  /** The Node resource itself (a Timeout, a TCP wrap). */
  resource: unknown;
  /** Its creation stack, from the first NDK or library frame. */
  where: string;
}

const OURS = ["@nostr-dev-kit/ndk", "/src/effects/"];
const KINDS = new Set(["Timeout", "TCPWRAP", "TCPCONNECTWRAP"]);

/**
 * Records the timers and sockets NDK and the effects create between `new HandleWatch()` and
 * `stop()`, and forgets each one Node destroys (cleared, fired, closed): what `alive()` returns is
 * what a code path left behind.
 */
export class HandleWatch {
  private readonly handles = new Map<number, Handle>();
  private readonly previousLimit = Error.stackTraceLimit;
  private readonly hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (!KINDS.has(type)) return;
      const frames = (new Error().stack ?? "").split("\n");
      const first = frames.findIndex((line) => OURS.some((part) => line.includes(part)));
      if (first >= 0) this.handles.set(id, { type, resource, where: frames.slice(first).join("\n") });
    },
    destroy: (id) => {
      this.handles.delete(id);
    },
  });

  constructor() {
    // A socket's creation is deep below NDK's frame (ws, net, async_hooks).
    Error.stackTraceLimit = 60;
    this.hook.enable();
  }

  alive(): Handle[] {
    return [...this.handles.values()];
  }

  stop(): void {
    this.hook.disable();
    Error.stackTraceLimit = this.previousLimit;
  }
}
