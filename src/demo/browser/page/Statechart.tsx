/**
 * A machine's diagram (visualizations/*.svg, drawn from machines/ by `npm run visualize`) with the
 * actor's current states lit. Graphviz names each state node (and each compound state's cluster)
 * by its path, `lists_live_ready` / `cluster_lists_live`, in a <title>; the live snapshot's value
 * gives the same paths, so highlighting is a class on those groups and a CSS rule.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { AnyActorRef, StateValue } from "xstate";
import { withinMs } from "./timing";

const svgText = new Map<string, Promise<string>>();

function loadSvg(url: string): Promise<string> {
  let text = svgText.get(url);
  if (!text) {
    // The prolog and doctype mean nothing inside an HTML document.
    text = withinMs(fetch(url), 5000, `loading ${url}`).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${url}: HTTP ${r.status}`)))).then((t) => t.slice(t.indexOf("<svg")));
    svgText.set(url, text);
  }
  return text;
}

/** `{ signer: { unavailable: "needsLogin" } }` → signer, signer_unavailable, signer_unavailable_needsLogin. */
export function activeIds(value: StateValue, prefix: string[] = []): string[] {
  if (typeof value === "string") return [[...prefix, value].join("_")];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key].join("_"), ...(child ? activeIds(child, [...prefix, key]) : [])]);
}

const noSnapshot = () => undefined;
const noSubscription = () => () => {};

function useActorValue(actor: AnyActorRef | undefined): StateValue | undefined {
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (!actor) return noSubscription();
      const subscription = actor.subscribe({ next: onChange, error: onChange, complete: onChange });
      return () => subscription.unsubscribe();
    },
    [actor],
  );
  const snapshot = useSyncExternalStore(subscribe, actor ? () => actor.getSnapshot() : noSnapshot);
  return (snapshot as { status?: string; value?: StateValue } | undefined)?.status === "active" ? snapshot.value : undefined;
}

export function Statechart({ svgUrl, actor, label }: { svgUrl: string; actor: AnyActorRef | undefined; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [svg, setSvg] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const value = useActorValue(actor);
  const ids = value === undefined ? [] : activeIds(value);

  useEffect(() => {
    let live = true;
    loadSvg(svgUrl).then((text) => live && setSvg(text), (error: Error) => live && setProblem(error.message));
    return () => {
      live = false;
    };
  }, [svgUrl]);

  const key = ids.join(" ");
  useEffect(() => {
    const lit = new Set(key.split(" "));
    for (const group of container.current?.querySelectorAll<SVGGElement>("g.node, g.cluster") ?? []) {
      const id = group.querySelector("title")?.textContent?.replace(/^cluster_/, "") ?? "";
      group.classList.toggle("current", lit.has(id));
    }
  }, [svg, key]);

  const leaves = ids.filter((id) => !ids.some((other) => other.startsWith(`${id}_`)));
  return (
    <figure className="statechart" data-testid="statechart" data-states={key}>
      <figcaption>
        {label}: {value === undefined ? "not running" : leaves.map((id) => id.replaceAll("_", ".")).join(" · ")}
      </figcaption>
      {problem ? <p className="error">{problem}</p> : <div ref={container} dangerouslySetInnerHTML={svg ? { __html: svg } : undefined} />}
    </figure>
  );
}
