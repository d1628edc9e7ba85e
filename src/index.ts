export { NDKSessionManager } from "./facade/NDKSessionManager";
export { createSessionStore, AuthManager, PersistenceManager, type StoreApi } from "./facade/compat";
export { MemoryStorage } from "./storage/memoryStorage";
export { LocalStorage } from "./storage/localStorage";
export { FileStorage } from "./storage/fileStorage";
export { LocalForageStorage } from "./storage/localForageStorage";
export type { KeyValueStorage, LegacyData } from "./storage/types";
export {
  SessionError,
  SignerDeserializationError,
  StorageError,
  SessionNotFoundError,
  NoActiveSessionError,
  NDKNotInitializedError,
  SignerError,
  CorruptStorageError,
  NewerStorageError,
  NoWebSocketError,
} from "./errors";
export { BunkerUnreachableError } from "./effects/signerErrors";
export { createSessionEngine, createRuntime, type SessionEngine, type EngineOptions, type RuntimeOptions, type ManagerActor, type InspectionObserver } from "./engine";
export { PubkeySet } from "./lists/packedPubkeys";
export { normalizeRelayUrl } from "./lists/relayUrl";
export type * from "./facade/types";
export type { RestoreReport } from "./persistence/loader";
export type { Selection, ReadableSessionStore } from "./facade/readModel";
export {
  managerMachine,
  sessionMachine,
  sessionId,
  type ManagerContext,
  type ManagerEvent,
  type SessionContext,
  type SessionEvent,
  type SessionFailure,
  type FetchPlan,
  type ListEntry,
} from "../machines";
