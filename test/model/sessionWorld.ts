/**
 * How the world must be set, step by step, for a session path to happen as planned. An effect's
 * outcome is decided by the world it meets while it runs, so for each step that is an outcome the
 * world is set from the step that started the effect (found by replaying the path on the model:
 * the step at which that invoked actor is new) until the outcome is reached:
 * - a fetch that fails: the client's network is down (`offline`);
 * - a NIP-46 restore that fails: the bunker's relay does not listen (`signer-timeout`);
 * - an authentication that fails: the scripted signer names someone else or throws, the extension
 *   is missing, on another account, or silent;
 * - a fetch that ends before a bunker's answer: the bunker's relay holds its answers meanwhile;
 * - a fetch that ends after a command came while it was out: the relay holds its EOSE meanwhile
 *   (the fetch has read its events), and the command waits until it does;
 * - a list write's read that no relay answers: the relay holds everything it sends until the read
 *   gives up; one that ends after a command came while it was out: as a fetch's, its EOSE is held;
 * - a list write no relay takes (`write.rolledBack`): the link answers its EVENT with `OK false`;
 * - an attempt another client's version wins (`write.attempted(lost)`): before the link passes its
 *   EVENT on, the user's other client publishes a version one second newer (the relay then keeps
 *   theirs, and answers ours OK as a duplicate).
 * Everything else is the ordinary world: online, relays answering, signers answering for their user.
 */
import { generateSecretKey } from "nostr-tools/pure";
import type { FakeNip07 } from "../support/nip07";
import type { PlannedPath } from "./paths";
import type { RelayLink } from "./relayLink";
import { modelStep, type ModelEvent, type ModelState, type SessionModelSnapshot } from "./sessionModel";
import { isWriteOutcome } from "./sessionWrites";
import type { Network, ScriptedSigner } from "./world";

export interface WorldConfig {
  network: "up" | "down";
  /** The bunker's relay, as its clients reach it: listening, or not. */
  link: "up" | "down";
  /** What the bunker's relay sends its clients: passed on, or held. */
  bunker: "pass" | "hold";
  /** What the test relay sends the session's NDK: passed on, each EOSE held, or all of it held. */
  relay: "pass" | "eose" | "all";
  /** What the test relay does with the session's EVENTs: takes them, (the link) refuses them, or takes each after a rival's newer version. */
  events: "take" | "refuse" | "rival";
  answer: "self" | "other" | "throw";
  extension: "ok" | "missing" | "other" | "silent";
}

export const ORDINARY: WorldConfig = { network: "up", link: "up", bunker: "pass", relay: "pass", events: "take", answer: "self", extension: "ok" };

/** The world in which an authentication fails with `code`: the scripted signer's answer, or the extension's. */
function authWorld(kind: ModelState["world"]["kind"], code: string): Partial<WorldConfig> {
  if (kind === "private-key") return code === "signer-mismatch" ? { answer: "other" } : { answer: "throw" };
  const extension = { "signer-mismatch": "other", "extension-other-account": "other", "signer-failed": "missing", "extension-missing": "missing", "signer-timeout": "silent" }[code];
  return extension ? { extension: extension as WorldConfig["extension"] } : {};
}

export interface WorldSchedule {
  /** The world after step k is reached (k = 0: before the birth). */
  configs: WorldConfig[];
  /** Command steps that must wait until the relay holds the running fetch's EOSE. */
  afterEose: Set<number>;
}

/** The invoked actor whose outcome `event` is, if it is one. */
const actorOf = (event: ModelEvent) => /^xstate\.(?:done|error)\.actor\.(.+)$/.exec(event.type)?.[1];
export const isWorldDriven = (event: ModelEvent) => actorOf(event) !== undefined || (event.type === "session.approval" && event.url === null) || isWriteOutcome(event);

export function worldSchedule(path: PlannedPath<SessionModelSnapshot, ModelEvent>): WorldSchedule {
  const n = path.steps.length;
  const states: ModelState[] = [path.statePath.steps[0]!.state.context, ...path.steps.map((s) => s.state.context)];
  const configs = Array.from({ length: n + 1 }, () => ({ ...ORDINARY }));
  const afterEose = new Set<number>();

  /** The last step up to `before` that started the invoked actor `id`. */
  const startOf = (before: number, id: string) => {
    for (let i = before; i >= 1; i--) {
      const prev = states[i - 1]!;
      const next = modelStep(prev, path.steps[i - 1]!.event).state;
      const child = next.machine?.children[id as never];
      if (child && child !== prev.machine?.children[id as never]) return i;
    }
    throw new Error(`no step of the path starts ${id} before step ${before + 1}`);
  };
  const set = (from: number, to: number, change: Partial<WorldConfig>) => {
    for (let k = from; k <= to; k++)
      for (const [knob, value] of Object.entries(change) as Array<[keyof WorldConfig, string]>) {
        const now = configs[k]![knob];
        if (now !== ORDINARY[knob] && now !== value) throw new Error(`the world cannot be ${knob}=${now} and ${value} after step ${k}`);
        (configs[k] as unknown as Record<string, string>)[knob] = value;
      }
  };

  for (let j = 1; j <= n; j++) {
    const { event } = path.steps[j - 1]!;
    if (event.type === "write.rolledBack") set(startOf(j - 1, "publishList") - 1, j - 1, { events: "refuse" });
    if (event.type === "write.attempted" && event.status === "lost") set(startOf(j - 1, "publishList") - 1, j - 1, { events: "rival" });
    const id = actorOf(event);
    if (!id) continue;
    const start = startOf(j - 1, id);
    const before = states[j - 1]!;
    const code = "error" in event ? event.error.code : undefined;
    if (code && id === "fetchLists") set(start - 1, j - 1, { network: "down" });
    if (code && id === "restoreSigner") set(start - 1, j - 1, { link: "down" });
    if (code && id === "readList") set(start - 1, j - 1, { relay: "all" });
    if (!code && id === "readList" && before.world.write?.held) {
      set(start - 1, j - 2, { relay: "eose" });
      for (let c = start + 1; c < j; c++) if (!isWorldDriven(path.steps[c - 1]!.event)) afterEose.add(c);
    }
    if (code && (id === "authenticate" || id === "reverify")) set(start - 1, j - 1, authWorld(before.world.kind, code));
    if (!code && id === "fetchLists") {
      const m = before.machine!;
      const bunkerPending = before.world.kind === "nip46" && (m.matches({ signer: "authenticating" }) || (m.matches({ signer: "restoring" }) && before.world.signer === "stored"));
      if (bunkerPending) set(startOf(j - 1, m.matches({ signer: "restoring" }) ? "restoreSigner" : "authenticate") - 1, j - 1, { bunker: "hold" });
      if (before.world.fetch?.held) {
        set(start - 1, j - 2, { relay: "eose" });
        for (let c = start + 1; c < j; c++) if (!isWorldDriven(path.steps[c - 1]!.event)) afterEose.add(c);
      }
    }
  }
  return { configs, afterEose };
}

/** The knobs of one run's world. */
export interface WorldParts {
  network: Network;
  link: RelayLink;
  relayLink: RelayLink;
  scripted?: ScriptedSigner;
  extension?: FakeNip07;
  extensionKey?: Uint8Array;
  /** Publishes another client's version of the list `ours` is a version of, newer than it. */
  rival: (ours: { kind: number; created_at: number }) => Promise<void>;
}

/** Sets the world as `world` says; resolves, when the bunker's relay is to listen, once it does. */
export function applyWorld(world: WorldConfig, { network, link, relayLink, scripted, extension, extensionKey, rival }: WorldParts): Promise<void> | undefined {
  if (world.network === "down") network.down();
  else network.up();
  if (world.link === "down") link.down();
  if (world.bunker === "hold") link.hold("all");
  else link.release();
  if (world.relay === "pass") relayLink.release();
  else relayLink.hold(world.relay);
  relayLink.refuseEvents(world.events === "refuse");
  relayLink.rivalEvents(world.events === "rival" ? rival : undefined);
  if (scripted) scripted.answer = world.answer;
  if (extension && extensionKey) {
    if (world.extension === "missing") extension.remove();
    else {
      extension.install();
      extension.switchAccount(world.extension === "other" ? generateSecretKey() : extensionKey);
      extension.getPublicKeyDelayMs = world.extension === "silent" ? Infinity : 0;
    }
  }
  return world.link === "up" ? link.up() : undefined;
}
