import type { ManagerSnapshot } from "./envelope";

/**
 * Readies a validated snapshot for rehydration: every session that was signing in or live comes
 * back in `restoring` with no running actors, to be resumed once the manager is up, so its signer
 * is rebuilt and its lists refreshed (last-known lists stay in context meanwhile). Sessions that
 * were idle, or in error (with a retry deadline that must survive), come back as they were.
 */
export function prepareForRestore(snapshot: ManagerSnapshot): { snapshot: ManagerSnapshot; resume: string[] } {
  const resume: string[] = [];
  const children: ManagerSnapshot["children"] = {};
  for (const [id, child] of Object.entries(snapshot.children)) {
    const value = child.snapshot.value;
    const keep = value === "idle" || (typeof value === "object" && value !== null && "error" in value);
    if (keep) {
      children[id] = child;
      continue;
    }
    resume.push(child.snapshot.context.pubkey);
    children[id] = { ...child, snapshot: { ...child.snapshot, value: "restoring", children: {} } };
  }
  return { snapshot: { ...snapshot, children }, resume };
}
