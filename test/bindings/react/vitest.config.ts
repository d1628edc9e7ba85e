import { bindingProject } from "../project.ts";

export default bindingProject("react", "test/bindings/react/**/*.test.{ts,tsx}");
