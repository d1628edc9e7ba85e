import { and, not, stateIn } from "xstate";
import { knownEntries } from "./lists";
import { listsInput, sessionSetup, shareParams } from "./session.setup";
import * as w from "./writes";
import { MAX_ATTEMPTS } from "./writes";

export type { ListsInput, PublishListInput, ReadListInput, ReadListOutput, SessionContext, SessionEvent, SessionInput, SignerChangedEvent } from "./session.types";

/** Who hears how writes ended: a refused one, the one under way, or those left waiting by the signer. */
const refusal = { type: "reportWrite", params: w.refusalReport } as const;
const settled = { type: "reportWrite", params: w.settledReport } as const;
const left = { type: "reportWrite", params: w.leftReport } as const;

export const sessionMachine = sessionSetup.createMachine({
  id: "session",
  description: "One Nostr login: what its signer can do, what its lists are, and the list writes it makes, in regions that fail and recover on their own.",
  type: "parallel",
  context: ({ input }) => ({
    pubkey: input.pubkey,
    signer: input.signer,
    preferences: input.preferences ?? {},
    lists: input.lists ?? {},
    signerFailure: null,
    signerAttempt: 0,
    listsFailure: input.listsFailure ?? null,
    listsAttempt: input.listsAttempt ?? 0,
    approvalUrl: null,
    writeQueue: [],
    lastWrite: null,
  }),
  entry: { type: "shareFilters", params: shareParams },
  on: {
    "session.update": { actions: ["storeEdits", { type: "shareFilters", params: shareParams }] },
    "list.received": {
      guard: "bringsNewerList",
      actions: [
        "storeEntries",
        { type: "shareFilters", params: shareParams },
      ],
    },
  },
  states: {
    signer: {
      description: "Whether the session can sign. Decided here alone; a read-only session has no signer.",
      initial: "restoring",
      on: {
        "session.reauthenticate": { target: ".restoring", actions: "setSigner" },
        "session.lock": { guard: not("isReadOnly"), target: ".locked" },
        "session.fault": [
          { guard: "needsLogin", target: ".unavailable.needsLogin", actions: "recordSignerFailure" },
          { target: ".retrying", actions: "recordSignerFailure" },
        ],
      },
      states: {
        restoring: {
          description: "Finds the signer: handed over by a login, or rebuilt from storage.",
          invoke: {
            id: "restoreSigner",
            src: "restoreSigner",
            input: ({ context }) => ({ pubkey: context.pubkey, signer: context.signer }),
            onDone: [{ guard: "isReadOnly", target: "readOnly" }, { target: "authenticating" }],
            onError: [
              { guard: "isLocked", target: "locked" },
              { guard: "needsLogin", target: "unavailable.needsLogin", actions: "recordSignerFailure" },
              { target: "retrying", actions: "recordSignerFailure" },
            ],
          },
        },
        authenticating: {
          description: "Asks the signer for its user and checks it is this session's pubkey.",
          entry: "reportSigner",
          invoke: {
            id: "authenticate",
            src: "authenticate",
            input: ({ context }) => ({ pubkey: context.pubkey }),
            onDone: { target: "ready", actions: "markSignerReady" },
            onError: [
              { guard: "extensionAway", target: "unavailable.extensionAway", actions: "recordSignerFailure" },
              { guard: "needsLogin", target: "unavailable.needsLogin", actions: "recordSignerFailure" },
              { target: "retrying", actions: "recordSignerFailure" },
            ],
          },
        },
        ready: {
          description: "Signs, one call at a time, each signature checked as this session's.",
          entry: "announceSigner",
          on: {
            "signer.recheck": { guard: "usesExtension", target: "verifying" },
            "session.approval": { guard: "approvalAsked", target: "awaitingApproval", actions: "setApproval" },
          },
        },
        awaitingApproval: {
          description: "The remote signer waits for its user (context.approvalUrl); that time never counts against timeouts.",
          exit: "clearApproval",
          on: { "session.approval": [{ guard: "approvalAsked", actions: "setApproval" }, { target: "ready" }] },
        },
        verifying: {
          description: "The page regained focus: is the extension still there, on this account?",
          invoke: {
            id: "reverify",
            src: "authenticate",
            input: ({ context }) => ({ pubkey: context.pubkey }),
            onDone: { target: "ready" },
            onError: [
              { guard: "extensionAway", target: "unavailable.extensionAway", actions: "recordSignerFailure" },
              { guard: "needsLogin", target: "unavailable.needsLogin", actions: "recordSignerFailure" },
              { target: "retrying", actions: "recordSignerFailure" },
            ],
          },
        },
        locked: {
          description: "The key is stored encrypted (NIP-49): the session reads, and signs once unlocked.",
          entry: "reportSigner",
          on: { "session.unlock": { target: "restoring" } },
        },
        retrying: {
          description: "The signer failed in a way that may pass (a remote signer away): tries again on a backoff that survives a restore.",
          entry: "reportSigner",
          invoke: {
            id: "signerBackoff",
            src: "backoff",
            input: ({ context }) => ({ attempt: context.signerAttempt, since: context.signerFailure?.at ?? 0 }),
            onDone: { target: "restoring" },
          },
          on: { "session.retry": { target: "restoring" } },
        },
        unavailable: {
          description: "No usable signer until the user acts; the lists keep loading meanwhile.",
          entry: "reportSigner",
          on: { "session.retry": { target: "restoring" } },
          initial: "needsLogin",
          states: {
            needsLogin: {
              description: "No key was kept, or the signer answers for someone else: a new login (or session.retry) helps.",
            },
            extensionAway: {
              description: "The NIP-07 extension is missing or on another account; looked at again when the page regains focus.",
              on: { "signer.recheck": { target: "#session.signer.restoring" } },
            },
          },
        },
        readOnly: {
          description: "Logged in with a pubkey alone: reads, never signs.",
          entry: "reportSigner",
        },
      },
    },
    lists: {
      description: "The session's lists, read from relays whatever the signer region says.",
      initial: "starting",
      states: {
        starting: {
          description: "Picks up where a restored session left off: stopped, backing off, or fetching.",
          always: [
            { guard: "restoredStopped", target: "idle" },
            { guard: "restoredBackingOff", target: "live.retrying" },
            { target: "live" },
          ],
        },
        live: {
          description: "On the shared live subscription for the whole stay, so nothing published after a fetch is missed.",
          invoke: { id: "watchLists", src: "watchLists", input: listsInput },
          initial: "fetching",
          on: {
            "session.stop": { target: "idle" },
            "session.start": { target: "live", reenter: true },
            "session.monitor": { target: "live", reenter: true },
            "session.preferences.set": { target: "live", reenter: true, actions: "setPreferences" },
          },
          states: {
            fetching: {
              description: "One REQ for every list of the app's plan, closed on EOSE.",
              invoke: {
                id: "fetchLists",
                src: "fetchLists",
                input: ({ context }) => ({ ...listsInput({ context }), known: knownEntries(context.lists) }),
                onDone: [
                  {
                    // The signer became ready while this fetch was out: what it read without it is read again.
                    guard: and([stateIn({ signer: "ready" }), "leavesPartialLists"]),
                    target: "fetching",
                    reenter: true,
                    actions: ["storeFetched", "markListsReady", { type: "shareFilters", params: shareParams }],
                  },
                  { target: "ready", actions: ["storeFetched", "markListsReady", { type: "shareFilters", params: shareParams }] },
                ],
                onError: { target: "retrying", actions: "recordListsFailure" },
              },
            },
            ready: {
              description: "Lists loaded; newer versions keep arriving on the live subscription.",
              on: {
                "session.refresh": { target: "fetching" },
                "signer.ready": { guard: "hasPartialLists", target: "fetching" },
              },
            },
            retrying: {
              description: "No relay answered: fetches again on a backoff that survives a restore. The signer is not asked again.",
              invoke: {
                id: "listsBackoff",
                src: "backoff",
                input: ({ context }) => ({ attempt: context.listsAttempt, since: context.listsFailure?.at ?? 0 }),
                onDone: { target: "fetching" },
              },
              on: { "session.retry": { target: "fetching" }, "session.refresh": { target: "fetching" } },
            },
          },
        },
        idle: {
          description: "Stopped by stopSession(): lists kept, no relay traffic, no retries.",
          on: {
            "session.start": { target: "live" },
            "session.preferences.set": { actions: "setPreferences" },
          },
        },
      },
    },
    writes: {
      description: "Edits of the session's lists, one at a time, each published on the newest version relays hold; asked for only while the signer can sign.",
      initial: "idle",
      states: {
        idle: {
          description: "No write under way.",
          on: { "list.write": [{ guard: "canSign", target: "writing", actions: "queueWrite" }, { actions: [refusal, "recordRefusal"] }] },
        },
        writing: {
          description: "The first write of the queue under way; writes of one list that wait meanwhile are merged into one.",
          initial: "reading",
          // Waiting writes need the signer: when it leaves they fail; the one under way ends by itself.
          always: { guard: and([not("canSign"), "hasWaitingWrites"]), actions: [left, "dropWaitingWrites"] },
          on: {
            "list.write": [{ guard: "canSign", actions: "queueWrite" }, { actions: [refusal, "recordRefusal"] }],
            "write.stored": { actions: ["storeEntries", { type: "shareFilters", params: shareParams }] },
            "write.rolledBack": { actions: ["rollBack", { type: "shareFilters", params: shareParams }] },
            "write.settled": [
              { guard: "hasWaitingWrites", target: "writing", reenter: true, description: "The write ended: its callers hear how; the next one starts.", actions: [settled, "finishWrite"] },
              { target: "idle", description: "The write ended: its callers hear how.", actions: [settled, "finishWrite"] },
            ],
          },
          states: {
            reading: {
              description: "Reads the relays' newest version of the list (an older one than the session holds is refused); edits may still join.",
              invoke: {
                id: "readList",
                src: "readList",
                input: w.readInput,
                onDone: [
                  { guard: "relaysBehind", description: "The relays hold an older list than the session: nothing is built on it (write-stale-relay).", actions: "settleStale" },
                  { guard: "canSign", target: "publishing", description: "The first attempt is made on the version read.", actions: "keepBase" },
                  { description: "The signer stopped signing while the list was read: nothing is built for it (write-cannot-sign).", actions: "settleSignerLeft" },
                ],
                onError: { description: "No relay answered: the write fails with the read's reason.", actions: "settleUnread" },
              },
            },
            publishing: {
              description:
                "One attempt: signs the edited list, stores it at once (pending), publishes it, and reads which version won; what it came to decides what follows.",
              invoke: { id: "publishList", src: "publishList", input: w.publishInput },
              on: {
                "write.attempted": [
                  {
                    guard: and(["lostToRival", "hasAttemptsLeft"]),
                    target: "publishing",
                    reenter: true,
                    description: "Another client's version won meanwhile: the write is made again on top of it, so both changes stay.",
                    actions: "rebaseOnRival",
                  },
                  {
                    guard: "lostToRival",
                    description: `Other clients' versions won ${MAX_ATTEMPTS} times: the write gives up (write-contended).`,
                    actions: "settleContended",
                  },
                  { guard: "noRelayTook", description: "No relay took it (its stored copy was rolled back): the write fails (write-refused).", actions: "settleRefused" },
                  { description: "A relay took it and it is the newest version, or the list already held the edit: the write is done.", actions: "settleDone" },
                ],
              },
            },
          },
        },
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;
