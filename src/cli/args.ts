import { parseArgs } from "node:util";
import { usageError } from "./errors";

export const COMMANDS = ["login", "list", "switch", "logout", "whoami", "watch", "help"] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  json: boolean;
  /** Relays given on this command line (they replace the remembered ones). */
  relays: string[];
  file?: string;
  as?: "private-key" | "read-only";
  /** The library's bounded waits: relays (fetchMs) and signers (signerMs). */
  timeoutMs?: number;
  /** Progress on stderr: undefined = when stderr is a terminal. */
  progress?: boolean;
  help: boolean;
  version: boolean;
}

export interface Invocation {
  command?: Command;
  args: string[];
  options: CliOptions;
}

/** How many positional arguments each command takes: [min, max]. */
const arity: Record<Command, [number, number]> = {
  login: [0, 1],
  list: [0, 0],
  switch: [1, 1],
  logout: [0, 1],
  whoami: [0, 0],
  watch: [0, 0],
  help: [0, 1],
};

const spec = {
  json: { type: "boolean" },
  relay: { type: "string", multiple: true, short: "r" },
  file: { type: "string" },
  as: { type: "string" },
  timeout: { type: "string" },
  progress: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/** A name safe to repeat in an error (an argument in the wrong place could be a key). */
const printable = (text: string) => (/^-{0,2}[a-z][a-z-]{0,24}$/i.test(text) ? text : "…");

export function parseInvocation(argv: string[]): Invocation {
  const { values, positionals } = parse(argv);
  const options: CliOptions = {
    json: values.json ?? false,
    relays: values.relay ?? [],
    file: values.file,
    help: values.help ?? false,
    version: values.version ?? false,
    progress: values.quiet ? false : values.progress,
  };
  if (values.as !== undefined) {
    if (values.as !== "private-key" && values.as !== "read-only") throw usageError("--as takes private-key or read-only");
    options.as = values.as;
  }
  if (values.timeout !== undefined) {
    const ms = Number(values.timeout);
    if (!Number.isInteger(ms) || ms < 100 || ms > 600_000) throw usageError("--timeout takes milliseconds, 100 to 600000");
    options.timeoutMs = ms;
  }
  const [name, ...args] = positionals;
  if (name === undefined) return { args, options };
  if (!(COMMANDS as readonly string[]).includes(name)) throw usageError(`unknown command ${printable(name)}`);
  const command = name as Command;
  const [min, max] = arity[command];
  if (args.length < min) throw usageError(`${command} needs ${min === 1 ? "an account (npub or hex)" : `${min} arguments`}`);
  if (args.length > max) throw usageError(`too many arguments for ${command}`);
  return { command, args, options };
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw parseError(error as Error & { code?: string });
  }
}

function parseError(error: Error & { code?: string }): Error {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? ""; // e.g. "-r, --relay <value>"
  const name = printable(/--[a-z][\w-]*/i.exec(quoted)?.[0] ?? /^-\w\b/.exec(quoted)?.[0] ?? "…");
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return usageError(`unknown option ${name}`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return usageError(`option ${name} ${/argument missing/.test(error.message) ? "needs a value" : "takes no value"}`);
    default:
      return usageError("the arguments could not be read");
  }
}
