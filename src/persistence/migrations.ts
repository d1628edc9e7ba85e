/**
 * Pure JSON → JSON steps from each older version to the next. Version 1 is the first released
 * format; a change to the machines' persisted shape (a state renamed, a context field added, an
 * XState upgrade that changes its snapshot layout) adds a step here and a golden fixture in test/.
 */
type Migration = (envelope: Record<string, unknown>) => Record<string, unknown>;

export const MIGRATIONS: Record<number, Migration> = {};

/** Runs every step from `envelope.version` up to `target`; throws when a step is missing. */
export function migrate(envelope: Record<string, unknown>, target: number): Record<string, unknown> {
  let current = envelope;
  for (let version = current.version as number; version < target; version++) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`no migration from version ${version}`);
    current = { ...step(current), version: version + 1 };
  }
  return current;
}
