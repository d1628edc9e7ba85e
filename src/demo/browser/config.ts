/**
 * What the demo server tells its page (GET /config.json). Only public keys and demo material: the
 * ncryptsec of one seeded account and its passphrase are offered on purpose, so a person can try
 * the NIP-49 login (and lock/unlock) with one click; no nsec ever leaves the server.
 */
export interface DemoAccountInfo {
  name: string;
  pubkey: string;
  npub: string;
  /** How the page offers this account: through the demo's bunker, as an npub, or as an ncryptsec. */
  offeredAs: "bunker" | "npub" | "ncryptsec";
}

export interface DemoConfig {
  /** The one relay the page's NDK talks to (the embedded loopback relay). */
  relayUrl: string;
  /** The demo's own NIP-46 bunker (no secret: it approves every client on this loopback relay). */
  bunkerUri: string;
  /** A demo account's key as NIP-49, and its passphrase. */
  ncryptsec: { value: string; passphrase: string };
  accounts: DemoAccountInfo[];
  /**
   * Changes on every server start. The relay keeps its events in memory, so sessions stored by an
   * earlier run point at accounts that no longer exist; the page keeps its storage per run.
   */
  runId: string;
}
