import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import { StorageError } from "../errors";
import type { SerializedSession, SessionData, SessionStorage } from "../facade/types";
import { decodeSessions, encodeSessions } from "./peerFormat";

// Loaded on first use, so browser bundles that never touch FileStorage need no Node built-ins.
const fs = () => import("node:fs/promises");
const path = () => import("node:path");

/**
 * A JSON file (the peer's default, "./.ndk-sessions.json"), written atomically: a temporary file,
 * fsync, then rename, with mode 0600. Unreadable data is kept beside it as `<file>.corrupt`.
 */
export class FileStorage implements SessionStorage {
  constructor(private readonly filePath = "./.ndk-sessions.json") {}

  async save(sessions: Map<Hexpubkey, SerializedSession>, activePubkey?: Hexpubkey): Promise<void> {
    const { open, rename, mkdir } = await fs();
    const { dirname } = await path();
    await mkdir(dirname(this.filePath), { recursive: true });
    const temporary = `${this.filePath}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(encodeSessions(sessions, activePubkey));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.filePath);
  }

  async load(): Promise<SessionData> {
    const { readFile, copyFile } = await fs();
    let text: string;
    try {
      text = await readFile(this.filePath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { sessions: new Map() };
      throw new StorageError(`Cannot read ${this.filePath}`);
    }
    try {
      return decodeSessions(text);
    } catch (error) {
      await copyFile(this.filePath, `${this.filePath}.corrupt`);
      throw error;
    }
  }

  async clear(): Promise<void> {
    const { rm } = await fs();
    await rm(this.filePath, { force: true });
  }
}
