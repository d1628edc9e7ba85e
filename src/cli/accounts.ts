import { nip19 } from "@nostr-dev-kit/ndk";
import type { Context } from "./context";
import { CliError } from "./errors";
import { accountLine, accountView, type AccountView } from "./output";

/** An account named on the command line: npub or 64-hex public key (never a secret: refused unread). */
export function pubkeyOf(input: string): string {
  const text = input.trim();
  if (/^[0-9a-f]{64}$/i.test(text)) return text.toLowerCase();
  if (text.startsWith("npub1")) {
    try {
      const decoded = nip19.decode(text);
      if (decoded.type === "npub") return decoded.data;
    } catch {
      // falls through to the error
    }
  }
  throw new CliError("not an account: give its npub1… or 64-hex public key", "invalid-account");
}

export function views(context: Context): AccountView[] {
  const { manager } = context;
  return [...manager.getSessions().values()].map((s) => accountView(s, s.pubkey === manager.activePubkey));
}

function viewOf(context: Context, pubkey: string | undefined): AccountView | null {
  const session = pubkey ? context.manager.getSession(pubkey) : undefined;
  return session ? accountView(session, session.pubkey === context.manager.activePubkey) : null;
}

function requireAccount(context: Context, input: string): string {
  const pubkey = pubkeyOf(input);
  if (!context.manager.getSession(pubkey)) throw new CliError(`no such account: ${nip19.npubEncode(pubkey)} (see \`list\`)`, "unknown-account");
  return pubkey;
}

export function listing(list: AccountView[]): string {
  return list.length ? list.map(accountLine).join("\n") : "no accounts (log in with: ndk-session-engine login)";
}

/** list: every account, fresh from the relays (waits for their lists, bounded). */
export async function list(context: Context): Promise<void> {
  await context.loadLists([...context.manager.getSessions().keys()]);
  const accounts = views(context);
  context.out.result({ command: "list", active: context.manager.activePubkey ?? null, accounts }, listing(accounts));
}

/** whoami: the active account. */
export async function whoami(context: Context): Promise<void> {
  const pubkey = context.manager.activePubkey;
  if (!pubkey) throw new CliError("not logged in (ndk-session-engine login)", "no-active-session");
  await context.loadLists([pubkey]);
  const view = viewOf(context, pubkey)!;
  context.out.result({ command: "whoami", account: view }, accountLine(view));
}

/** switch <npub|hex>: makes that account the active one. */
export async function switchTo(context: Context, args: string[]): Promise<void> {
  const pubkey = requireAccount(context, args[0]!);
  await context.manager.switchTo(pubkey);
  await context.save();
  const view = viewOf(context, pubkey)!;
  context.out.result({ command: "switch", account: view }, `switched to\n${accountLine(view)}`);
}

/** logout [<npub|hex>]: that account, or the active one, is forgotten (its sealed key with it). */
export async function logout(context: Context, args: string[]): Promise<void> {
  const { manager } = context;
  const pubkey = args[0] !== undefined ? requireAccount(context, args[0]) : manager.activePubkey;
  if (!pubkey) throw new CliError("no active account to log out", "no-active-session");
  manager.logout(pubkey);
  await context.save();
  const active = viewOf(context, manager.activePubkey);
  const npub = nip19.npubEncode(pubkey);
  context.out.result(
    { command: "logout", pubkey, npub, active },
    `logged out ${npub}\n${active ? `active: ${active.name ?? "(no name)"} ${active.npub}` : "no active account"}`,
  );
}
