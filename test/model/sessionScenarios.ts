/**
 * Scenarios the issue names, written as model events (each one the model offers where it comes, so
 * they run exactly as the covering walks do), with checks of what they are about:
 * - a relay outage during a NIP-46 session's fetch retries the lists only: the signer stays ready and
 *   the bunker receives no new request (counted at the NIP-46 backend);
 * - a NIP-49 session restored locked still fetches its lists, and hears newer ones;
 * - a private-key session restored without a key reads its lists, its signer `unavailable.needsLogin`;
 * - an app's edit (updateSession) is stored at once, and stands until a newer relay list replaces it;
 * - a follow is stored at once, before any relay answered, and stays; one no relay takes is rolled
 *   back to the list the relays hold;
 * - a follow another client's newer list wins over is made again on top of it: both changes stay.
 */
import { expect } from "vitest";
import type { SessionEvent } from "../../machines";
import { sessionPath, type Birth, type ModelEvent } from "./sessionModel";
import { VIA_FACADE } from "./sessionWrites";
import type { SessionPath, SessionRun } from "./sessionRun";

const birth = (kind: Birth["kind"], sealed: boolean, restored?: Birth["restored"]): Birth => ({ type: "birth", kind, sealed, patience: "long", ...(restored ? { restored } : {}) });
const done = (id: string) => ({ type: `xstate.done.actor.${id}` }) as ModelEvent;
const failed = (id: string, code: string) => ({ type: `xstate.error.actor.${id}`, error: { code, message: code, at: 0 } }) as ModelEvent;
const command = (type: SessionEvent["type"]) => ({ type }) as ModelEvent;
const newerList: ModelEvent = { type: "list.received", entries: [] };
const followEdit: ModelEvent = { type: "session.update", entries: [] };
const follow: ModelEvent = { type: "list.write", write: { kind: 3, edits: [] }, requestId: VIA_FACADE };
const stored: ModelEvent = { type: "write.stored", entries: [] };
const rolledBack: ModelEvent = { type: "write.rolledBack", key: "3", id: "", previous: null };
const attempted = (status: "published" | "refused" | "lost") => ({ type: "write.attempted", status }) as ModelEvent;
/** A private-key login with its signer ready and its lists fetched (steps 0–3). */
const signedIn = (): ModelEvent[] => [birth("private-key", false), done("restoreSigner"), done("authenticate"), done("fetchLists")];
/** A follow whose read is done and whose signed list is stored (its publish under way). */
const followStored = (): ModelEvent[] => [follow, done("readList"), stored];

export interface SessionScenario {
  title: string;
  path: SessionPath;
  check(run: SessionRun): void;
}

/** The steps (1-based) from `from` on, as the real session reached them. */
const reachedFrom = (run: SessionRun, from: number) => run.reached.slice(from);

export const sessionScenarios: SessionScenario[] = [
  {
    title: "a relay outage during a NIP-46 session's fetch retries the lists only",
    path: sessionPath([
      birth("nip46", false),
      done("restoreSigner"),
      done("fetchLists"),
      done("authenticate"),
      command("session.refresh"),
      failed("fetchLists", "offline"),
      command("session.refresh"),
      done("fetchLists"),
    ]),
    check(run) {
      expect(reachedFrom(run, 4).every((s) => s.matches({ signer: "ready" }))).toBe(true);
      expect(run.reached[6]!.matches({ lists: { live: "retrying" } })).toBe(true);
      expect(run.contextAt(6).listsFailure?.code).toBe("offline");
      expect(run.contextAt(6).signerFailure).toBeNull();
      // Requests the NIP-46 backend received from the session's client: none after it was ready.
      expect(run.bunkerSeen.slice(4)).toEqual(run.bunkerSeen.slice(4).map(() => run.bunkerSeen[4]));
    },
  },
  {
    title: "a locked NIP-49 session still fetches lists",
    path: sessionPath([birth("private-key", true, "live"), failed("restoreSigner", "locked"), done("fetchLists"), command("session.refresh"), done("fetchLists"), newerList]),
    check(run) {
      expect(reachedFrom(run, 2).every((s) => s.matches({ signer: "locked" }))).toBe(true);
      expect(run.reached[5]!.matches({ lists: { live: "ready" } })).toBe(true);
      expect(run.contextAt(6).lists["3"]).toBeDefined(); // a newer contact list arrived while locked
      expect(run.contextAt(6).lists["10000"]?.partial).toBeUndefined(); // the mute list as the earlier run read it, with its key
    },
  },
  {
    title: "a private-key session restored without a key reads its lists, its signer unavailable.needsLogin",
    path: sessionPath([birth("private-key", false, "live"), failed("restoreSigner", "signer-unavailable"), done("fetchLists"), newerList]),
    check(run) {
      expect(run.reached[3]!.value).toEqual({ signer: { unavailable: "needsLogin" }, lists: { live: "ready" }, writes: "idle" });
      expect(run.contextAt(3).signerFailure?.code).toBe("signer-unavailable");
      expect(run.contextAt(4).lists["3"]).toBeDefined();
    },
  },
  {
    title: "an app's edit of the follows stands until a newer relay list replaces it",
    path: sessionPath([...signedIn(), followEdit, newerList]),
    check(run) {
      const [edit, relay] = [run.contextAt(5).lists["3"], run.contextAt(6).lists["3"]];
      expect(run.contextAt(4).lists["3"]).toBeUndefined(); // the user had published no contact list
      expect(edit?.data).toMatchObject({ count: 1 });
      expect(relay!.id).not.toBe(edit!.id);
      expect(relay!.createdAt).toBeGreaterThan(edit!.createdAt);
    },
  },
  {
    title: "a follow is stored at once and stays; one no relay takes is rolled back to what the relays hold",
    path: sessionPath([...signedIn(), ...followStored(), attempted("published"), ...followStored(), rolledBack, attempted("refused")]),
    check(run) {
      const follows = (k: number) => run.contextAt(k).lists["3"] as { id: string; data: { count: number } } | undefined;
      expect(follows(4)).toBeUndefined(); // the user had no contact list
      expect(run.contextAt(7).writeQueue).toHaveLength(1); // stored while the write is still under way
      expect(follows(7)?.data.count).toBe(1);
      expect(follows(8)!.id).toBe(follows(7)!.id); // the relay's copy of it, heard back, changes nothing
      expect(run.contextAt(8).lastWrite?.outcome).toMatchObject({ ok: true, changed: true });
      expect(follows(11)?.data.count).toBe(2);
      expect(follows(12)!.id).toBe(follows(8)!.id);
      expect(run.contextAt(13).lastWrite?.outcome).toMatchObject({ ok: false, failure: { code: "write-refused" } });
      expect(run.contextAt(13).writeQueue).toEqual([]);
    },
  },
  {
    title: "a follow another client's newer list wins over is made again on top of it, and both stay",
    path: sessionPath([...signedIn(), ...followStored(), attempted("lost"), stored, attempted("published")]),
    check(run) {
      const follows = (k: number) => run.contextAt(k).lists["3"] as { id: string; createdAt: number; data: { count: number } } | undefined;
      expect(follows(7)?.data.count).toBe(1); // ours, on the user's empty list
      expect(run.contextAt(8).writeQueue[0]).toMatchObject({ attempts: 2, relays: [expect.any(String)] }); // the relay took ours as a duplicate: theirs won
      expect(run.contextAt(8).writeQueue[0]!.base?.created_at).toBe(follows(7)!.createdAt + 1); // the next attempt is made on theirs
      expect(follows(9)?.data.count).toBe(2); // their follow and ours
      expect(follows(9)!.createdAt).toBeGreaterThan(follows(7)!.createdAt + 1);
      expect(run.contextAt(10).lastWrite?.outcome).toMatchObject({ ok: true, changed: true });
      expect(follows(10)!.id).toBe(follows(9)!.id);
    },
  },
];
