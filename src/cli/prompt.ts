import { createInterface, type Interface } from "node:readline";
import { CliError } from "./errors";

export const PASSPHRASE_ENV = "NDK_SESSION_ENGINE_PASSPHRASE";
/** A person at a terminal, or a script feeding stdin: long, but bounded. */
const TTY_WAIT_MS = 5 * 60_000;
const STDIN_WAIT_MS = 60_000;
const HINT = `type it, pipe it on stdin, or set ${PASSPHRASE_ENV}`;

/**
 * Where secrets come from when they are not on the command line: a terminal (typed without echo),
 * else stdin, one line each, in the order they are asked for.
 */
export class Prompter {
  private lines: StdinLines | undefined;

  constructor(
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WriteStream = process.stderr,
  ) {}

  get interactive(): boolean {
    return this.input.isTTY === true && typeof this.input.setRawMode === "function";
  }

  /** One secret: typed without echo on a terminal, else the next line of stdin. */
  async secret(label: string, what: string, hint = "type it or pipe it on stdin"): Promise<string> {
    const value = this.interactive ? await hidden(this.input, this.output, `${label}: `) : await this.stdin().next(what);
    if (!value) throw new CliError(`no ${what} given (${hint})`, "no-input");
    return value;
  }

  /** A new passphrase: the environment's, else asked (twice on a terminal). */
  async newPassphrase(env: NodeJS.ProcessEnv = process.env): Promise<string> {
    const fromEnv = env[PASSPHRASE_ENV];
    if (fromEnv) return fromEnv;
    const first = await this.secret("Passphrase to seal the key (NIP-49)", "passphrase", HINT);
    if (this.interactive && (await this.secret("Same passphrase again", "confirmation", HINT)) !== first)
      throw new CliError("the passphrases do not match", "passphrase-mismatch");
    return first;
  }

  /** The passphrase of an existing ncryptsec: the environment's, else asked once. */
  async passphrase(env: NodeJS.ProcessEnv = process.env): Promise<string> {
    return env[PASSPHRASE_ENV] || this.secret("Passphrase of the ncryptsec", "passphrase", HINT);
  }

  close(): void {
    this.lines?.close();
  }

  private stdin(): StdinLines {
    this.lines ??= new StdinLines(this.input);
    return this.lines;
  }
}

/** stdin read line by line, each wait bounded; EOF means no more answers. */
class StdinLines {
  private readonly reader: Interface;
  private readonly queue: string[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(input: NodeJS.ReadStream) {
    this.reader = createInterface({ input, crlfDelay: Infinity, terminal: false });
    this.reader.on("line", (line) => {
      this.queue.push(line.replace(/\r$/, ""));
      this.wake?.();
    });
    this.reader.on("close", () => {
      this.ended = true;
      this.wake?.();
    });
  }

  async next(what: string): Promise<string> {
    const deadline = Date.now() + STDIN_WAIT_MS;
    while (this.queue.length === 0) {
      if (this.ended) return "";
      const left = deadline - Date.now();
      if (left <= 0) throw new CliError(`no ${what} on stdin within ${STDIN_WAIT_MS / 1000} s`, "no-input");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.queue.shift()!;
  }

  close(): void {
    this.reader.close();
  }
}

/** A line typed in raw mode with nothing echoed; Ctrl-C or Ctrl-D on an empty line cancels. */
function hidden(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  let value = "";
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => finish(new CliError(`no answer within ${TTY_WAIT_MS / 60_000} minutes`, "no-input")), TTY_WAIT_MS);
    const onData = (chunk: string) => {
      if (chunk.startsWith("\u001b")) return; // arrow keys and other escape sequences
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003" || (char === "\u0004" && value === "")) return finish(new CliError("cancelled", "cancelled", 130));
        if (char === "\u007f" || char === "\b") value = [...value].slice(0, -1).join("");
        else if (char >= " ") value += char;
      }
    };
    function finish(error?: CliError) {
      clearTimeout(timer);
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(value);
    }
    input.on("data", onData);
  });
}
