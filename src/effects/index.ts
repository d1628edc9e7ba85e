import { fromCallback, fromPromise, type AnyActorRef, type EventObject } from "xstate";
import type {
  BackoffInput,
  FetchedLists,
  FetchPlan,
  Hexpubkey,
  ListSlots,
  ListsInput,
  ManagerEvent,
  PublishListInput,
  ReadListInput,
  ReadListOutput,
  SessionEvent,
  SessionContext,
  SignerDescriptor,
  WriteReport,
} from "../../machines";
import { sessionId } from "../../machines";
import { backoff } from "./backoff";
import { fetchLists } from "./integrity";
import { publishList, readList } from "./listWriter";
import type { EngineRuntime } from "./runtime";
import { authenticate, ingestContextFor, restoreSigner } from "./signers";

/** The session machine's named actors and actions, bound to one engine's runtime. */
export function sessionImplementations(runtime: EngineRuntime) {
  const { config, keyring, users, hub, wiring } = runtime;
  return {
    actors: {
      restoreSigner: fromPromise<void, { pubkey: Hexpubkey; signer: SignerDescriptor }>(({ input, signal }) => restoreSigner(keyring, input, signal)),
      authenticate: fromPromise<void, { pubkey: Hexpubkey }>(({ input }) => authenticate(keyring, input)),
      // The stored lists to check are read from the session itself: the actor's input is persisted, so it carries only ids.
      fetchLists: fromPromise<FetchedLists, ListsInput>(({ input, signal, system }) =>
        fetchLists(runtime, input, signal, () => ((system.get(sessionId(input.pubkey)) as AnyActorRef | undefined)?.getSnapshot().context as SessionContext | undefined)?.lists),
      ),
      watchLists: fromCallback<EventObject, ListsInput>(({ input, sendBack }) => {
        const kinds = config.kindsFor(input.pubkey, input.walletEnabled);
        return hub.watch(input.pubkey, {
          kinds: new Set(kinds),
          context: ingestContextFor(keyring, users, input.pubkey, kinds),
          deliver: (entry) => sendBack({ type: "list.received", entries: [entry] } satisfies SessionEvent),
        });
      }),
      backoff: fromPromise<void, BackoffInput>(({ input, signal }) => backoff(config.retry, input, signal)),
      readList: fromPromise<ReadListOutput, ReadListInput>(({ input, signal }) => readList(runtime, input, signal)),
      publishList: fromCallback<EventObject, PublishListInput>(({ input, sendBack }) => publishList(runtime, input, sendBack)),
    },
    actions: {
      shareFilters: (_: unknown, params: { pubkey: Hexpubkey; lists: ListSlots }) => wiring.share(params.pubkey, params.lists),
      reportWrite: (_: unknown, report: WriteReport) => runtime.writes.settle(report.requestIds, report.outcome),
    },
  };
}

/** The manager machine's named actors that touch the effects (its `loadState` comes from storage). */
export function managerActors(runtime: EngineRuntime) {
  return {
    watchSigners: fromCallback<EventObject>(({ sendBack }) =>
      runtime.keyring.watch((pubkey, news) =>
        sendBack(
          (news.type === "fault"
            ? { type: "session.fault", pubkey, failure: { code: news.code, message: news.message, at: news.at } }
            : { type: "session.approval", pubkey, url: news.url }) satisfies ManagerEvent,
        ),
      ),
    ),
  };
}

/** The manager machine's named actions that touch the effects. */
export function managerActions(runtime: EngineRuntime) {
  const { config, keyring, users, wiring, writes } = runtime;
  return {
    wireNdk: (_: unknown, params: { pubkey: Hexpubkey | null }) => wiring.activate(params.pubkey),
    releaseSession: (_: unknown, { pubkey }: { pubkey: Hexpubkey }) => {
      writes.release(pubkey);
      keyring.release(pubkey);
      wiring.forget(pubkey);
      config.forget(pubkey);
      users.forget(pubkey);
    },
    configure: (_: unknown, change: { pubkey: Hexpubkey; kinds?: number[]; plan?: FetchPlan }) => config.configure(change),
  };
}
