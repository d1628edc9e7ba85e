export * from "./types";
export * from "./lists";
export * from "./session.machine";
export * from "./manager.machine";
