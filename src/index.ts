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
export { ListEditError, PrivateItemsError, ListWriteError, type ListEditErrorCode, type PrivateItemsErrorCode, type ListWriteErrorCode } from "./lists/listWriteErrors";
// List writes as intent (issue 13): builders to hand to `manager.write()`, and the pure layer under them.
export {
  follow,
  unfollow,
  mute,
  unmute,
  pin,
  unpin,
  blockRelay,
  unblockRelay,
  setRelays,
  removeRelay,
  editList,
  mergeWrites,
  validateWrite,
  PIN_LIST_KIND,
  type ListEdit,
  type ListTarget,
  type ListWrite,
  type MuteItem,
  type RelayMarkers,
} from "./lists/listEdit";
export { applyEdit, rebase, type ListBase, type ListTemplate, type ListWriteResult, type ApplyOptions } from "./lists/listWrite";
export type { ListCrypto, EncryptionScheme } from "./lists/privateItems";
export type { WriteOptions } from "./facade/writes";
export type { WriteResult } from "./effects/writeRegistry";
export { createSessionEngine, createRuntime, type SessionEngine, type EngineOptions, type RuntimeOptions, type ManagerActor, type InspectionObserver } from "./engine";
export { PackedPubkeys, PubkeySet, type StoredPubkeys } from "./lists/packedPubkeys";
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
  type WriteOutcome,
  type WriteRecord,
} from "../machines";
