import { bindingProject } from "../project";

export default bindingProject("react", "test/bindings/react/**/*.test.{ts,tsx}");
