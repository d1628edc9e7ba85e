/**
 * Render-function components for the tests: each shows one composable's value and counts its own
 * renders (the counter lives in the render function, so it counts exactly what Vue re-ran).
 */
import { defineComponent, h, ref, type PropType, type ShallowRef } from "vue";
import type { Hexpubkey } from "../../../src/bindings/vue";

export interface Probe<T> {
  renders: number;
  /** The value the last render saw. */
  last: T | undefined;
  /** The composable's ref, as the component got it. */
  handle: Readonly<ShallowRef<T>> | undefined;
}

/** A component that renders `show(value)` of the ref `use()` returns, in a `<span data-test=…>`. */
export function probe<T>(name: string, use: () => Readonly<ShallowRef<T>>, show: (value: T) => string) {
  return propProbe(name, () => use(), show);
}

/** A probe for composables that take the `pubkey` prop (as a getter of it). */
export function propProbe<T>(name: string, use: (pubkey: () => Hexpubkey | undefined) => Readonly<ShallowRef<T>>, show: (value: T) => string) {
  const stats: Probe<T> = { renders: 0, last: undefined, handle: undefined };
  const component = defineComponent({
    name,
    props: { pubkey: { type: String as PropType<Hexpubkey>, required: false } },
    setup(props) {
      const value = use(() => props.pubkey);
      stats.handle = value;
      return () => {
        stats.renders++;
        stats.last = value.value;
        return h("span", { "data-test": name }, show(value.value));
      };
    },
  });
  return { component, stats };
}

/** A parent that mounts `children` while `shown` is true, so a test can unmount one part of a live app. */
export function toggled(...children: ReturnType<typeof defineComponent>[]) {
  const shown = ref(true);
  const component = defineComponent({
    name: "Toggled",
    setup() {
      return () => h("div", [shown.value ? h(children[0]!) : null, ...children.slice(1).map((child) => h(child))]);
    },
  });
  return { component, shown };
}
