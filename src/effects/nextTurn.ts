/** A pending turn: what cancels it depends on how it was made. */
export type TurnHandle = { cancel(): void };

/**
 * Runs `callback` in a later macrotask, so that what the thread already has to do goes first (a
 * restore's state reaches the app before the network work it starts). setImmediate where there is
 * one; a MessageChannel message in browsers (a setTimeout of 0 waits at least a millisecond, and
 * browsers clamp nested ones to 4).
 */
export function nextTurn(callback: () => void): TurnHandle {
  if (typeof setImmediate === "function") {
    const immediate = setImmediate(callback);
    return { cancel: () => clearImmediate(immediate) };
  }
  if (typeof MessageChannel === "function") {
    const channel = new MessageChannel();
    let cancelled = false;
    channel.port1.onmessage = () => {
      channel.port1.close();
      if (!cancelled) callback();
    };
    channel.port2.postMessage(null);
    return {
      cancel: () => {
        cancelled = true;
        channel.port1.close();
      },
    };
  }
  const timeout = setTimeout(callback, 0);
  return { cancel: () => clearTimeout(timeout) };
}

/** Runs `callback` after `ms`. */
export function after(ms: number, callback: () => void): TurnHandle {
  const timeout = setTimeout(callback, ms);
  return { cancel: () => clearTimeout(timeout) };
}

/**
 * Resolves after the events already waiting in the event loop (the rest of a REQ's answer) are
 * handled: a timer, so that I/O which arrives meanwhile goes first too (nextTurn's turn may come
 * before it).
 */
export const afterPendingEvents = (): Promise<void> => new Promise((resolve) => after(0, resolve));
