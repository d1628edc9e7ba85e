import vue from "@vitejs/plugin-vue";
import { bindingProject } from "../project";

export default bindingProject("vue", "test/bindings/vue/**/*.test.ts", [vue()]);
