import { StateStorage } from "./stateStorage";

/**
 * Keeps the engine's state for the life of the process: tests, SSR, and apps that persist elsewhere.
 * Also the peer's `SessionStorage` (save / load / clear), over the same value.
 */
export class MemoryStorage extends StateStorage {
  private readonly values = new Map<string, string>();

  async getItem(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async setItem(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async removeItem(key: string): Promise<void> {
    this.values.delete(key);
  }

  async keys(): Promise<string[]> {
    return [...this.values.keys()];
  }
}
