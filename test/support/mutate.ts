/** Deterministic generators of damaged stored state, for the persistence fuzz test. */
import { CURRENT_VERSION } from "../../src/persistence/envelope";

export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const WRONG_VALUES: unknown[] = [null, 0, -1, 1e308, "", "x", true, [], {}, [[]], { a: 1 }, "f".repeat(64), 3.5];

/** Every path into a JSON value, as key lists. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 5000) return out;
  if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      paths(child, path, out);
    }
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove = false): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
}

/** One damaged copy of `valid`, with the name of the damage. */
export function mutations(valid: string, random: () => number): [string, string] {
  const kind = pick(random, ["truncate", "bitflip", "wrongType", "missing", "huge", "newer", "garbage", "swapChildren"] as const);
  switch (kind) {
    case "truncate":
      return [kind, valid.slice(0, Math.floor(random() * valid.length))];
    case "bitflip": {
      const at = Math.floor(random() * valid.length);
      const flipped = String.fromCharCode(valid.charCodeAt(at) ^ (1 << Math.floor(random() * 7)));
      return [kind, valid.slice(0, at) + flipped + valid.slice(at + 1)];
    }
    case "wrongType":
    case "missing": {
      const json = JSON.parse(valid);
      const path = pick(random, paths(json));
      setAt(json, path, pick(random, WRONG_VALUES), kind === "missing");
      return [kind, JSON.stringify(json)];
    }
    case "huge": {
      const json = JSON.parse(valid);
      setAt(json, pick(random, paths(json)), "x".repeat(200_000 + Math.floor(random() * 800_000)));
      return [kind, JSON.stringify(json)];
    }
    case "newer":
      return [kind, valid.replace(`"version":${CURRENT_VERSION}`, `"version":${CURRENT_VERSION + 1 + Math.floor(random() * 1000)}`)];
    case "garbage":
      return [kind, Array.from({ length: Math.floor(random() * 500) }, () => String.fromCharCode(Math.floor(random() * 128))).join("")];
    case "swapChildren": {
      const json = JSON.parse(valid);
      json.snapshot.context.pubkeys.reverse();
      json.snapshot.context.pubkeys[0] = "a".repeat(64);
      return [kind, JSON.stringify(json)];
    }
  }
}
