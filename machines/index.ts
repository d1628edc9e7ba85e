export * from "./types";
export * from "./lists";
export * from "./failures";
export * from "./session.machine";
export * from "./manager.machine";
export type { QueuedWrite, WriteRecord, WriteReport } from "./writes";
export { MAX_ATTEMPTS } from "./writes";
export * from "./checksum";
