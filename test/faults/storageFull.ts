// Row 11: storage that refuses writes. (a) LocalStorage over a localStorage at its quota (what a
// browser does: QuotaExceededError), later given room again; (b) FileStorage where the folder cannot
// be written. storageError is set and typed, the sessions keep reading, signing and logging in, and
// once there is room the next change is saved.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { FileStorage, LocalStorage, StorageError } from "../../src";
import type { FaultContext, Scenario } from "./harness";

const QUOTA = 200_000; // characters, keys included
const FOLLOWS = 300;

/** A `localStorage` with a quota, throwing as browsers do when it is full. */
function quotaStorage(quota: number): Storage {
  const items = new Map<string, string>();
  const used = (except: string) => [...items].reduce((n, [k, v]) => (k === except ? n : n + k.length + v.length), 0);
  return {
    get length() {
      return items.size;
    },
    key: (i: number) => [...items.keys()][i] ?? null,
    getItem: (k: string) => items.get(k) ?? null,
    setItem(k: string, v: string) {
      if (used(k) + k.length + String(v).length > quota) throw new DOMException(`Setting the value of '${k}' exceeded the quota.`, "QuotaExceededError");
      items.set(k, String(v));
    },
    removeItem: (k: string) => void items.delete(k),
    clear: () => items.clear(),
  } as Storage;
}

/** A path FileStorage cannot write: a folder without write permission, or (as root, where that does not bind) a place in sysfs. */
function unwritablePath(ctx: FaultContext): { file: string; how: string } {
  const dir = mkdtempSync(join(tmpdir(), "nse-faults-ro-"));
  chmodSync(dir, 0o500);
  ctx.defer(() => (chmodSync(dir, 0o700), rmSync(dir, { recursive: true, force: true })));
  try {
    writeFileSync(join(dir, "probe"), "");
  } catch {
    return { file: join(dir, "state.json"), how: "a folder with mode 0500" };
  }
  if (!existsSync("/sys/kernel")) throw new Error("running as root and no sysfs: no unwritable place to test with");
  return { file: "/sys/ndk-session-engine-faults/state.json", how: "a path in sysfs (running as root: mode 0500 does not stop root)" };
}

export const scenario: Scenario = {
  title: "storage full or read-only",
  timeoutMs: 20_000,
  async run(ctx) {
    const relay = await ctx.relay();
    const publisher = await ctx.ndk([relay.url]);
    const passphrase = "storage passphrase 51ab";
    ctx.secret(passphrase);
    const secrets = { passphrase, logn: 8 };
    const [a, b, c, d] = [ctx.key(), ctx.key(), ctx.key(), ctx.key()];
    const created_at = Math.floor(Date.now() / 1000) - 60; // the updates published later are newer
    for (const key of [a, b, d]) await publish(publisher, key!, { kind: 3, tags: Array.from({ length: FOLLOWS }, () => ["p", NDKPrivateKeySigner.generate().pubkey]), created_at });
    const follows = (m: { getSession(pk: string): { followSet?: ReadonlySet<string> } | undefined }, pk: string, extra?: string) =>
      m.getSession(pk)?.followSet?.size === FOLLOWS + (extra ? 1 : 0) && (!extra || m.getSession(pk)!.followSet!.has(extra));

    // (a) localStorage at its quota: the app's own data leaves no room for the sessions.
    const g = globalThis as { localStorage?: Storage };
    const previous = g.localStorage;
    const area = quotaStorage(QUOTA);
    g.localStorage = area;
    ctx.defer(() => (previous === undefined ? delete g.localStorage : (g.localStorage = previous)));
    area.setItem("app-cache", "x".repeat(QUOTA - 10_000));
    const storage = new LocalStorage();
    ctx.scanStorage("localStorage", storage);
    const ndk = await ctx.ndk([relay.url]);
    const { manager } = ctx.manager(ndk, { storage, saveDebounceMs: 50, secrets });
    await manager.login(a!);
    await manager.login(b!, { setActive: false });
    await ctx.until(() => follows(manager, a!.pubkey) && follows(manager, b!.pubkey), 4000, "both sessions' lists");
    await ctx.until(() => manager.storageError !== undefined, 3000, "storageError after a failed auto-save");
    const full = manager.storageError!;
    ctx.caught("storageError", full);
    ctx.check(full instanceof StorageError && full.code === "storage" && /QuotaExceededError/.test(full.message), `storageError is a typed StorageError naming the quota (${full.name} ${full.code}: ${full.message})`);
    ctx.check(ctx.consoleLines.some((l) => l.startsWith("error: Failed to auto-save sessions:")), "the failed auto-save is logged as the peer logs it");
    const persisted = await manager.persist().then(
      () => undefined,
      (e: unknown) => e,
    );
    ctx.caught("persist", persisted);
    ctx.check(persisted instanceof StorageError, `persist() rejects with a StorageError (got ${(persisted as Error)?.name})`);

    // The sessions keep working: a live update, a signature, a new login.
    const x = NDKPrivateKeySigner.generate().pubkey;
    const aTags = [...manager.getSession(a!.pubkey)!.followSet!].map((p) => ["p", p]);
    await publish(publisher, a!, { kind: 3, tags: [...aTags, ["p", x]] });
    await ctx.until(() => follows(manager, a!.pubkey, x), 3000, "a live update while storage is full");
    const signed = await new NDKEvent(ndk, { kind: 1, content: "still signing", tags: [] }).sign().then(
      () => true,
      (e: unknown) => (ctx.caught("sign", e), false),
    );
    ctx.check(signed, "the active session signs while storage is full");
    await manager.login(c!, { setActive: false });
    await ctx.until(() => manager.getSession(c!.pubkey)?.status === "ready", 3000, "a new login while storage is full");

    // Room again: the next change (a list arriving) is saved.
    area.removeItem("app-cache");
    const roomAt = performance.now();
    const y = NDKPrivateKeySigner.generate().pubkey;
    const bTags = [...manager.getSession(b!.pubkey)!.followSet!].map((p) => ["p", p]);
    await publish(publisher, b!, { kind: 3, tags: [...bTags, ["p", y]] });
    const savedAt = await ctx.until(
      () => manager.storageError === undefined && (area.getItem("ndk-session-engine:state") ?? "").includes(c!.pubkey),
      3000,
      "the next change saved once there is room",
    );

    // (b) a file where nothing can be written.
    const place = unwritablePath(ctx);
    const ndk2 = await ctx.ndk([relay.url]);
    const ro = ctx.manager(ndk2, { storage: new FileStorage(place.file), saveDebounceMs: 50, secrets });
    await ro.manager.restore();
    await ro.manager.login(d!);
    await ctx.until(() => follows(ro.manager, d!.pubkey) && ro.manager.storageError !== undefined, 4000, "lists, and storageError, on read-only storage");
    const denied = ro.manager.storageError!;
    ctx.caught("read-only storageError", denied);
    ctx.check(denied instanceof StorageError && denied.code === "storage", `read-only: a typed StorageError (${denied.name} ${denied.code})`);
    const z = NDKPrivateKeySigner.generate().pubkey;
    const dTags = [...ro.manager.getSession(d!.pubkey)!.followSet!].map((p) => ["p", p]);
    await publish(publisher, d!, { kind: 3, tags: [...dTags, ["p", z]] });
    await ctx.until(() => follows(ro.manager, d!.pubkey, z), 3000, "a live update on read-only storage");
    const lost = [a!, b!].filter((k, i) => !follows(manager, k.pubkey, [x, y][i])).length + (follows(ro.manager, d!.pubkey, z) ? 0 : 1);
    const cause = (denied.message.match(/\(([A-Z]+)\)/) ?? [])[1];
    return {
      sees: `full: storageError ${full.name} \`${full.code}\` ("${full.message}"), console.error "Failed to auto-save sessions:", persist() rejects ${(persisted as Error)?.name}; read-only: storageError \`${denied.code}\` (${cause}); sessions stay ready, get live updates, sign, log in`,
      listsLost: lost,
      recoveryMs: savedAt - roomAt,
      notes: [
        `(a) LocalStorage over a localStorage with a ${QUOTA.toLocaleString("en")}-character quota, ${(QUOTA - 10_000).toLocaleString("en")} taken by the app's own data; 2 then 3 sessions of ${FOLLOWS} follows, keys sealed NIP-49, saveDebounceMs 50; recovery from the app freeing room to the next change (a list arriving) saved and storageError cleared. (b) FileStorage on ${place.how}`,
      ],
    };
  },
};
