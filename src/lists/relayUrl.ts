/**
 * One spelling per relay, so lists compare and deduplicate: lower-case scheme and host, no default
 * port, no trailing slash on a bare host, no fragment. Returns undefined for anything that is not a
 * ws:// or wss:// URL.
 */
export function normalizeRelayUrl(input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return undefined;
  url.hash = "";
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/+$/, "");
  const port = url.port ? `:${url.port}` : "";
  return `${url.protocol}//${url.hostname.toLowerCase()}${port}${path}${url.search}`;
}
