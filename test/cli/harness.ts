/**
 * Runs the built CLI (dist/cli.js) as child processes: each run bounded (SIGKILL by pid past its
 * deadline), each child remembered so that the file's afterAll can end any still running.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const children = new Set<ChildProcessWithoutNullStreams>();

/** The environment of every run: nothing of the user's (no NDK_SESSION_ENGINE_*, config under the test's folder). */
export function baseEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("NDK_SESSION_ENGINE_") && key !== "NODE_OPTIONS") env[key] = value;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Any program, remembered until it exits. */
export function startProgram(program: string, args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const child = spawn(program, args, { cwd: root, env, stdio: "pipe" });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** The CLI. */
export const start = (args: string[], env: NodeJS.ProcessEnv) => startProgram(process.execPath, [CLI, ...args], env);

/** Collects a child's output until it exits; past `timeoutMs` it is killed (SIGKILL, by its pid) and this rejects. */
export function finished(child: ChildProcessWithoutNullStreams, timeoutMs: number, out = { stdout: "", stderr: "" }): Promise<Run> {
  const started = performance.now();
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (out.stderr += chunk));
  return new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the CLI did not exit within ${timeoutMs} ms; stderr: ${out.stderr}`));
    }, timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...out, ms: performance.now() - started });
    });
  });
}

/** One run: `input` on stdin (then EOF), bounded by `timeoutMs`. */
export function cli(args: string[], env: NodeJS.ProcessEnv, { input = "", timeoutMs = 15_000 } = {}): Promise<Run> {
  const child = start(args, env);
  child.stdin.end(input);
  return finished(child, timeoutMs);
}

/** Resolves when `text` (stdout so far) has a line that satisfies `match`; bounded. */
export async function lineIn(read: () => string, match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = read().split("\n").find((l) => l.trim() && match(l));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far: ${read()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Ends the children this file started and that are still running (by pid). */
export function killStarted(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}
