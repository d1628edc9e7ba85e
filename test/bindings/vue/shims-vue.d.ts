/** Single-file components of these tests, for tsc (which does not read .vue files itself). */
declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
