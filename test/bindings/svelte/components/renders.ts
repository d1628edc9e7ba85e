/** What the test components report each time a reactive block re-runs: its name and the value it saw. */
export type Renders = (name: string, value: unknown) => void;

/** A recorder for `Renders`: the values each named block saw, in order. */
export function renderLog() {
  const entries: Array<[string, unknown]> = [];
  const record: Renders = (name, value) => void entries.push([name, value]);
  return { record, of: (name: string) => entries.filter(([n]) => n === name).map(([, value]) => value) };
}
