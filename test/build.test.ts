import { beforeAll, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 30_000 });

/** Logs a read-only user in through the built package and prints what the manager saw. */
const probe = (load: string) => `
${load}
globalThis.WebSocket ??= WebSocket;
const ndk = new NDK({ explicitRelayUrls: [], enableOutboxModel: false, autoConnectUserRelays: false });
const manager = new NDKSessionManager(ndk);
const pubkey = "${"ab".repeat(32)}";
manager.login(ndk.getUser({ pubkey })).then((pk) => {
  console.log(JSON.stringify({ pk, active: manager.activePubkey, actor: typeof manager.actor.send, machine: managerMachine.id }));
  manager.destroy();
});`;

beforeAll(() => {
  execFileSync("npx", ["tsup", "--silent"], { cwd: root, timeout: 120_000 });
}, 120_000);

it("the CommonJS build works with NDK's CommonJS entry (no default-import trap)", () => {
  const out = node([
    "-e",
    probe(`const NDK = require("@nostr-dev-kit/ndk").default; const { WebSocket } = require("ws");
const { NDKSessionManager, managerMachine } = require("./dist/index.cjs");`),
  ]);
  expect(JSON.parse(out)).toEqual({ pk: "ab".repeat(32), active: "ab".repeat(32), actor: "function", machine: "manager" });
});

it("the ES module build works through the package's exports map", () => {
  const out = node([
    "--input-type=module",
    "-e",
    probe(`import NDK from "@nostr-dev-kit/ndk"; import { WebSocket } from "ws";
import { NDKSessionManager, managerMachine } from "ndk-session-engine";`),
  ]);
  expect(JSON.parse(out)).toEqual({ pk: "ab".repeat(32), active: "ab".repeat(32), actor: "function", machine: "manager" });
});

/** Loads each binding through the exports map and checks that it throws the main entry's SessionError. */
const bindingsProbe = (load: string) => `
${load}
const names = { react: Object.keys(react), svelte: Object.keys(svelte), vue: Object.keys(vue) };
let sameClass = false;
try { vue.useSessionManager(); } catch (error) { sameClass = error instanceof SessionError && error.code === "no-session-manager"; }
console.log(JSON.stringify({ names, sameClass }));`;

const hooks = ["useActivePubkey", "useActiveSession", "useSession", "useSessionSelector", "useSessions"];

it.each([
  ["CommonJS", ["-e", bindingsProbe(`const { SessionError } = require("ndk-session-engine");
const react = require("ndk-session-engine/react"), svelte = require("ndk-session-engine/svelte"), vue = require("ndk-session-engine/vue");`)]],
  ["ES module", ["--input-type=module", "-e", bindingsProbe(`import { SessionError } from "ndk-session-engine";
import * as react from "ndk-session-engine/react"; import * as svelte from "ndk-session-engine/svelte"; import * as vue from "ndk-session-engine/vue";`)]],
])("the %s build serves the React, Svelte and Vue bindings, which throw the main entry's SessionError", (_, args) => {
  const { names, sameClass } = JSON.parse(node(args)) as { names: Record<string, string[]>; sameClass: boolean };
  for (const framework of ["react", "svelte", "vue"]) expect(names[framework]).toEqual(expect.arrayContaining(hooks));
  expect(names.react).toContain("SessionsProvider");
  expect(names.svelte).toContain("setSessionManager");
  expect(names.vue).toContain("provideSessionManager");
  expect(sameClass).toBe(true);
});
