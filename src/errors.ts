import type { SessionFailure } from "../machines";

/** Base class of every error this library throws; `code` is stable, `message` never holds a secret. */
export class SessionError extends Error {
  override name = "SessionError";
  constructor(
    message: string,
    readonly code: string = "session-error",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class SignerDeserializationError extends SessionError {
  override name = "SignerDeserializationError";
  constructor(message = "The signer could not be restored") {
    super(message, "signer-deserialization");
  }
}

export class StorageError extends SessionError {
  override name = "StorageError";
  constructor(message: string, code = "storage", options?: { cause?: unknown }) {
    super(message, code, options);
  }
}

/**
 * A storage call's failure as a StorageError: one of ours as it is, any other kept as `cause` and
 * named by its class only (its message could quote what was being stored).
 */
export function storageFailure(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return new StorageError(`${what} (${name})`, "storage", { cause: error });
}

/** Stored data could not be read; its bytes were copied to `backupKey` before anything was written. */
export class CorruptStorageError extends StorageError {
  override name = "CorruptStorageError";
  constructor(
    reason: string,
    readonly backupKey: string | undefined,
  ) {
    super(`Stored sessions could not be read (${reason})${backupKey ? `; kept as "${backupKey}"` : ""}`, "storage-corrupt");
  }
}

/** Stored data is of a newer format than this code knows: it is left untouched and nothing is saved. */
export class NewerStorageError extends StorageError {
  override name = "NewerStorageError";
  constructor(readonly version: number) {
    super(`Stored sessions use format version ${version}, newer than this library; they are left as they are`, "storage-newer");
  }
}

export class SessionNotFoundError extends SessionError {
  override name = "SessionNotFoundError";
  constructor(readonly pubkey: string) {
    super(`Session not found for pubkey: ${pubkey}`, "session-not-found");
  }
}

export class NoActiveSessionError extends SessionError {
  override name = "NoActiveSessionError";
  constructor() {
    super("No active session", "no-active-session");
  }
}

export class NDKNotInitializedError extends SessionError {
  override name = "NDKNotInitializedError";
  constructor() {
    super("NDK not initialized. Call init() first.", "ndk-not-initialized");
  }
}

/** The signer is not usable: it threw, timed out, or answers for another pubkey. */
export class SignerError extends SessionError {
  override name = "SignerError";
  constructor(message: string, code = "signer") {
    super(message, code);
  }
}

/** An effect failed: rejected by the session actors so the machine can record it (JSON, no secret). */
export function failure(code: string, message: string): SessionFailure & Error {
  return Object.assign(new SessionError(message, code), { at: Date.now() });
}

/** Races a promise against a deadline; the timer never outlives the race. */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * NDK opens relays with the global `WebSocket`, which Node 20 does not have. Constructing a manager
 * works without it (as the peer's does); the first relay the engine needs says so, with this error.
 */
export class NoWebSocketError extends SessionError {
  override name = "NoWebSocketError";
  constructor() {
    super('NDK needs a global WebSocket to reach relays; on Node 20 add: import { WebSocket } from "ws"; globalThis.WebSocket ??= WebSocket', "no-websocket");
  }
}

/** Throws NoWebSocketError where relays cannot be reached at all. */
export function requireWebSocket(): void {
  if (typeof globalThis.WebSocket !== "function") throw new NoWebSocketError();
}
