/**
 * The backstop over everything a command waits on (files, relays, signers), past the library's own
 * bounded waits; paused while a person types and while `watch` runs.
 */
let timer: ReturnType<typeof setTimeout> | undefined;
let onFire: () => void = () => {};

export function onWatchdog(fire: () => void): void {
  onFire = fire;
}

export function armWatchdog(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => onFire(), ms);
  timer.unref();
}

export function pauseWatchdog(): void {
  clearTimeout(timer);
  timer = undefined;
}

/** Past every wait of one command: a relay fetch, a signer call, and some slack for files and start-up. */
export const backstopMs = (timeouts: { fetchMs: number; signerMs: number }) => timeouts.fetchMs + timeouts.signerMs + 10_000;
