import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { renderAll } from "../visualizations/render";

it("visualizations/ is what the machines draw today (run `npm run visualize` after changing machines/)", async () => {
  const files = await renderAll();
  expect(Object.keys(files).sort()).toEqual(["README.md", "manager.mmd", "manager.svg", "session.mmd", "session.svg"]);
  for (const [name, content] of Object.entries(files)) {
    const onDisk = readFileSync(new URL(`../visualizations/${name}`, import.meta.url), "utf8");
    expect(onDisk, `visualizations/${name} is out of date`).toBe(content);
  }
  // The diagrams carry what the machines say: every state of the session machine, with its description.
  expect(files["session.mmd"]).toContain("signer_restoring --> signer_authenticating: done: restoreSigner");
  expect(files["session.mmd"]).toContain("lists_starting --> lists_idle: always [restoredStopped]");
  expect(files["session.svg"]).toContain("Finds the signer");
  expect(files["manager.mmd"]).toContain("loading --> restoring: done: loadState [awaitsActiveSigner]");
});
