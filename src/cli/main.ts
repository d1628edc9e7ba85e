/**
 * `npx ndk-session-engine`: the CLI's entry (built to dist/cli.js). Every outcome is output on
 * stdout or one line on stderr, then an explicit exit: the process never waits on NDK's timers.
 */
import { parseInvocation, type Invocation } from "./args";
import { list, logout, switchTo, whoami } from "./accounts";
import { openContext, timeoutsOf, type Context } from "./context";
import { CliError, describe, usageError } from "./errors";
import { HELP } from "./help";
import { login } from "./login";
import { watch } from "./watch";
import { armWatchdog, backstopMs, onWatchdog } from "./watchdog";

declare const __VERSION__: string;

let json = process.argv.includes("--json");
let context: Context | undefined;
let exiting = false;

/** Libraries log (NDK among them): stdout carries results only, stderr one line per problem. */
function silenceConsole(): void {
  if (process.env.NDK_SESSION_ENGINE_DEBUG) return;
  for (const method of ["log", "info", "debug", "warn", "error", "trace"] as const) console[method] = () => {};
}

function report(error: unknown): number {
  const { code, message, exitCode } = describe(error);
  process.stderr.write(json ? `${JSON.stringify({ error: { code, message } })}\n` : `ndk-session-engine: ${message}\n`);
  return exitCode;
}

const flush = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => (stream.writableLength ? stream.write("", () => resolve()) : resolve()));
const atMost = (work: Promise<unknown>, ms: number) => Promise.race([work, new Promise((resolve) => setTimeout(resolve, ms))]);

/** Stops the manager and NDK's sockets, lets stdout drain (each bounded), and exits; the first call decides the code. */
async function exit(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  await atMost(context?.close() ?? Promise.resolve(), 3000);
  await atMost(Promise.all([flush(process.stdout), flush(process.stderr)]), 2000);
  process.exit(code);
}

async function run({ command, args, options }: Invocation): Promise<void> {
  if (options.help || command === "help") return void process.stdout.write(`${HELP}\n`);
  if (options.version) return void process.stdout.write(`${__VERSION__}\n`);
  if (!command) throw usageError("no command");
  armWatchdog(backstopMs(timeoutsOf(options))); // login pauses it while a person types, watch once it runs
  context = await openContext(options);
  if (command === "login") await login(context, args, options);
  else if (command === "watch") await watch(context);
  else if (command === "list") await list(context);
  else if (command === "whoami") await whoami(context);
  else if (command === "switch") await switchTo(context, args);
  else await logout(context, args);
}

async function main(): Promise<void> {
  silenceConsole();
  onWatchdog(() => void exit(report(new CliError("timed out", "timeout"))));
  process.on("uncaughtException", (error) => void exit(report(error)));
  process.on("unhandledRejection", () => {}); // NDK's own relay promises; what a command waits on is handled where it waits
  process.stdout.on("error", (error: NodeJS.ErrnoException) => void exit(error.code === "EPIPE" ? 0 : 1)); // `| head`
  let code = 0;
  try {
    const invocation = parseInvocation(process.argv.slice(2));
    json = invocation.options.json;
    await run(invocation);
    await context?.remember();
  } catch (error) {
    context?.progress.clear();
    code = report(error);
  }
  await exit(code);
}

void main();
