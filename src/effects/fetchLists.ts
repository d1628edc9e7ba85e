import type { ListEntry, ListsInput } from "../../machines";
import type { EngineRuntime } from "./runtime";

export { refreshFilters } from "./refreshFilters";

/**
 * A session's lists: verified, parsed, the newest entry of each slot. Fetches of one tick share a
 * REQ (see FetchBatcher); nothing waits on a grouping delay.
 */
export function fetchLists(runtime: EngineRuntime, input: ListsInput, signal: AbortSignal): Promise<ListEntry[]> {
  return runtime.fetchBatcher.request(input, signal);
}
