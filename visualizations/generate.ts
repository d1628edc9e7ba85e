/** `npm run visualize`: writes visualizations/ from machines/. */
import { writeFileSync } from "node:fs";
import { renderAll } from "./render";

for (const [name, content] of Object.entries(await renderAll())) {
  writeFileSync(new URL(`./${name}`, import.meta.url), content);
  console.log(`wrote visualizations/${name}`);
}
