/**
 * Model-based tests of the manager machine (issue item): xstate/graph paths over the pure machine
 * (test/model/managerModel.ts), each run against a real NDKSessionManager with a private-key
 * account and a NIP-46 account on the loopback relay, and real storage to restore from; the
 * transitions the real manager took are counted and must be all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyActorRef } from "xstate";
import { managerMachine } from "../../machines";
import { eventually } from "../support/env";
import { useRelay } from "../support/fixture";
import { CoverageRecorder, universeOf } from "./coverage";
import { adjacencyOf } from "./paths";
import { managerModel, planManagerPaths } from "./managerModel";
import { ManagerRun, type ManagerRig } from "./managerRun";
import { RelayLink } from "./relayLink";
import { APPROVE_URL } from "./sessionModel";
import { startApprovingBunker } from "./world";

const fixture = useRelay();
const recorder = new CoverageRecorder(universeOf(managerMachine), (actor: AnyActorRef) => (actor as { systemId?: string }).systemId === "manager");
const { paths, reachable } = planManagerPaths(14);
/** B's user approves a signature this long after the bunker's auth_url (the model's approval step waits for it). */
const APPROVAL_MS = 300;
let rig: ManagerRig;

beforeAll(async () => {
  // B's bunker, behind a relay address that can stop listening (a restore then cannot rebuild B's signer);
  // it has its user approve every signature (auth_url first, the signature later).
  const link = await RelayLink.open(fixture.relay.url);
  const bunker = await startApprovingBunker(fixture.relay, fixture.ndk, APPROVE_URL, link.url, APPROVAL_MS);
  rig = { relay: fixture.relay, bunker, link, recorder, ndkOn: fixture.ndkOn };
}, 20_000);
afterAll(async () => {
  await rig?.bunker.close();
  await rig?.link.close();
});

describe("manager machine: model paths against the real engine", () => {
  it("the model reaches every state and every transition of the machine", () => {
    const adjacency = adjacencyOf(managerModel);
    const visited = new Set(Object.values(adjacency).flatMap(({ state }) => state.context.machine._nodes.map((n: { id: string }) => n.id)));
    expect(recorder.universe.states.filter((id) => !visited.has(id))).toEqual([]);
    expect([...recorder.universe.transitions.keys()].filter((k) => !reachable.has(k))).toEqual([]);
    console.log(
      `manager model: ${Object.keys(adjacency).length} model states; covering walks: ${paths.length} paths, ${paths.reduce((n, p) => n + p.steps.length, 0)} steps, ${reachable.size} transitions`,
    );
  });

  for (const [i, path] of paths.entries())
    it(`path ${i + 1}: ${path.description}`, async () => {
      const run = new ManagerRun(rig, path);
      fixture.defer(() => run.close());
      await managerModel.testPath(path.statePath, run.params);
    });

  it("the real manager was in every state and took every transition", () => {
    console.log(recorder.report("manager", paths.length));
    expect(recorder.uncovered()).toEqual({ states: [], transitions: [] });
  });

  it("closes every socket the paths opened", async () => {
    await rig.bunker.close();
    await rig.link.close();
    await eventually(() => fixture.relay.connections() === 1, 3000, "only the fixture's own NDK connected"); // its socket is closed after all
  });
});
