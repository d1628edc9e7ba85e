import { retryDelay, type BackoffInput, type RetryPolicy } from "../../machines";

/**
 * Resolves when the backoff after `attempt` failures is over: at `since + delay`, a deadline derived
 * from what the session stored, so a restored session keeps it (and an unknown `since` counts from
 * now). The timer is cleared when the waiting state is left first.
 */
export function backoff(policy: RetryPolicy, { attempt, since }: BackoffInput, signal: AbortSignal): Promise<void> {
  const delay = retryDelay(policy, attempt);
  const deadline = since > 0 ? since + delay : Date.now() + delay;
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
