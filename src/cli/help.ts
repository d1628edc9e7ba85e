export const HELP = `ndk-session-engine — Nostr logins kept on this computer, for people and scripts

Usage: ndk-session-engine <command> [arguments] [options]

Commands:
  login [<key>]          log in and make the account active; <key> is nsec1…, ncryptsec1…,
                         npub1… (read-only), bunker://… or a 64-hex key with --as. Omit it to
                         type it without echo (or pipe it on stdin): a key on the command line
                         is visible to other users of this computer.
  list                   every account: follows, mutes, relays, lists and signer state
  switch <npub|hex>      make that account the active one
  logout [<npub|hex>]    forget that account (default: the active one) and its sealed key
  whoami                 the active account
  watch                  the accounts, then each change as it arrives, until Ctrl-C
  help                   this text

Options:
  -r, --relay <url>      relay to use (repeatable, or comma-separated); remembered for later
                         commands, which reuse it when none is given
      --as <what>        for a hex key: private-key or read-only
      --json             results as JSON on stdout (one object per line for watch)
      --file <path>      sessions file (default: $NDK_SESSION_ENGINE_FILE, else
                         $XDG_CONFIG_HOME/ndk-session-engine/sessions.json, else
                         ~/.config/ndk-session-engine/sessions.json); relays are kept beside it
      --timeout <ms>     how long to wait for relays and signers (default 5000 and 10000)
      --progress         show progress on stderr even when it is not a terminal
  -q, --quiet            no progress
  -h, --help             this text
  -v, --version          the version

Keys are never stored in plain text: a private key is sealed (NIP-49) under a passphrase you set
at login (asked twice without echo; or $NDK_SESSION_ENGINE_PASSPHRASE, or the next line of stdin).
No command signs, so stored keys stay sealed: \`list\` and \`whoami\` say "locked". The file is
written atomically with mode 0600.

Examples:
  ndk-session-engine login --relay wss://relay.damus.io      # asks for the key and a passphrase
  ndk-session-engine login npub1… && ndk-session-engine list
  ndk-session-engine watch --json | jq .account.follows

Exit status: 0 done, 1 failed, 2 bad usage; errors are one line on stderr.`;
