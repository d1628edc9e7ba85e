import type { Hexpubkey } from "@nostr-dev-kit/ndk";
import type { SerializedSession, SessionData, SessionStorage } from "../facade/types";

/** Keeps sessions for the life of the process: tests, SSR, and apps that persist elsewhere. */
export class MemoryStorage implements SessionStorage {
  private data: SessionData = { sessions: new Map() };

  async save(sessions: Map<Hexpubkey, SerializedSession>, activePubkey?: Hexpubkey): Promise<void> {
    this.data = { sessions: new Map([...sessions].map(([pk, s]) => [pk, structuredClone(s)])), activePubkey };
  }

  async load(): Promise<SessionData> {
    return { sessions: new Map([...this.data.sessions].map(([pk, s]) => [pk, structuredClone(s)])), activePubkey: this.data.activePubkey };
  }

  async clear(): Promise<void> {
    this.data = { sessions: new Map() };
  }
}
