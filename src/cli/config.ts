import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { normalizeRelayUrl } from "../lists/relayUrl";
import { CliError, usageError } from "./errors";

export const APP = "ndk-session-engine";
export const FILE_ENV = "NDK_SESSION_ENGINE_FILE";

/** The sessions file: --file, else $NDK_SESSION_ENGINE_FILE, else $XDG_CONFIG_HOME/…, else ~/.config/…. */
export function sessionsFile(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = option ?? env[FILE_ENV];
  if (given) return resolve(given);
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".config");
  return join(base, APP, "sessions.json");
}

/** The CLI's own settings (the relays), beside the sessions file: sessions.json → sessions.config.json. */
export function configFileOf(file: string): string {
  return join(dirname(file), `${basename(file).replace(/\.json$/i, "")}.config.json`);
}

export interface CliConfig {
  relays: string[];
}

export async function readConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { relays: [] };
    throw new CliError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code})`, "config");
  }
  try {
    const relays = (JSON.parse(text) as Partial<CliConfig>).relays;
    if (!Array.isArray(relays) || !relays.every((r) => typeof r === "string")) throw new Error();
    return { relays };
  } catch {
    throw new CliError(`${path} is not a config this CLI wrote (fix or delete it)`, "config");
  }
}

/** Atomic (temporary file, rename) and 0600, like the sessions file. */
export async function writeConfig(path: string, config: CliConfig): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(config, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new CliError(`cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`, "config");
  }
}

/**
 * mkdir -p, one level at a time: Node 20's `recursive: true` never returns where a folder cannot be
 * made under one that exists (e.g. /proc/x: ENOENT, parent EEXIST, again and again).
 */
async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT" || dirname(folder) === folder) throw error;
    await makeFolder(dirname(folder));
    await mkdir(folder, { mode: 0o700 }).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== "EEXIST") throw again;
    });
  }
}

/**
 * The folder of the sessions file: created 0700 when missing; our own default folder is tightened
 * to 0700; any other folder that others may write to (without the sticky bit) gets a warning.
 */
export async function prepareFolder(file: string, isDefault: boolean): Promise<string | undefined> {
  const folder = dirname(file);
  try {
    await makeFolder(folder);
    const { mode } = await stat(folder);
    if (isDefault && (mode & 0o077) !== 0) await chmod(folder, 0o700);
    else if ((mode & 0o022) !== 0 && (mode & 0o1000) === 0) return `warning: ${folder} is writable by other users`;
  } catch (error) {
    throw new CliError(`cannot use folder ${folder} (${(error as NodeJS.ErrnoException).code ?? "error"})`, "storage");
  }
  return undefined;
}

/** ws:// or wss:// URLs (also comma-separated), normalised; anything else is a usage error. */
export function relayUrls(given: string[]): string[] {
  const urls = given.flatMap((value) => value.split(",")).map((value) => value.trim()).filter(Boolean);
  return [
    ...new Set(
      urls.map((url) => {
        const normal = normalizeRelayUrl(url);
        if (!normal || !new URL(normal).hostname) throw usageError("--relay takes a ws:// or wss:// URL");
        return normal;
      }),
    ),
  ];
}
