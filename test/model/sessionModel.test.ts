/**
 * Model-based tests of the session machine (issue item): paths generated with xstate/graph from
 * the pure machine (test/model/sessionModel.ts) run step by step against the real engine — real
 * NDK, real relay, real signers — and the transitions the real session actors took are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyActorRef } from "xstate";
import { sessionMachine } from "../../machines";
import { eventually } from "../support/env";
import { useRelay } from "../support/fixture";
import { CoverageRecorder, universeOf } from "./coverage";
import { APPROVE_URL, planSessionPaths, sessionModel } from "./sessionModel";
import { SessionRun, type SessionRig } from "./sessionRun";
import { RelayLink, startApprovingBunker } from "./world";

const fixture = useRelay();
const recorder = new CoverageRecorder(universeOf(sessionMachine), (actor: AnyActorRef) => String(actor.id).startsWith("session:"));
const { paths, reachable } = planSessionPaths(12);
let rig: SessionRig;

beforeAll(async () => {
  // The bunker's relay, as its clients reach it, is a link to the test relay that can stop listening.
  const link = await RelayLink.open(fixture.relay.url);
  const bunker = await startApprovingBunker(fixture.relay, fixture.ndk, APPROVE_URL, link.url);
  rig = { relay: fixture.relay, ndk: fixture.ndk, bunker, link, recorder, published: new Map(), ndkOn: fixture.ndkOn };
}, 20_000);
afterAll(async () => {
  await rig?.bunker.close();
  await rig?.link.close();
});

describe("session machine: model paths against the real engine", () => {
  it("the model reaches every state and every transition of the machine", () => {
    // xstate/graph's shortest paths to every model state pass through every state of the machine.
    const shortest = sessionModel.getShortestPaths();
    const visited = new Set(shortest.flatMap((p) => p.steps.flatMap((s) => s.state.context.machine?._nodes.map((n) => n.id) ?? [])));
    expect(recorder.universe.states.filter((id) => !visited.has(id))).toEqual([]);
    const missing = [...recorder.universe.transitions.keys()].filter((k) => !reachable.has(k));
    expect(missing).toEqual([]);
    const states = Object.keys(sessionModel.getAdjacencyMap()).length;
    console.log(`session model: ${states} model states, ${shortest.length} shortest paths; covering walks: ${paths.length} paths, ${paths.reduce((n, p) => n + p.steps.length, 0)} steps, ${reachable.size} transitions`);
  });

  for (const [i, path] of paths.entries())
    it(`path ${i + 1}: ${path.description}`, async () => {
      const run = new SessionRun(rig, path);
      fixture.defer(() => run.close());
      await sessionModel.testPath(path.statePath, run.params);
    });

  it("the real session actors were in every state and took every transition", () => {
    console.log(recorder.report("session machine", paths.length));
    expect(recorder.uncovered()).toEqual({ states: [], transitions: [] });
  });

  it("closes every socket the paths opened", async () => {
    await rig.bunker.close();
    await rig.link.close();
    await eventually(() => fixture.relay.connections() === 1, 3000, "only the fixture's own NDK connected"); // its socket is closed after all
  });
});
