/** Fake effects for the session machine: no NDK, no network, every call recorded. */
import { vi } from "vitest";
import { fromCallback, fromPromise, type EventObject } from "xstate";
import {
  sessionMachine,
  type FetchedLists,
  type BackoffInput,
  type ListEntry,
  type ListSlots,
  type ListsInput,
  type PublishListInput,
  type ReadListInput,
  type ReadListOutput,
  type RetryPolicy,
  type SessionEvent,
  type SessionFailure,
  type SessionInput,
  type SignerDescriptor,
  type WriteReport,
} from "../../machines";

export const RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 8_000 };
export const PK = "a".repeat(64);
export const PK2 = "b".repeat(64);
export const PK3 = "c".repeat(64);

export const id = (ch: string) => ch.repeat(64);

export function entry(kind: number, idChar: string, createdAt: number, data: unknown = { v: idChar }): ListEntry {
  return { key: String(kind), kind, id: id(idChar), createdAt, data };
}

/** An entry read without the signer: its private items are missing. */
export const partialEntry = (kind: number, idChar: string, createdAt: number): ListEntry => ({ ...entry(kind, idChar, createdAt), partial: true });

/** What `knownEntries` hands a refresh for these entries. */
export const knownOf = (entries: ListEntry[]) => entries.map(({ key, id, createdAt }) => ({ key, id, createdAt }));

export const failure = (code: string, at = 50_000, message = `${code} happened`): SessionFailure => ({ code, message, at });

export function sessionInput(overrides: Partial<SessionInput> = {}): SessionInput {
  return { pubkey: PK, signer: { type: "private-key" }, ...overrides };
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

type SendBack = (event: SessionEvent) => void;
/** The invoke id of a backoff timer: which region waits on it. */
export type BackoffId = "signerBackoff" | "listsBackoff";

/**
 * Spies behind each session actor and action. Change their behaviour per test with
 * `mockImplementation(Once)`. By default: restore and authenticate succeed, the fetch returns
 * `fetchResult`, the callbacks send nothing, and every backoff waits until its deferred is resolved.
 */
export function makeFakes(fetchResult: ListEntry[] = []) {
  const restoreSigner = vi.fn(async (_input: { pubkey: string; signer: SignerDescriptor }) => {});
  const authenticate = vi.fn(async (_input: { pubkey: string }) => {});
  // Entries alone, or the whole outcome (with the damaged entries it names).
  const fetchLists = vi.fn(async (_input: ListsInput): Promise<ListEntry[] | FetchedLists> => fetchResult);
  const watchLists = vi.fn((_input: ListsInput, _sendBack: SendBack) => {});
  const watchCleanup = vi.fn((_input: ListsInput) => {});
  const waits: Array<{ id: BackoffId; input: BackoffInput; deferred: Deferred<void> }> = [];
  const backoff = vi.fn((input: BackoffInput, id: BackoffId) => {
    const d = deferred();
    waits.push({ id, input, deferred: d });
    return d.promise;
  });
  const shareFilters = vi.fn((_args: unknown, _params: { pubkey: string; lists: ListSlots }) => {});
  // List writes: each read waits on its deferred; each publish is driven through its sendBack.
  const reads: Array<{ input: ReadListInput; deferred: Deferred<ReadListOutput> }> = [];
  const readList = vi.fn((input: ReadListInput) => {
    const d = deferred<ReadListOutput>();
    reads.push({ input, deferred: d });
    return d.promise;
  });
  const publishes: Array<{ input: PublishListInput; send: SendBack; stopped: boolean }> = [];
  const publishList = vi.fn((input: PublishListInput, send: SendBack) => {
    const run = { input, send, stopped: false };
    publishes.push(run);
    return () => void (run.stopped = true);
  });
  const reportWrite = vi.fn((_args: unknown, _report: WriteReport) => {});

  const actors = {
    restoreSigner: fromPromise<void, { pubkey: string; signer: SignerDescriptor }>(({ input }) => restoreSigner(input)),
    authenticate: fromPromise<void, { pubkey: string }>(({ input }) => authenticate(input)),
    fetchLists: fromPromise<FetchedLists, ListsInput>(async ({ input }) => {
      const fetched = await fetchLists(input);
      return Array.isArray(fetched) ? { entries: fetched } : fetched;
    }),
    watchLists: fromCallback<EventObject, ListsInput>(({ input, sendBack }) => {
      watchLists(input, sendBack);
      return () => watchCleanup(input);
    }),
    backoff: fromPromise<void, BackoffInput>(({ input, self }) => backoff(input, self.id as BackoffId)),
    readList: fromPromise<ReadListOutput, ReadListInput>(({ input }) => readList(input)),
    publishList: fromCallback<EventObject, PublishListInput>(({ input, sendBack }) => publishList(input, sendBack)),
  };
  const machine = sessionMachine.provide({ actors, actions: { shareFilters, reportWrite } });

  /** The backoff timers one region asked for, oldest first. */
  const backoffs = (which: BackoffId) => waits.filter((w) => w.id === which);
  /** The params of every shareFilters call. */
  const shared = () => shareFilters.mock.calls.map((call) => call[1]);
  /** The latest live subscription's sendBack. */
  const liveSend = () => watchLists.mock.calls.at(-1)![1];

  return {
    actors,
    machine,
    restoreSigner,
    authenticate,
    fetchLists,
    watchLists,
    watchCleanup,
    backoff,
    waits,
    backoffs,
    shareFilters,
    shared,
    liveSend,
    readList,
    reads,
    publishList,
    publishes,
    reportWrite,
    /** The outcome each reportWrite call carried, by request id. */
    reported: () => reportWrite.mock.calls.flatMap(([, report]) => report.requestIds.map((id) => [id, report.outcome] as const)),
  };
}

export type Fakes = ReturnType<typeof makeFakes>;
