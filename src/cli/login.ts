import { nip19 } from "@nostr-dev-kit/ndk";
import type { CliOptions } from "./args";
import type { Context } from "./context";
import { CliError, usageError } from "./errors";
import { accountLine, accountView } from "./output";
import { armWatchdog, backstopMs, pauseWatchdog } from "./watchdog";

type Kind = "private-key" | "ncryptsec" | "public-key" | "bunker";

/** What a login string is, checked before any passphrase is asked for (never echoing it). */
export function kindOf(input: string, as: CliOptions["as"]): Kind {
  const text = input.trim();
  const decodes = (prefix: "nsec" | "npub") => {
    try {
      return nip19.decode(text).type === prefix;
    } catch {
      return false;
    }
  };
  if (text.startsWith("bunker://")) return "bunker";
  if (text.startsWith("ncryptsec1")) return "ncryptsec";
  if (text.startsWith("nsec1") && decodes("nsec")) return "private-key";
  if (text.startsWith("npub1") && decodes("npub")) return "public-key";
  if (/^[0-9a-f]{64}$/i.test(text)) {
    if (!as) throw usageError("a hex key needs --as private-key or --as read-only");
    return as === "private-key" ? "private-key" : "public-key";
  }
  throw new CliError("not a key: expected nsec1…, ncryptsec1…, npub1…, bunker://… or a 64-hex key with --as", "invalid-login");
}

const KEPT: Record<Kind, string> = {
  "private-key": "key sealed under your passphrase, NIP-49",
  ncryptsec: "key kept as the ncryptsec given",
  "public-key": "read-only",
  bunker: "remote signer, not kept: log in again to sign in a later run",
};

/**
 * login [<nsec|npub|ncryptsec|bunker://…|hex>]: a missing key is asked for (no echo) or read from
 * stdin; a private key is sealed under a passphrase set now; the account becomes active, its lists
 * load, and only then is it saved.
 */
export async function login(context: Context, args: string[], options: CliOptions): Promise<void> {
  const { manager, prompter, out } = context;
  if (options.as && args[0] !== undefined && !/^[0-9a-f]{64}$/i.test(args[0].trim())) throw usageError("--as is for a hex key");
  pauseWatchdog(); // a person may be typing
  const input = (args[0] ?? (await prompter.secret("Key (nsec, ncryptsec, npub, bunker:// or hex)", "key"))).trim();
  const kind = kindOf(input, options.as);
  const passphrase =
    kind === "private-key" ? await prompter.newPassphrase() : kind === "ncryptsec" ? await prompter.passphrase() : undefined;
  prompter.close();
  armWatchdog(backstopMs(context.timeouts));

  const pubkey = await manager.login(input, { as: options.as, passphrase, setActive: true });
  await context.loadLists([pubkey]);
  await context.save();
  const view = accountView(manager.getSession(pubkey)!, manager.activePubkey === pubkey);
  out.result({ command: "login", account: view, kept: kind }, `logged in (${KEPT[kind]})\n${accountLine(view)}`);
}
