import type { Context } from "./context";
import { views, listing } from "./accounts";
import type { AccountView } from "./output";
import { pauseWatchdog } from "./watchdog";

/** The fields a person watches; a change in any of them prints the account again. */
const shown = (v: AccountView) => JSON.stringify([v.name, v.active, v.lists, v.signerState, v.follows, v.mutes, v.relays, v.failure?.code]);

function change(before: AccountView | undefined, after: AccountView): string {
  if (!before) return "new account";
  const parts: string[] = [];
  for (const key of ["follows", "mutes", "relays"] as const) if (before[key] !== after[key]) parts.push(`${key} ${before[key]} → ${after[key]}`);
  if (before.lists !== after.lists) parts.push(`lists ${before.lists} → ${after.lists}${after.failure ? ` (${after.failure.code})` : ""}`);
  if (before.signerState !== after.signerState) parts.push(`signer ${after.signer}`);
  if (before.name !== after.name) parts.push(`name ${after.name ?? "(none)"}`);
  if (before.active !== after.active) parts.push(after.active ? "now active" : "no longer active");
  return parts.join(", ");
}

/**
 * watch: the accounts, then every change as it arrives from the relays (one JSON object per line
 * with --json), until SIGINT or SIGTERM, which end it cleanly (exit 0).
 */
export async function watch(context: Context): Promise<void> {
  const { manager, out } = context;
  await context.loadLists([...manager.getSessions().keys()]);
  const seen = new Map(views(context).map((v) => [v.pubkey, v]));
  out.result({ type: "accounts", active: manager.activePubkey ?? null, accounts: [...seen.values()] }, listing([...seen.values()]));
  pauseWatchdog(); // from now on, until SIGINT
  out.note("watching for changes (Ctrl-C to stop)");

  const print = () => {
    const now = new Map(views(context).map((v) => [v.pubkey, v]));
    for (const [pubkey, view] of now) {
      const before = seen.get(pubkey);
      if (before && shown(before) === shown(view)) continue;
      const at = new Date();
      const text = `${at.toTimeString().slice(0, 8)} ${view.name ?? "(no name)"} ${view.npub}: ${change(before, view)}`;
      out.result({ type: "update", at: at.toISOString(), account: view }, text);
    }
    for (const [pubkey, view] of seen)
      if (!now.has(pubkey)) out.result({ type: "removed", pubkey, npub: view.npub }, `${view.npub}: logged out`);
    seen.clear();
    for (const [pubkey, view] of now) seen.set(pubkey, view);
  };
  const unsubscribe = manager.subscribe(print);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  unsubscribe();
  out.note("stopped");
}
