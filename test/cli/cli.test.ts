/**
 * The built CLI (`node dist/cli.js`, the package's bin) as a child process, against a loopback relay
 * on 127.0.0.1 seeded with real accounts, its sessions file in a temporary folder.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import { connectedNdk, disconnect, NDKPrivateKeySigner, type NDK } from "../support/env";
import { startBunker } from "../support/bunker";
import { publishSigned, randomPubkey, seedAccount, type DemoAccount } from "../../src/demo/accounts";
import { startLoopbackRelay, type LoopbackRelay } from "../../src/demo/loopbackRelay";
import { baseEnv, CLI, cli, finished, killStarted, lineIn, root, start, startProgram, type Run } from "./harness";

const dir = mkdtempSync(join(tmpdir(), "nse-cli-"));
let relay: LoopbackRelay;
let ndk: NDK;
let alice: DemoAccount;
let bob: DemoAccount;
let aliceFollows: number;

beforeAll(async () => {
  execFileSync("npx", ["tsup", "--silent"], { cwd: root, timeout: 120_000, env: { ...process.env, NSE_BUILD: "cli" } });
  relay = await startLoopbackRelay();
  ndk = await connectedNdk([relay.url]);
  [alice, bob] = await Promise.all([
    seedAccount(ndk, relay.url, { name: "alice", followCount: 40, mutedWord: "spam" }),
    seedAccount(ndk, relay.url, { name: "bob", followCount: 7, mutedWord: "weather" }),
  ]);
  aliceFollows = alice.follows.length;
}, 120_000);

afterAll(async () => {
  killStarted();
  if (ndk) disconnect(ndk);
  await relay?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A sessions file of its own (its folder not created yet) and the environment that points at it. */
function place(name: string, extra: Record<string, string | undefined> = {}) {
  const file = join(dir, name, "sessions.json");
  return { file, env: baseEnv({ NDK_SESSION_ENGINE_FILE: file, XDG_CONFIG_HOME: join(dir, "xdg"), ...extra }) };
}

const json = (run: Run) => JSON.parse(run.stdout) as Record<string, any>;
const ok = (run: Run) => expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });

describe("a user's accounts, command by command", () => {
  const { file, env } = place("main");
  const passphrase = "correct horse battery staple";

  it("login with an nsec (passphrase from the environment): active, lists loaded, key sealed", async () => {
    const run = await cli(["login", alice.signer.nsec, "--relay", relay.url, "--json"], { ...env, NDK_SESSION_ENGINE_PASSPHRASE: passphrase });
    ok(run);
    const { command, account, kept } = json(run);
    expect({ command, kept }).toEqual({ command: "login", kept: "private-key" });
    expect(account).toMatchObject({ pubkey: alice.pubkey, name: "alice", active: true, lists: "ready", signerState: "ready", follows: aliceFollows, mutes: 3 });
  });

  it("list (relay remembered): alice active with her follow count, her key locked", async () => {
    const human = await cli(["list"], env);
    ok(human);
    expect(human.stdout).toMatch(new RegExp(`^\\* alice +${alice.signer.npub}\\n  follows ${aliceFollows}, mutes 3, relays 2 · lists ready · signer locked`));
    const run = await cli(["list", "--json"], env);
    ok(run);
    expect(json(run)).toMatchObject({ command: "list", active: alice.pubkey, accounts: [{ pubkey: alice.pubkey, follows: aliceFollows, signerState: "locked", canSign: false }] });
  });

  it("the stored files are 0600 in a 0700 folder, with an ncryptsec and no private key", () => {
    expect(statSync(join(dir, "main")).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = join(dir, "main", "sessions.config.json");
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(config, "utf8"))).toEqual({ relays: [relay.url] });
    const stored = readFileSync(file, "utf8");
    expect(stored).toContain("ncryptsec1");
    expect(stored).not.toContain(alice.signer.nsec);
    expect(stored).not.toContain(alice.signer.privateKey);
    expect(stored).not.toContain(passphrase);
  });

  it("login with an npub: read-only, and the active account", async () => {
    const run = await cli(["login", bob.signer.npub, "--json"], env);
    ok(run);
    expect(json(run).account).toMatchObject({ pubkey: bob.pubkey, active: true, signerState: "readOnly", canSign: false, follows: 7 });
    const list = json(await cli(["list", "--json"], env));
    expect(list.active).toBe(bob.pubkey);
    expect(list.accounts.map((a: { pubkey: string }) => a.pubkey).sort()).toEqual([alice.pubkey, bob.pubkey].sort());
  });

  it("switch to alice by npub, then whoami (--json and in words)", async () => {
    const run = await cli(["switch", alice.signer.npub, "--json"], env);
    ok(run);
    expect(json(run)).toMatchObject({ command: "switch", account: { pubkey: alice.pubkey, active: true } });
    const who = await cli(["whoami", "--json"], env);
    ok(who);
    expect(json(who)).toMatchObject({ command: "whoami", account: { pubkey: alice.pubkey, name: "alice", signerState: "locked", follows: aliceFollows } });
    const words = await cli(["whoami"], env);
    ok(words);
    expect(words.stdout).toContain("signer locked (key sealed under a passphrase)");
  });

  it("logout bob by hex: alice stays, active", async () => {
    const run = await cli(["logout", bob.pubkey, "--json"], env);
    ok(run);
    expect(json(run)).toMatchObject({ command: "logout", pubkey: bob.pubkey, active: { pubkey: alice.pubkey } });
    const list = json(await cli(["list", "--json"], env));
    expect(list.accounts.map((a: { pubkey: string }) => a.pubkey)).toEqual([alice.pubkey]);
  });

  it("watch prints a live update when a new kind 3 arrives, and exits cleanly on SIGINT", async () => {
    const child = start(["watch", "--json"], env);
    child.stdin.end();
    const out = { stdout: "", stderr: "" };
    const exit = finished(child, 20_000, out);
    const first = JSON.parse(await lineIn(() => out.stdout, (l) => l.includes('"accounts"'), 10_000, "the first listing"));
    expect(first).toMatchObject({ type: "accounts", active: alice.pubkey, accounts: [{ pubkey: alice.pubkey, follows: aliceFollows }] });
    await relay.waitForReq((f) => f.limit === 0 && !!f.authors?.includes(alice.pubkey), 5000); // its live subscription
    const follows = [...alice.follows, randomPubkey()];
    await publishSigned(ndk, alice.signer, { kind: 3, tags: follows.map((pk) => ["p", pk]) });
    const update = JSON.parse(await lineIn(() => out.stdout, (l) => l.includes('"update"'), 10_000, "the live update"));
    expect(update).toMatchObject({ type: "update", account: { pubkey: alice.pubkey, follows: aliceFollows + 1 } });
    child.kill("SIGINT");
    const run = await exit;
    expect({ code: run.code, signal: run.signal, stderr: run.stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(run.stdout.trim().split("\n").every((line) => typeof JSON.parse(line).type === "string")).toBe(true);
    aliceFollows += 1;
  });

  it("login from stdin: an ncryptsec, then its passphrase, one line each; the key is kept as given", async () => {
    const carol = NDKPrivateKeySigner.generate();
    const ncryptsec = carol.encryptToNcryptsec("carol's pass", 8);
    const run = await cli(["login", "--json"], env, { input: `${ncryptsec}\ncarol's pass\n` });
    ok(run);
    expect(json(run)).toMatchObject({ kept: "ncryptsec", account: { pubkey: carol.pubkey, signerState: "ready", active: true } });
    expect(readFileSync(file, "utf8")).toContain(ncryptsec);
    expect(readFileSync(file, "utf8")).not.toContain(carol.privateKey);
  });

  it("login with a bunker:// address (read from stdin): a remote signer, its secret never stored", async () => {
    const bunker = await startBunker(relay.url, relay, { secret: "one-time-secret-4711" });
    try {
      const run = await cli(["login", "--json"], env, { input: `${bunker.bunkerUri()}\n` });
      ok(run);
      expect(json(run)).toMatchObject({ kept: "bunker", account: { pubkey: bunker.userPubkey, signerState: "ready", canSign: true } });
      const stored = readFileSync(file, "utf8");
      expect(stored).not.toContain("one-time-secret-4711");
      const later = json(await cli(["whoami", "--json"], env));
      expect(later.account).toMatchObject({ pubkey: bunker.userPubkey, signerState: "needsLogin", canSign: false });
      ok(await cli(["logout", "--json"], env));
    } finally {
      await bunker.close();
    }
  });

  it("progress goes to stderr (--progress), never to stdout", async () => {
    const run = await cli(["list", "--json", "--progress"], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^loading lists… follows \d+, mutes \d+$/m);
    expect(run.stderr).toMatch(/^lists loaded: follows \d+, mutes \d+ \(\d+\.\d s\)$/m);
    expect(json(run).command).toBe("list");
  });
});

/** A TCP server that accepts and never answers (no WebSocket handshake). */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A WebSocket relay that takes every REQ and never answers it (no event, no EOSE). */
async function muteRelay(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () => {
      for (const client of server.clients) client.terminate();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("where the sessions are kept", () => {
  const login = (args: string[], env: NodeJS.ProcessEnv) => cli(["login", bob.signer.npub, "--relay", relay.url, "--json", ...args], env);

  it("$XDG_CONFIG_HOME/ndk-session-engine/sessions.json, else ~/.config/…; --file beats $NDK_SESSION_ENGINE_FILE", async () => {
    const xdg = join(dir, "where", "xdg");
    ok(await login([], baseEnv({ XDG_CONFIG_HOME: xdg })));
    expect(statSync(join(xdg, "ndk-session-engine")).mode & 0o777).toBe(0o700);
    expect(statSync(join(xdg, "ndk-session-engine", "sessions.json")).mode & 0o777).toBe(0o600);

    const home = join(dir, "where", "home");
    ok(await login([], baseEnv({ XDG_CONFIG_HOME: undefined, HOME: home })));
    expect(statSync(join(home, ".config", "ndk-session-engine", "sessions.json")).mode & 0o777).toBe(0o600);

    const chosen = join(dir, "where", "chosen", "mine.json");
    ok(await login(["--file", chosen], baseEnv({ NDK_SESSION_ENGINE_FILE: join(dir, "where", "env", "sessions.json"), XDG_CONFIG_HOME: xdg })));
    expect(JSON.parse(readFileSync(join(dir, "where", "chosen", "mine.config.json"), "utf8"))).toEqual({ relays: [relay.url] });
    expect(readFileSync(chosen, "utf8")).toContain(bob.pubkey);
    expect(() => statSync(join(dir, "where", "env"))).toThrow();
  });
});

// Each case has a sessions file (and relays) of its own, so they run at once.
describe.concurrent("every bad input: one line on stderr, a non-zero exit, no stack, no secret", () => {
  const hex = () => randomPubkey();
  const nsec = NDKPrivateKeySigner.generate().nsec;
  /** [what, its arguments (env, stdin), the line expected on stderr, the exit code]; each case has a sessions file of its own. */
  type Case = [string, () => Promise<{ args: string[]; env?: Record<string, string>; input?: string }>, RegExp, number];
  let servers: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  const withRelay = (args: string[], env?: Record<string, string>, input?: string) => async () => ({ args: [...args, "--relay", relay.url], env, input });

  const cases: Case[] = [
    ["unknown command", async () => ({ args: ["frobnicate"] }), /^ndk-session-engine: unknown command frobnicate \(see --help\)$/, 2],
    ["a key given as the command", async () => ({ args: [nsec] }), /^ndk-session-engine: unknown command … \(see --help\)$/, 2],
    ["unknown option", async () => ({ args: ["list", "--colour"] }), /unknown option --colour/, 2],
    ["option without its value", async () => ({ args: ["list", "--relay"] }), /option --relay needs a value/, 2],
    ["not a relay URL", async () => ({ args: ["list", "--relay", "https://relay.example"] }), /--relay takes a ws:\/\/ or wss:\/\/ URL/, 2],
    ["no relay at all", async () => ({ args: ["list"] }), /^ndk-session-engine: no relay: pass --relay/, 1],
    ["bad key", withRelay(["login", "nsec1qqqqqqqqqqqqqqqq"]), /not a key: expected nsec1…/, 1],
    ["a hex key without --as", withRelay(["login", hex()]), /a hex key needs --as private-key or --as read-only/, 2],
    ["bad --as", withRelay(["login", hex(), "--as", "owner"]), /--as takes private-key or read-only/, 2],
    ["unknown account (switch)", withRelay(["switch", NDKPrivateKeySigner.generate().npub]), /no such account: npub1/, 1],
    ["unknown account (logout)", withRelay(["logout", hex()]), /no such account: npub1/, 1],
    ["not an account", withRelay(["switch", nsec]), /not an account: give its npub1… or 64-hex public key/, 1],
    ["switch without an account", withRelay(["switch"]), /switch needs an account/, 2],
    ["whoami when nobody is logged in", withRelay(["whoami"]), /not logged in/, 1],
    ["wrong passphrase", withRelay(["login", NDKPrivateKeySigner.generate().encryptToNcryptsec("right", 8)], { NDK_SESSION_ENGINE_PASSPHRASE: "wrong" }), /^ndk-session-engine: wrong passphrase$/, 1],
    ["no passphrase for a private key (stdin empty)", withRelay(["login", nsec]), /no passphrase given/, 1],
    ["no key at all (stdin empty)", withRelay(["login"]), /no key given/, 1],
    [
      "relay timeout: a relay that never completes its handshake",
      async () => {
        const server = await silentServer();
        servers.push(server);
        return { args: ["login", NDKPrivateKeySigner.generate().npub, "--relay", server.url, "--timeout", "500"] };
      },
      /^ndk-session-engine: relay timeout: could not connect to ws:\/\/127\.0\.0\.1:\d+ within 500 ms$/,
      1,
    ],
    [
      "relay timeout: a relay that never answers a REQ",
      async () => {
        const server = await muteRelay();
        servers.push(server);
        return { args: ["login", NDKPrivateKeySigner.generate().npub, "--relay", server.url, "--timeout", "500"] };
      },
      /^ndk-session-engine: relay timeout: ws:\/\/127\.0\.0\.1:\d+ did not send the lists within 500 ms$/,
      1,
    ],
    ["--json: the error as one JSON line", async () => ({ args: ["frobnicate", "--json"] }), /^\{"error":\{"code":"usage","message":"unknown command frobnicate \(see --help\)"\}\}$/, 2],
  ];

  it.for(cases)("%s", async ([what, make, message, code], { expect }) => {
    const { args, env = {}, input = "" } = await make();
    const { env: base } = place(`bad-${what.replace(/\W+/g, "-")}`, env);
    const run = await cli(args, base, { input, timeoutMs: 15_000 });
    expect(run.code, run.stderr).toBe(code);
    expect(run.stdout).toBe("");
    const lines = run.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at |nsec1[0-9a-z]{20}|Error:/);
    if (what.startsWith("relay timeout")) expect(run.ms).toBeLessThan(8000);
  });
});

describe.concurrent("help", () => {
  it.for([["--help"], ["-h"], ["help"], ["login", "--help"]])("%s prints the usage on stdout and exits 0", async (args, { expect }) => {
    const run = await cli(args, place("help").env);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^ndk-session-engine — /);
    for (const command of ["login", "list", "switch <npub|hex>", "logout [<npub|hex>]", "whoami", "watch"]) expect(run.stdout).toContain(`  ${command}`);
    for (const option of ["--relay <url>", "--json", "--file <path>", "--as <what>"]) expect(run.stdout).toContain(option);
  });
});

/** `script` (util-linux) gives the CLI a terminal, so the no-echo prompts are tested as a person meets them. */
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

describe.skipIf(!hasScript)("on a terminal", () => {
  it("login asks for the key and a passphrase (twice) without echoing them", async () => {
    const { file, env } = place("tty");
    const dave = NDKPrivateKeySigner.generate();
    const passphrase = "tty pass phrase";
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} login --relay ${relay.url}`;
    const tty = startProgram("script", ["-qec", command, "/dev/null"], env);
    const out = { stdout: "", stderr: "" };
    const exit = finished(tty, 20_000, out);
    await lineIn(() => out.stdout, (l) => l.includes("Key (nsec"), 10_000, "the key prompt");
    tty.stdin.write(`${dave.nsec}\r`);
    await lineIn(() => out.stdout, (l) => l.includes("Passphrase to seal the key"), 10_000, "the passphrase prompt");
    tty.stdin.write(`${passphrase}\r`);
    await lineIn(() => out.stdout, (l) => l.includes("Same passphrase again"), 10_000, "the confirmation prompt");
    tty.stdin.write(`${passphrase}\r`);
    const run = await exit;
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain("logged in (key sealed under your passphrase, NIP-49)");
    expect(run.stdout).not.toContain(dave.nsec);
    expect(run.stdout).not.toContain(passphrase);
    expect(readFileSync(file, "utf8")).toContain("ncryptsec1");
  });
});
