import { StorageError } from "../errors";
import { StateStorage } from "./stateStorage";
import { STATE_KEY, type LegacyData } from "./types";

// Loaded on first use, and named at run time, so browser bundles (which never use FileStorage) do
// not try to resolve Node built-ins.
const builtin = (name: string) => import(/* @vite-ignore */ `node:${name}`);
const fs = () => builtin("fs/promises") as Promise<typeof import("node:fs/promises")>;
const path = () => builtin("path") as Promise<typeof import("node:path")>;

/** After a rename, the folder's entry must reach the disk too, or a power cut can undo the rename. */
async function syncFolder(folder: string): Promise<void> {
  const { open } = await fs();
  const handle = await open(folder, "r").catch(() => undefined);
  await handle?.sync().catch(() => {}); // some file systems refuse to fsync a folder; the rename stands
  await handle?.close();
}

/**
 * Files on disk: the state in `filePath` ("./.ndk-session-engine.json" by default), other keys
 * beside it. Every write is atomic (temporary file, fsync, rename) with mode 0600, so a crash
 * mid-write leaves the previous file whole. Also the peer's `SessionStorage` (save / load / clear),
 * over the same file.
 */
export class FileStorage extends StateStorage {
  constructor(private readonly filePath = "./.ndk-session-engine.json") {
    super();
  }

  private fileOf(key: string): string {
    return key === STATE_KEY ? this.filePath : `${this.filePath}.${encodeURIComponent(key)}`;
  }

  async getItem(key: string): Promise<string | null> {
    const { readFile } = await fs();
    try {
      return await readFile(this.fileOf(key), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new StorageError(`Cannot read ${this.fileOf(key)} (${(error as NodeJS.ErrnoException).code})`);
    }
  }

  async setItem(key: string, value: string): Promise<void> {
    const { open, rename, mkdir, rm } = await fs();
    const { dirname } = await path();
    const target = this.fileOf(key);
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const handle = await open(temporary, "w", 0o600);
      try {
        await handle.writeFile(value);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
      await syncFolder(dirname(target));
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw new StorageError(`Cannot write ${target} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }

  /** A byte-for-byte copy: a file that is not valid UTF-8 must not be re-encoded on its way to a backup. */
  async copy(from: string, to: string): Promise<void> {
    const { copyFile, chmod } = await fs();
    try {
      await copyFile(this.fileOf(from), this.fileOf(to));
      await chmod(this.fileOf(to), 0o600);
    } catch (error) {
      throw new StorageError(`Cannot copy ${this.fileOf(from)} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }

  async removeItem(key: string): Promise<void> {
    const { rm } = await fs();
    try {
      await rm(this.fileOf(key), { force: true });
    } catch (error) {
      throw new StorageError(`Cannot remove ${this.fileOf(key)} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }

  async keys(): Promise<string[]> {
    const { readdir } = await fs();
    const { dirname, basename } = await path();
    const base = basename(this.filePath);
    let names: string[];
    try {
      names = await readdir(dirname(this.filePath));
    } catch {
      return [];
    }
    const keys: string[] = [];
    for (const name of names) {
      if (name === base) keys.push(STATE_KEY);
      else if (name.startsWith(`${base}.`) && !name.endsWith(".tmp")) {
        try {
          keys.push(decodeURIComponent(name.slice(base.length + 1)));
        } catch {
          // Not a name this storage wrote (a stray "%" that does not decode): not a key.
        }
      }
    }
    return keys;
  }

  /** The peer's ".ndk-sessions.json", looked for beside this file. */
  async legacy(): Promise<LegacyData | undefined> {
    const { dirname, join } = await path();
    const { readFile } = await fs();
    const sessions = await readFile(join(dirname(this.filePath), ".ndk-sessions.json"), "utf8").catch(() => undefined);
    return sessions ? { sessions } : undefined;
  }
}
