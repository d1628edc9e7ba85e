/**
 * Model-based tests of the session machine (issue item): paths generated with xstate/graph from
 * the pure machine (test/model/sessionModel.ts) run step by step against the real engine — real
 * NDK, real relay, real signers, real storage — and the transitions the real session actors took
 * are counted. Three scenarios the issue names are run the same way, with checks of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyActorRef } from "xstate";
import { sessionMachine } from "../../machines";
import { eventually } from "../support/env";
import { useRelay } from "../support/fixture";
import { CoverageRecorder, universeOf } from "./coverage";
import { adjacencyOf } from "./paths";
import { RelayLink } from "./relayLink";
import { APPROVE_URL, planSessionPaths, sessionModel } from "./sessionModel";
import { SessionRun, type SessionPath, type SessionRig } from "./sessionRun";
import { sessionScenarios } from "./sessionScenarios";
import { startApprovingBunker } from "./world";

const fixture = useRelay();
const recorder = new CoverageRecorder(universeOf(sessionMachine), (actor: AnyActorRef) => String(actor.id).startsWith("session:"));
const { paths, reachable } = planSessionPaths(12);
let rig: SessionRig;

beforeAll(async () => {
  // The relays as the clients reach them: links to the test relay that can stop listening or hold what they send.
  const link = await RelayLink.open(fixture.relay.url);
  const relayLink = await RelayLink.open(fixture.relay.url);
  const bunker = await startApprovingBunker(fixture.relay, fixture.ndk, APPROVE_URL, link.url);
  rig = { relay: fixture.relay, ndk: fixture.ndk, bunker, link, relayLink, recorder, published: new Map(), ndkOn: fixture.ndkOn };
}, 20_000);
afterAll(async () => {
  await rig?.bunker.close();
  await rig?.link.close();
  await rig?.relayLink.close();
});

async function run(path: SessionPath): Promise<SessionRun> {
  const session = new SessionRun(rig, path);
  fixture.defer(() => session.close());
  await sessionModel.testPath(path.statePath, session.params);
  return session;
}

describe("session machine: model paths against the real engine", () => {
  it("the model reaches every state and every transition of the machine", () => {
    const adjacency = adjacencyOf(sessionModel);
    const visited = new Set(Object.values(adjacency).flatMap(({ state }) => state.context.machine?._nodes.map((n: { id: string }) => n.id) ?? []));
    for (const key of reachable) visited.add(key.split(" · ")[0]!); // a transition's source was active (lists.starting is transient)
    expect(recorder.universe.states.filter((id) => !visited.has(id))).toEqual([]);
    expect([...recorder.universe.transitions.keys()].filter((k) => !reachable.has(k))).toEqual([]);
    console.log(
      `session model: ${Object.keys(adjacency).length} model states; covering walks: ${paths.length} paths, ${paths.reduce((n, p) => n + p.steps.length, 0)} steps, ${reachable.size} transitions`,
    );
  });

  for (const [i, path] of paths.entries()) it(`path ${i + 1}: ${path.description}`, () => run(path).then(() => {}));

  for (const scenario of sessionScenarios) it(`scenario: ${scenario.title} — ${scenario.path.description}`, async () => scenario.check(await run(scenario.path)));

  it("the real session actors were in every state and took every transition", () => {
    console.log(recorder.report("session", paths.length + sessionScenarios.length));
    expect(recorder.uncovered()).toEqual({ states: [], transitions: [] });
  });

  it("closes every socket the paths opened", async () => {
    await rig.bunker.close();
    await rig.link.close();
    await rig.relayLink.close();
    await eventually(() => fixture.relay.connections() === 1, 3000, "only the fixture's own NDK connected"); // its socket is closed after all
  });
});
