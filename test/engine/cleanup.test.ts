import { afterAll, beforeAll, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withRelay } from "../support/env";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";

const probe = fileURLToPath(new URL("../support/cleanupProbe.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

function runProbe(args: string[], timeoutMs: number, onDestroyed?: () => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = execFile(tsx, [probe, ...args], { timeout: timeoutMs, killSignal: "SIGKILL" }, () => {});
    let stdout = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      if (String(chunk).includes("destroyed")) onDestroyed?.();
    });
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, ms: Date.now() - started }));
  });
}

let relay: LoopbackRelay;
beforeAll(async () => {
  relay = await withRelay();
});
afterAll(async () => relay.close());

it("destroy() leaves no timer or socket of ours, and no subscription or connection on the relay", async () => {
  let atDestroy: { subscriptions: number; connections: number } | undefined;
  const result = await runProbe(["report", relay.url], 20_000, () => {
    setTimeout(() => (atDestroy = { subscriptions: relay.openSubscriptions(), connections: relay.connections() }), 150);
  });
  expect(result.code).toBe(0);
  // After destroy(), with the app's NDK still connected: nothing of ours is left on the relay.
  expect(atDestroy).toEqual({ subscriptions: 0, connections: 1 });
  const report = JSON.parse(result.stdout.trim().split("\n").pop()!) as { alive: string[] };
  expect(report.alive).toEqual([]);
  expect(relay.openSubscriptions()).toBe(0);
  expect(relay.connections()).toBe(0);
}, 30_000);

it("a process that destroys its manager (with a retry pending) exits on its own", async () => {
  const result = await runProbe(["exit"], 15_000);
  expect(result.stdout).toContain("destroyed");
  expect(result.signal).toBeNull();
  expect(result.code).toBe(0);
  expect(result.ms).toBeLessThan(10_000); // the pending retry was 10 s away
}, 30_000);
