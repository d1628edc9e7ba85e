import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import { StorageError } from "../errors";
import type { SerializedSession, SessionData, SessionStorage } from "../facade/types";
import { decodeSessions, encodeSessions } from "./peerFormat";

const storageArea = (): Storage | undefined => (typeof globalThis.localStorage === "object" ? globalThis.localStorage : undefined);

/** `window.localStorage` under one key (the peer's default, "ndk-sessions"). Unreadable data is kept under `<key>.corrupt`. */
export class LocalStorage implements SessionStorage {
  constructor(private readonly key = "ndk-sessions") {}

  async save(sessions: Map<Hexpubkey, SerializedSession>, activePubkey?: Hexpubkey): Promise<void> {
    const area = storageArea();
    if (!area) throw new StorageError("localStorage is not available here");
    area.setItem(this.key, encodeSessions(sessions, activePubkey));
  }

  async load(): Promise<SessionData> {
    const text = storageArea()?.getItem(this.key);
    if (text == null) return { sessions: new Map() };
    try {
      return decodeSessions(text);
    } catch (error) {
      storageArea()!.setItem(`${this.key}.corrupt`, text);
      throw error;
    }
  }

  async clear(): Promise<void> {
    const area = storageArea();
    if (!area) throw new StorageError("localStorage is not available here");
    area.removeItem(this.key);
  }
}
