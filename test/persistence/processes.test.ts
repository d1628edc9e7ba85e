import { expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { withRelay } from "../support/env";

const script = fileURLToPath(new URL("../support/fileSessions.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

function run(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(tsx, [script, ...args], { timeout: 30_000, killSignal: "SIGKILL" }, (error, stdout) => {
      if (error) return reject(error);
      resolve(JSON.parse(stdout.trim().split("\n").pop()!));
    });
  });
}

it("FileStorage round trip across two processes: 5 sessions, the active one, lists before any relay answers", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nse-proc-"));
  try {
    const file = join(dir, "nested", "sessions.json");
    const relay = await withRelay();
    const saved = await run(["save", relay.url, file]);
    await relay.close(); // the second process starts with the relay down
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = readFileSync(file, "utf8");
    for (const secret of saved.secrets as string[]) expect(stored).not.toContain(secret);

    const loaded = await run(["load", relay.url, file]);
    expect(loaded.report).toEqual({ source: "snapshot", sessions: 5 });
    expect(loaded.active).toBe(saved.active);
    expect(loaded.follows).toEqual(saved.follows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
