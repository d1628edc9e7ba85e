import { afterEach, expect, it } from "vitest";
import { Turns } from "../../src/effects/turns";

const turns: Turns[] = [];
afterEach(() => turns.splice(0).forEach((t) => t.clear()));
const make = () => {
  const t = new Turns();
  turns.push(t);
  return t;
};

/** A work that settles when told to, and says when it started. */
function deferred(log: string[], name: string) {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  return {
    work: () => {
      log.push(`start ${name}`);
      return done.then(() => void log.push(`end ${name}`));
    },
    settle: () => settle(),
  };
}

/** Resolves once `check` holds, looked at every millisecond, at most 2 s. */
async function until(check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 2000; !check(); await new Promise((r) => setTimeout(r, 1)))
    if (Date.now() > deadline) throw new Error("timed out");
}

it("runs the preferred session first, then the others in later turns, at most two under way at a time", async () => {
  const t = make();
  const log: string[] = [];
  const startedAt = new Map<string, number>();
  const works = ["a", "b", "c"].map((n) => deferred(log, n));
  t.prefer("lead");
  const lead = deferred(log, "lead");
  works.forEach((w, i) => void t.run(`pk${i}`, () => (startedAt.set(`pk${i}`, performance.now()), w.work())));
  const leading = t.run("lead", lead.work);
  expect(log).toEqual(["start lead"]);
  lead.settle();
  await leading;
  // Settling the lead started nobody within its own turn.
  expect(log).toEqual(["start lead", "end lead"]);
  await until(() => log.includes("start c"));
  expect(log.slice(2, 4)).toEqual(["start a", "start b"]);
  // a and b never settle: c waited until a's slot was given up (SLOT_MS, 20 ms).
  expect(startedAt.get("pk2")! - startedAt.get("pk0")!).toBeGreaterThanOrEqual(19);
  works.forEach((w) => w.settle());
});

it("a rebuild that waits on the network gives its slot up, so a stalled bunker blocks no one", async () => {
  const t = make();
  const log: string[] = [];
  const stalled = [deferred(log, "bunker1"), deferred(log, "bunker2")];
  stalled.forEach((w, i) => void t.run(`b${i}`, w.work));
  const quick = t.run("local", async () => void log.push("local"));
  await quick; // bounded by the test timeout: it would hang if the two stalled works kept their slots
  expect(log).toEqual(["start bunker1", "start bunker2", "local"]);
});

it("an aborted wait rejects and never runs", async () => {
  const t = make();
  const lead = deferred([], "lead");
  t.prefer("lead");
  const leading = t.run("lead", lead.work);
  const controller = new AbortController();
  let ran = false;
  const waiting = t.run("other", async () => void (ran = true), controller.signal);
  controller.abort(new Error("left"));
  await expect(waiting).rejects.toThrow("left");
  lead.settle();
  await leading;
  // A later work in the same queue ran: the aborted one had its chance and did not take it.
  await t.run("later", async () => undefined);
  expect(ran).toBe(false);
});
