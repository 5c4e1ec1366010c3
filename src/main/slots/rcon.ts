// One slot's RCON connection: connects on demand, reports why it cannot (auth failed / offline /
// error), measures each command's round trip, and forgets the connection when it ends so the next
// use reconnects. Our own Source RCON client rather than rcon-client: that library's packet
// splitter trusts the size field (a size of -4 loops forever, -1 or random bytes throw out of a
// stream callback and end the process) and runs inside its own connect(), so no wrapper can check
// the bytes before it sees them. The protocol is small; the framing lives in rcon-packet.ts.
import { connect, type Socket } from 'node:net';
import {
  decodePackets,
  encodePacket,
  MAX_PACKET_SIZE,
  MIN_PACKET_SIZE,
  PacketType,
  RconProtocolError,
  type Packet,
} from './rcon-packet';

export type RconFailure = 'auth_failed' | 'offline' | 'error';

export class RconError extends Error {
  constructor(
    readonly kind: RconFailure,
    message: string,
  ) {
    super(message);
    this.name = 'RconError';
  }
}

export interface RconTarget {
  host: string;
  port: number;
  password: string;
  /** Per packet (connect, auth, each command). */
  timeoutMs?: number;
}

interface Waiter {
  resolve(p: Packet): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** Waits for the AUTH_RESPONSE, skipping the empty RESPONSE_VALUE Source servers may send first. */
  auth: boolean;
}

const OFFLINE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

/** One TCP connection speaking Source RCON; every failure ends it and rejects what waits on it. */
class RconConnection {
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiting = new Map<number, Waiter>();
  /** Why the connection ended, once it has. */
  private ended: RconError | null = null;
  // Factorio uses request id 0 for chat and log lines, so ours start at 1.
  private nextId = 1;

  constructor(
    readonly socket: Socket,
    private readonly where: string,
    private readonly timeoutMs: number,
    private readonly onEnd: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      this.end(
        new RconError(
          OFFLINE_CODES.has(e.code ?? '') ? 'offline' : 'error',
          `RCON connection to ${where} failed: ${e.code ?? e.message}`,
        ),
      ),
    );
    socket.on('close', () => this.end(new RconError('offline', `RCON connection to ${where} closed`)));
  }

  get open(): boolean {
    return this.ended === null;
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    try {
      this.pending = decodePackets(this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk, (p) =>
        this.onPacket(p),
      );
    } catch (e) {
      const why = e instanceof RconProtocolError ? e.message : String(e);
      this.end(new RconError('error', `RCON peer ${this.where} broke the protocol (${why}); connection dropped`));
    }
  }

  private onPacket(p: Packet): void {
    // Id 0 carries Factorio's chat and log lines; -1 is a refused login. Other ids answer a request.
    const key = p.id === -1 && p.type === PacketType.AUTH_RESPONSE ? -1 : p.id;
    const w = this.waiting.get(key);
    if (!w) return;
    if (w.auth && p.type !== PacketType.AUTH_RESPONSE) return;
    this.waiting.delete(key);
    clearTimeout(w.timer);
    w.resolve(p);
  }

  /** Sends a packet and waits for the one answering its id. */
  request(type: number, body: string, auth = false): Promise<Packet> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    const bytes = encodePacket({ id, type, body });
    return new Promise<Packet>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.end(
          new RconError(
            auth ? 'offline' : 'error',
            `Timeout: no RCON answer from ${this.where} within ${this.timeoutMs} ms`,
          ),
        );
      }, this.timeoutMs);
      const w: Waiter = { resolve, reject, timer, auth };
      this.waiting.set(id, w);
      // A refused login answers with id -1 rather than ours.
      if (auth) this.waiting.set(-1, w);
      this.socket.write(bytes);
    }).finally(() => {
      if (auth) this.waiting.delete(-1);
    });
  }

  end(why: RconError): void {
    if (this.ended) return;
    this.ended = why;
    const waiters = new Set(this.waiting.values());
    this.waiting.clear();
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(why);
    }
    this.socket.destroy();
    this.onEnd();
  }
}

export class SlotRcon {
  private conn: RconConnection | null = null;
  private connecting: Promise<RconConnection> | null = null;

  constructor(private readonly target: RconTarget) {}

  get connected(): boolean {
    return this.conn !== null;
  }

  /** Runs one command; returns what it printed and the round trip in ms. */
  async command(text: string): Promise<{ text: string; rttMs: number }> {
    // The size limit we hold peers to applies to what we send as well.
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_PACKET_SIZE - MIN_PACKET_SIZE)
      throw new RconError(
        'error',
        `RCON command of ${bytes} bytes is too long for one packet (at most ${MAX_PACKET_SIZE - MIN_PACKET_SIZE})`,
      );
    const conn = await this.connect();
    const t0 = performance.now();
    try {
      const reply = await conn.request(PacketType.EXECCOMMAND, text);
      return { text: reply.body, rttMs: performance.now() - t0 };
    } catch (e) {
      // The connection is gone whatever happened (messages name the peer); the next use reconnects.
      const why =
        e instanceof RconError
          ? e
          : new RconError('error', `RCON command failed on ${this.where}: ${(e as Error).message}`);
      conn.end(why);
      throw new RconError('error', why.message);
    }
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    c?.end(new RconError('offline', 'closed by us'));
  }

  private get where(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  private connect(): Promise<RconConnection> {
    if (this.conn?.open) return Promise.resolve(this.conn);
    this.conn = null;
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<RconConnection> {
    const timeoutMs = this.target.timeoutMs ?? 3000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.target.host, port: this.target.port });
      const timer = setTimeout(
        () => s.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
        timeoutMs,
      );
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', onError);
        resolve(s);
      });
      const onError = (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new RconError(
            OFFLINE_CODES.has(e.code ?? '') ? 'offline' : 'error',
            `no RCON answer from ${this.where} (${e.code ?? e.message})`,
          ),
        );
      };
      s.once('error', onError);
    });
    const conn: RconConnection = new RconConnection(socket, this.where, timeoutMs, () => {
      if (this.conn === conn) this.conn = null;
    });
    const reply = await conn.request(PacketType.AUTH, this.target.password, true);
    if (reply.id === -1) {
      conn.end(new RconError('auth_failed', 'password refused'));
      throw new RconError('auth_failed', `RCON password refused by ${this.where}`);
    }
    this.conn = conn;
    return conn;
  }
}
