/**
 * Every way in that NDKSessionManager.login() takes, each a small form: a new key, a pasted nsec,
 * an npub (read-only), an ncryptsec with its passphrase (kept as NIP-49, so it can be locked), a
 * NIP-07 extension when the page has one, and a NIP-46 bunker URI (the demo's own, pre-filled).
 * Secret fields are cleared once used; nothing typed here is ever shown back.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import NDK, { NDKNip07Signer } from "@nostr-dev-kit/ndk";
import { useSessionManager } from "../../../bindings/react";
import type { DemoConfig } from "../config";
import type { Run } from "./run";
import { withinMs } from "./timing";

interface Props {
  ndk: NDK;
  config: DemoConfig;
  onLockable(pubkey: string): void;
  run: Run;
}

const hasExtension = () => typeof (window as { nostr?: unknown }).nostr === "object";

function Form({ title, onSubmit, children, testId }: { title: string; onSubmit(): void; children: ReactNode; testId: string }) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="login" onSubmit={submit} data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </form>
  );
}

export function LoginPanel({ ndk, config, onLockable, run }: Props) {
  const manager = useSessionManager();
  const [nsec, setNsec] = useState("");
  const [npub, setNpub] = useState("");
  const [ncryptsec, setNcryptsec] = useState(config.ncryptsec.value);
  const [passphrase, setPassphrase] = useState(config.ncryptsec.passphrase);
  const [bunker, setBunker] = useState(config.bunkerUri);
  // Extensions inject window.nostr when they like, sometimes after load: look again on focus.
  const [extension, setExtension] = useState(hasExtension);
  useEffect(() => {
    const look = () => setExtension(hasExtension());
    const timer = setTimeout(look, 500);
    window.addEventListener("focus", look);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("focus", look);
    };
  }, []);

  const generate = () =>
    run("new key", () =>
      // createAccount: a fresh key, its profile, relay list and follows signed and published, then logged in.
      withinMs(
        manager.createAccount({
          profile: { name: `guest-${Math.random().toString(16).slice(2, 6)}`, about: "made in the browser demo" },
          relays: [config.relayUrl],
          follows: config.accounts.map((a) => a.pubkey),
        }),
        10_000,
        "creating the account",
      ),
    );
  // The nsec field is emptied whatever happens: a key should not stay on screen after it was used.
  const loginNsec = () => run("nsec login", () => manager.login(nsec).finally(() => setNsec("")));
  const loginNpub = () => run("npub login", () => manager.login(npub, /^[0-9a-f]{64}$/i.test(npub.trim()) ? { as: "read-only" } : {}));
  const loginNcryptsec = () =>
    run("ncryptsec login", async () => {
      onLockable(await manager.login(ncryptsec, { passphrase }));
      setPassphrase("");
    });
  const loginExtension = () => run("NIP-07 login", () => manager.login(new NDKNip07Signer(1000, ndk)));
  const loginBunker = () => run("bunker login", () => manager.login(bunker));

  return (
    <section className="panel" aria-label="log in">
      <h2>Log in</h2>
      <Form title="A new key" onSubmit={generate} testId="login-generate">
        <p className="muted">Generates a key, publishes a profile, relay list and follows, and logs in.</p>
        <button type="submit">Generate a new account</button>
      </Form>
      <Form title="nsec" onSubmit={loginNsec} testId="login-nsec">
        <input type="password" autoComplete="off" placeholder="nsec1…" aria-label="nsec" value={nsec} onChange={(e) => setNsec(e.target.value)} />
        <button type="submit" disabled={!nsec.trim()}>Log in</button>
      </Form>
      <Form title="npub (read-only)" onSubmit={loginNpub} testId="login-npub">
        <input placeholder="npub1…" aria-label="npub" value={npub} onChange={(e) => setNpub(e.target.value)} />
        <button type="submit" disabled={!npub.trim()}>Log in read-only</button>
        <p className="muted">
          Try:{" "}
          {config.accounts.map((a) => (
            <button type="button" className="link" key={a.pubkey} onClick={() => setNpub(a.npub)}>
              {a.name}
            </button>
          ))}
        </p>
      </Form>
      <Form title="ncryptsec (NIP-49)" onSubmit={loginNcryptsec} testId="login-ncryptsec">
        <input autoComplete="off" placeholder="ncryptsec1…" aria-label="ncryptsec" value={ncryptsec} onChange={(e) => setNcryptsec(e.target.value)} />
        <input type="password" autoComplete="off" placeholder="passphrase" aria-label="ncryptsec passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
        <button type="submit" disabled={!ncryptsec.trim() || !passphrase}>Log in</button>
        <p className="muted">
          Pre-filled: {config.accounts.find((a) => a.offeredAs === "ncryptsec")?.name}'s key, passphrase "{config.ncryptsec.passphrase}". Kept as
          NIP-49: it can be locked, and restores locked after a reload.
        </p>
      </Form>
      {extension && (
        <Form title="Extension (NIP-07)" onSubmit={loginExtension} testId="login-nip07">
          <button type="submit">Log in with the extension</button>
        </Form>
      )}
      <Form title="Bunker (NIP-46)" onSubmit={loginBunker} testId="login-bunker">
        <input autoComplete="off" placeholder="bunker://…" aria-label="bunker URI" value={bunker} onChange={(e) => setBunker(e.target.value)} />
        <button type="submit" disabled={!bunker.trim()}>Connect</button>
        <p className="muted">Pre-filled: the demo's own bunker, signing as {config.accounts.find((a) => a.offeredAs === "bunker")?.name}.</p>
      </Form>
    </section>
  );
}
