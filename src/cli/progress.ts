import type { NDKSessionManager } from "../facade/NDKSessionManager";
import type { NDKSession } from "../facade/types";
import { CliError } from "./errors";
import { mutesOf } from "./output";

/** Signer states on their way somewhere; a command waits for them to settle (bounded). */
const SIGNER_MOVING = new Set(["restoring", "authenticating", "verifying"]);
const settled = (session: NDKSession | undefined) => !session || (session.status !== "fetching" && !SIGNER_MOVING.has(session.signerState));

/** "loading lists… follows 300, mutes 3" on stderr: rewritten in place on a terminal, a line per change otherwise. */
export class Progress {
  private last = "";

  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  show(text: string): void {
    if (!this.enabled || text === this.last) return;
    this.last = text;
    if (this.stream.isTTY) this.stream.write(`\r\u001b[K${text}`);
    else this.stream.write(`${text}\n`);
  }

  done(text: string): void {
    if (!this.enabled) return;
    if (this.stream.isTTY) this.stream.write(`\r\u001b[K${text}\n`);
    else this.stream.write(`${text}\n`);
    this.last = "";
  }

  /** Clears a line in progress (before an error is printed). */
  clear(): void {
    if (this.enabled && this.stream.isTTY && this.last) this.stream.write("\r\u001b[K");
    this.last = "";
  }
}

function counts(sessions: Array<NDKSession | undefined>): string {
  const follows = sessions.reduce((n, s) => n + (s?.followSet?.size ?? 0), 0);
  const mutes = sessions.reduce((n, s) => n + mutesOf(s), 0);
  return `follows ${follows}, mutes ${mutes}`;
}

/**
 * Until the lists of `pubkeys` have loaded (or failed) and their signers have settled, with progress.
 * The library bounds each fetch (`fetchMs`); `limitMs` bounds the whole wait. A session whose lists
 * failed (no relay answered) is an error: `relay-timeout`, or `offline` when no relay connected.
 */
export async function loadLists(
  manager: NDKSessionManager,
  pubkeys: string[],
  progress: Progress,
  { fetchMs, limitMs, relays }: { fetchMs: number; limitMs: number; relays: string[] },
): Promise<void> {
  if (pubkeys.length === 0) return;
  const sessions = () => pubkeys.map((pk) => manager.getSession(pk));
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let unsubscribe = () => {};
    let finished = false;
    const timer = setTimeout(() => finish(new CliError(`relay timeout: the lists did not load within ${limitMs} ms (${relays.join(", ")})`, "relay-timeout")), limitMs);
    function check() {
      const now = sessions();
      progress.show(`loading lists… ${counts(now)}`);
      if (now.every(settled)) finish();
    }
    function finish(error?: Error) {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve();
    }
    unsubscribe = manager.subscribe(check);
    if (finished) unsubscribe();
    else check();
  }).catch((error: unknown) => {
    progress.clear();
    throw error;
  });
  const failed = sessions().find((s) => s?.status === "error");
  if (failed) {
    progress.clear();
    const code = failed.failure?.code ?? "relay-error";
    const within = `within ${fetchMs} ms`;
    if (code === "offline") throw new CliError(`relay timeout: could not connect to ${relays.join(", ")} ${within}`, code);
    if (code === "relay-timeout") throw new CliError(`relay timeout: ${relays.join(", ")} did not send the lists ${within}`, code);
    throw new CliError(`the lists could not be loaded from ${relays.join(", ")} (${code})`, code);
  }
  progress.done(`lists loaded: ${counts(sessions())} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
