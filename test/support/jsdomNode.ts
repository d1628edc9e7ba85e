/**
 * Setup for the binding projects: the DOM is jsdom's, but NDK and the loopback relay run in this
 * same process and need Node's own globals back.
 *
 * 1. Vitest's jsdom environment puts jsdom's `Uint8Array` and `ArrayBuffer` on the global
 *    (vitest-dev/vitest#3976, #4043). Bytes made by Node (`Buffer`, `TextEncoder`, `crypto`) then
 *    fail `instanceof Uint8Array`, and the relay's signature check rejects every event ("invalid:
 *    Uint8Array expected"). Node's constructors are put back, as Vitest's node environment does.
 * 2. jsdom 28's WebSocket is built on undici, which dispatches jsdom `Event`s through Node's
 *    EventTarget; Node rejects them ("must be an instance of Event"), so no relay connects. NDK
 *    dials with `ws`, as in the engine's Node tests. A real browser needs neither change.
 */
import { WebSocket } from "ws";

const NodeUint8Array = Object.getPrototypeOf(Buffer.prototype).constructor as Uint8ArrayConstructor;
globalThis.Uint8Array = NodeUint8Array;
globalThis.ArrayBuffer = new NodeUint8Array(0).buffer.constructor as ArrayBufferConstructor;
globalThis.WebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
