import type * as LocalForageModule from "localforage";
import { StorageError } from "../errors";
import { StateStorage } from "./stateStorage";

type LocalForage = ReturnType<typeof LocalForageModule.createInstance>;
type LocalForageOptions = Parameters<typeof LocalForageModule.createInstance>[0];

/**
 * IndexedDB (or WebSQL / localStorage) through localforage, for browsers. localforage has no driver
 * on Node: there, every call rejects with a StorageError that says to use FileStorage. Also the
 * peer's `SessionStorage` (save / load / clear), over the same value.
 */
export class LocalForageStorage extends StateStorage {
  private instance: Promise<LocalForage> | undefined;

  constructor(private readonly options: LocalForageOptions = { name: "ndk-session-engine" }) {
    super();
  }

  /** Tabs using this storage sync over a channel of this name. */
  get channelName(): string {
    return `forage:${this.options?.name ?? "localforage"}:${this.options?.storeName ?? ""}`;
  }

  private store(): Promise<LocalForage> {
    this.instance ??= import("localforage").then(async (module) => {
      const localforage = (module as { default?: typeof LocalForageModule }).default ?? module;
      const instance = localforage.createInstance(this.options);
      try {
        await instance.ready();
      } catch {
        throw new StorageError("LocalForageStorage found no browser storage (IndexedDB, WebSQL or localStorage); on Node use FileStorage");
      }
      return instance;
    });
    return this.instance;
  }

  async getItem(key: string): Promise<string | null> {
    return (await this.store()).getItem<string>(key);
  }

  async setItem(key: string, value: string): Promise<void> {
    await (await this.store()).setItem(key, value);
  }

  async removeItem(key: string): Promise<void> {
    await (await this.store()).removeItem(key);
  }

  async keys(): Promise<string[]> {
    return (await this.store()).keys();
  }
}
