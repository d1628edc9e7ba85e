/** Fake effects for the session machine: no NDK, no network, every call recorded. */
import { vi } from "vitest";
import { fromCallback, fromPromise, type EventObject } from "xstate";
import type { FetchPlan, ListEntry, ListsInput, RetryPolicy, SessionEvent, SessionInput, SignerDescriptor } from "../../machines";

export const PLAN: FetchPlan = { profile: true, follows: true, mutes: true, blockedRelays: true, relayList: true, wallet: false, kinds: [] };
export const PLAN_KINDS = [0, 3, 10000, 10002, 10006];
export const RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 8_000 };
export const PK = "a".repeat(64);
export const PK2 = "b".repeat(64);
export const PK3 = "c".repeat(64);

export const id = (ch: string) => ch.repeat(64);

export function entry(kind: number, idChar: string, createdAt: number, data: unknown = { v: idChar }): ListEntry {
  return { key: String(kind), kind, id: id(idChar), createdAt, data };
}

export function sessionInput(overrides: Partial<SessionInput> = {}): SessionInput {
  return { pubkey: PK, signer: { type: "private-key" }, plan: PLAN, retry: RETRY, ...overrides };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Spies behind each session actor. Change their behaviour per test with `mockImplementation(Once)`.
 * By default: restore and authenticate succeed, fetch returns `fetchResult`, waitUntil never resolves.
 */
export function makeFakes(fetchResult: ListEntry[] = []) {
  const restoreSigner = vi.fn(async (_input: { pubkey: string; signer: SignerDescriptor }) => {});
  const authenticate = vi.fn(async (_input: { pubkey: string }) => {});
  const fetchLists = vi.fn(async (_input: ListsInput): Promise<ListEntry[]> => fetchResult);
  const watchCleanup = vi.fn();
  const watchLists = vi.fn((_input: ListsInput, _sendBack: (event: SessionEvent) => void) => {});
  const waits: Array<{ until: number | null; delayMs: number; deferred: Deferred<void> }> = [];
  const waitUntil = vi.fn((input: { until: number | null; delayMs: number }) => {
    const d = deferred();
    waits.push({ until: input.until, delayMs: input.delayMs, deferred: d });
    return d.promise;
  });
  const actors = {
    restoreSigner: fromPromise<void, { pubkey: string; signer: SignerDescriptor }>(({ input }) => restoreSigner(input)),
    authenticate: fromPromise<void, { pubkey: string }>(({ input }) => authenticate(input)),
    fetchLists: fromPromise<ListEntry[], ListsInput>(({ input }) => fetchLists(input)),
    watchLists: fromCallback<EventObject, ListsInput>(({ input, sendBack }) => {
      watchLists(input, sendBack);
      return () => watchCleanup(input);
    }),
    waitUntil: fromPromise<void, { until: number | null; delayMs: number }>(({ input }) => waitUntil(input)),
  };
  return { actors, restoreSigner, authenticate, fetchLists, watchLists, watchCleanup, waitUntil, waits };
}

export type Fakes = ReturnType<typeof makeFakes>;
