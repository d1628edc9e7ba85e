import type { SessionFailure } from "../machines";

/** Base class of every error this library throws; `code` is stable, `message` never holds a secret. */
export class SessionError extends Error {
  override name = "SessionError";
  constructor(
    message: string,
    readonly code: string = "session-error",
  ) {
    super(message);
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
  constructor(message: string, code = "storage") {
    super(message, code);
  }
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
