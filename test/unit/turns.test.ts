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

it("runs the preferred session first, then the others in later turns, at most eight under way at a time", async () => {
  const t = make();
  const log: string[] = [];
  const startedAt = new Map<number, number>();
  const works = Array.from({ length: 9 }, (_, i) => deferred(log, `w${i}`));
  t.prefer("lead");
  const lead = deferred(log, "lead");
  works.forEach((w, i) => void t.run(`pk${i}`, () => (startedAt.set(i, performance.now()), w.work())));
  const leading = t.run("lead", lead.work);
  expect(log).toEqual(["start lead"]);
  lead.settle();
  await leading;
  // Settling the lead started nobody within its own turn.
  expect(log).toEqual(["start lead", "end lead"]);
  await until(() => log.includes("start w8"));
  expect(log.slice(2, 10)).toEqual(works.slice(0, 8).map((_, i) => `start w${i}`));
  // None of the eight settles: the ninth waited until a slot was given up (SLOT_MS, 20 ms).
  expect(startedAt.get(8)! - startedAt.get(0)!).toBeGreaterThanOrEqual(19);
  works.forEach((w) => w.settle());
});

it("a rebuild that waits on the network gives its slot up, so stalled bunkers block no one", async () => {
  const t = make();
  const log: string[] = [];
  const stalled = Array.from({ length: 8 }, (_, i) => deferred(log, `bunker${i}`));
  stalled.forEach((w, i) => void t.run(`b${i}`, w.work));
  const quick = t.run("local", async () => void log.push("local"));
  await quick; // bounded by the test timeout: it would hang if the two stalled works kept their slots
  expect(log).toEqual([...stalled.map((_, i) => `start bunker${i}`), "local"]);
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
