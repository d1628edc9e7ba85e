/**
 * What an earlier run of the app left in storage, for a path whose session is born by restore():
 * a manager of its own (its own NDK, the same MemoryStorage) logs the user in, takes the session's
 * lists where the path wants them (live, stopped, or backing off after a fetch the network failed),
 * saves, and is gone. The secrets policy decides what can come back: a NIP-49 copy of the key (a
 * passphrase at login: the session comes back locked), nothing (a private key: it comes back
 * needing a login), an AES-GCM sealed NIP-46 payload (the signer is rebuilt from it).
 */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer } from "@nostr-dev-kit/ndk";
import type { AnyActorRef, AnyMachineSnapshot } from "xstate";
import { sessionId } from "../../machines";
import { NDKSessionManager, type MemoryStorage } from "../../src";
import type { SecretsPolicy } from "../../src/secrets/sealing";
import { eventually } from "../support/env";
import type { SavedLists } from "./sessionModel";
import { Network, publishPrivateMutes, ScriptedSigner } from "./world";

export const PASSPHRASE = "model passphrase";
/** Backoffs that outlast any test: a retrying region waits for a command. */
export const RETRY_LONG = { baseMs: 60_000, maxMs: 60_000 };

export interface EarlierRun {
  /** The earlier run's own NDK. */
  ndk: NDK;
  /** An NDK to publish the user's lists with. */
  publisher: NDK;
  storage: MemoryStorage;
  secrets: SecretsPolicy;
  timeouts: { signerMs: number; fetchMs: number };
  lists: SavedLists;
}

export interface SavedSession {
  pubkey: string;
  /** A private-key user's key (the restored session has none, or a locked copy). */
  scripted?: ScriptedSigner;
  /** A NIP-46 login's client key (the bunker sees its requests from it). */
  client?: string;
}

/** The session of `manager` for `pubkey`, as its actor is now. */
export function sessionSnapshot(manager: NDKSessionManager, pubkey: string): AnyMachineSnapshot | undefined {
  const child = manager.actor.getSnapshot().children[sessionId(pubkey)] as AnyActorRef | undefined;
  return child?.getSnapshot() as AnyMachineSnapshot | undefined;
}

/** A private-key login (with a passphrase: kept as NIP-49), saved where `run.lists` says. */
export function savedKeyLogin(run: EarlierRun, sealed: boolean): Promise<SavedSession> {
  return saved(run, async (manager) => {
    const scripted = ScriptedSigner.fresh();
    await publishPrivateMutes(run.publisher, scripted);
    const pubkey = await manager.login(scripted, sealed ? { passphrase: PASSPHRASE } : {});
    return { pubkey, scripted };
  });
}

/** A NIP-46 login to the bunker at `bunkerUri`, saved where `run.lists` says. */
export function savedNip46Login(run: EarlierRun, bunkerUri: string): Promise<SavedSession> {
  return saved(run, async (manager) => {
    const remote = NDKNip46Signer.bunker(run.ndk, bunkerUri);
    const pubkey = await manager.login(remote);
    return { pubkey, client: remote.localSigner.pubkey };
  });
}

async function saved(run: EarlierRun, login: (manager: NDKSessionManager) => Promise<SavedSession>): Promise<SavedSession> {
  const { ndk, storage, secrets, timeouts } = run;
  const earlier = new NDKSessionManager(ndk, { storage, autoSave: false, secrets, timeouts, retry: RETRY_LONG });
  try {
    const session = await login(earlier);
    const now = () => sessionSnapshot(earlier, session.pubkey);
    await eventually(() => now()?.matches({ signer: "ready", lists: { live: "ready" } }) === true, 4000, "the earlier run's session ready");
    if (run.lists === "stopped") {
      earlier.stopSession(session.pubkey);
      await eventually(() => now()?.matches({ lists: "idle" }) === true, 2000, "the earlier run's lists stopped");
    } else if (run.lists === "backingOff") {
      const network = new Network(ndk);
      network.down();
      earlier.refresh(session.pubkey);
      await eventually(() => now()?.matches({ lists: { live: "retrying" } }) === true, timeouts.fetchMs + 2000, "the earlier run's lists backing off");
      network.up();
    }
    await earlier.persist();
    return session;
  } finally {
    await earlier.destroy();
  }
}
