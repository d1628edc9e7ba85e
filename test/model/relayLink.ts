/**
 * A relay as its clients reach it: a loopback address of its own, forwarded byte for byte to the
 * test relay, so the test decides when a relay answers.
 * - `down()` stops listening: a connection attempt is refused as by a relay that is not running;
 *   connections made before stay (a bunker elsewhere keeps its relay). `up()` listens again.
 * - `hold("all")` keeps everything the relay sends until `release()` (a slow relay: a bunker's
 *   answer comes later); `hold("eose")` lets everything through but the EOSE of each fetch (a
 *   relay still sending: the fetch has read its events and has not ended; live subscriptions are
 *   left alone). `release()` sends what was kept.
 * - `refuseEvents(true)` answers each EVENT a client sends with `OK false` itself and passes nothing
 *   on (a relay that takes no events); `refuseEvents("silently")` drops it unanswered (lost on the
 *   way). REQs and everything else go through as before.
 * - `rivalEvents(publish)` passes each EVENT a client sends on only once `publish(event)` is done
 *   (another client's version published first); what the client sends after it waits behind it.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { eventually } from "../support/env";

type Holding = "none" | "all" | "eose";

export class RelayLink {
  private server: Server | undefined;
  private listening: Promise<void> | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<RelayStream>();
  private port = 0;
  private holding: Holding = "none";
  private refusing: boolean | "silently" = false;
  private rival: ((event: SentEvent) => Promise<void>) | undefined;
  private eoseKept: (() => void) | undefined;
  private constructor(private readonly target: URL) {}

  static async open(targetUrl: string): Promise<RelayLink> {
    const link = new RelayLink(new URL(targetUrl));
    await link.up();
    return link;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  up(): Promise<void> {
    if (this.listening) return this.listening;
    const server = createServer((socket) => this.forward(socket));
    this.server = server;
    return (this.listening = new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    }));
  }

  down(): void {
    this.server?.close();
    this.server = this.listening = undefined;
  }

  hold(what: "all" | "eose"): void {
    this.holding = what;
  }

  /**
   * Resolves once a fetch's EOSE is kept and the events sent before it have reached the client: the
   * link and the client share this process, so the client reads what the link wrote in a later poll
   * phase of the event loop (setImmediate runs after each).
   */
  async eoseHeld(): Promise<void> {
    if (![...this.streams].some((s) => s.keepsEose())) await new Promise<void>((resolve) => (this.eoseKept = resolve));
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  refuseEvents(on: boolean | "silently"): void {
    this.refusing = on;
  }

  rivalEvents(publish: ((event: SentEvent) => Promise<void>) | undefined): void {
    this.rival = publish;
  }

  release(): void {
    this.holding = "none";
    for (const stream of this.streams) stream.flush();
  }

  /** Stops listening and cuts every connection it carried. */
  async close(): Promise<void> {
    this.release();
    this.down();
    for (const socket of this.sockets) socket.destroy();
    await eventually(() => this.sockets.size === 0, 2000, "the link's sockets to close");
  }

  /** Called by a stream that kept an EOSE. */
  keptEose(): void {
    this.eoseKept?.();
    this.eoseKept = undefined;
  }

  holds(): Holding {
    return this.holding;
  }

  private forward(client: Socket): void {
    const relay = connect(Number(this.target.port), this.target.hostname);
    const asked = new Frames(true);
    const toClient = new RelayStream(client, this, asked.fetches);
    this.streams.add(toClient);
    for (const socket of [client, relay]) {
      socket.setNoDelay(true); // the frames are written one by one: Nagle would hold them for a delayed ACK
      this.sockets.add(socket);
    }
    client.on("close", () => (this.sockets.delete(client), this.streams.delete(toClient), relay.destroy()));
    relay.on("close", () => (this.sockets.delete(relay), client.destroy()));
    client.on("error", () => relay.destroy());
    relay.on("error", () => client.destroy());
    let behind: Promise<void> | undefined; // units waiting behind a rival's publish, in order
    const pass = (unit: Buffer, event: SentEvent | undefined) => {
      const publish = event && this.rival;
      if (!publish && !behind) return void relay.write(unit);
      const turn = (behind ?? Promise.resolve())
        .then(() => publish?.(event!))
        .catch(() => {}) // the step then fails on its own: the attempt was not lost
        .then(() => void (relay.destroyed || relay.write(unit)));
      behind = turn;
      void turn.then(() => void (behind === turn && (behind = undefined)));
    };
    client.on("data", (chunk: Buffer) => {
      // Whole units (the upgrade, then frames): which subscriptions are fetches is noted on the way, and an EVENT can be refused.
      for (const unit of asked.push(chunk)) {
        const refused = this.refusing ? eventIdOf(unit) : undefined;
        if (refused === undefined) pass(unit, this.rival ? eventOf(unit) : undefined);
        else if (this.refusing !== "silently") toClient.reply(textFrame(JSON.stringify(["OK", refused, false, "blocked: the link refuses events"])));
      }
    });
    relay.on("data", (chunk: Buffer) => toClient.push(chunk));
  }
}

/** WebSocket frames out of a byte stream, after the HTTP upgrade (a client's are masked). */
class Frames {
  private pending = Buffer.alloc(0);
  private upgraded = false;
  /** Subscriptions whose REQ asks for stored events (a filter without `limit: 0`): fetches, which may also stay open as the live one. */
  readonly fetches = new Set<string>();

  constructor(private readonly fromClient: boolean) {}

  /** The whole units (the upgrade's head, then frames) `chunk` completes. */
  push(chunk: Buffer): Buffer[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const units: Buffer[] = [];
    if (!this.upgraded) {
      const end = this.pending.indexOf("\r\n\r\n");
      if (end < 0) return units;
      units.push(this.pending.subarray(0, end + 4));
      this.pending = this.pending.subarray(end + 4);
      this.upgraded = true;
    }
    for (let frame = this.frame(); frame; frame = this.frame()) {
      units.push(frame);
      if (this.fromClient) this.noteReq(textOf(frame));
    }
    return units;
  }

  private noteReq(text: string | undefined): void {
    if (!text?.startsWith('["REQ"')) return;
    const [, id, ...filters] = JSON.parse(text) as [string, string, ...Array<{ limit?: number }>];
    if (filters.some((f) => f.limit !== 0)) this.fetches.add(id);
  }

  private frame(): Buffer | undefined {
    const p = this.pending;
    if (p.length < 2) return undefined;
    const { header, length } = frameHeader(p);
    if (p.length < header + length) return undefined;
    this.pending = p.subarray(header + length);
    return p.subarray(0, header + length);
  }
}

function frameHeader(p: Buffer): { header: number; length: number; mask?: Buffer } {
  const short = p[1]! & 0x7f;
  const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0;
  const masked = (p[1]! & 0x80) !== 0;
  const header = 2 + lengthBytes + (masked ? 4 : 0);
  if (p.length < header) return { header, length: Infinity };
  const length = short === 126 ? p.readUInt16BE(2) : short === 127 ? Number(p.readBigUInt64BE(2)) : short;
  return { header, length, ...(masked ? { mask: p.subarray(header - 4, header) } : {}) };
}

/** The text of an unfragmented text frame (unmasked), or undefined. */
function textOf(frame: Buffer): string | undefined {
  if (frame[0] !== 0x81) return undefined;
  const { header, length, mask } = frameHeader(frame);
  const payload = Buffer.from(frame.subarray(header, header + length));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return payload.toString();
}

/** What a client's EVENT frame carries (the parts the link looks at). */
export interface SentEvent {
  id: string;
  kind: number;
  created_at: number;
}

/** The event of a client's EVENT frame, if `unit` is one. */
function eventOf(unit: Buffer): SentEvent | undefined {
  const text = textOf(unit);
  return text?.startsWith('["EVENT"') ? (JSON.parse(text) as [string, SentEvent])[1] : undefined;
}

/** The id of a client's EVENT frame, if `unit` is one. */
const eventIdOf = (unit: Buffer) => eventOf(unit)?.id;

/** A server's (unmasked) text frame. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.from([0x81, 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0x81, 127]), bigLength(n)]);
  return Buffer.concat([header, payload]);
}

function bigLength(n: number): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(n));
  return length;
}

/**
 * What the relay sends one client, passed on, or kept while the link holds it: everything (in
 * order), or the EOSE of each fetch (its events pass; live subscriptions are left alone).
 */
class RelayStream {
  private readonly frames = new Frames(false);
  private readonly kept: Buffer[] = [];

  constructor(
    private readonly client: Socket,
    private readonly link: RelayLink,
    private readonly fetches: ReadonlySet<string>,
  ) {}

  push(chunk: Buffer): void {
    for (const unit of this.frames.push(chunk)) this.send(unit);
  }

  keepsEose(): boolean {
    return this.kept.some((unit) => this.fetchEose(unit));
  }

  flush(): void {
    for (const bytes of this.kept.splice(0)) if (!this.client.destroyed) this.client.write(bytes);
  }

  /** A frame of the link's own, in turn with what the relay sends (held with it while the link holds all). */
  reply(frame: Buffer): void {
    this.send(frame);
  }

  private fetchEose(unit: Buffer): boolean {
    const text = textOf(unit);
    return !!text?.startsWith('["EOSE"') && this.fetches.has((JSON.parse(text) as string[])[1]!);
  }

  private send(unit: Buffer): void {
    const holding = this.link.holds();
    const eose = holding === "eose" && this.fetchEose(unit);
    if (holding === "all" || eose) {
      this.kept.push(unit);
      if (eose) this.link.keptEose();
      return;
    }
    if (!this.client.destroyed) this.client.write(unit);
  }
}
