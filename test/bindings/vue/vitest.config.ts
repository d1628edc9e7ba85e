import vue from "@vitejs/plugin-vue";
import { bindingProject } from "../project.ts";

export default bindingProject("vue", "test/bindings/vue/**/*.test.ts", [vue()]);
