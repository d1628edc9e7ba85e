/** Resolves at an absolute epoch-ms time; the timer is cleared if the waiting state is left first. */
export function waitUntil(until: number | null, delayMs: number, signal: AbortSignal): Promise<void> {
  const deadline = until ?? Date.now() + delayMs;
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
