// One slot's RCON connection over rcon-client (the client clusterio uses): connects on demand,
// reports why it cannot (auth failed / offline / error), measures each command's round trip,
// and forgets the connection when the server drops it so the next use reconnects.
import { Rcon } from 'rcon-client';

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

export class SlotRcon {
  private rcon: Rcon | null = null;
  private connecting: Promise<Rcon> | null = null;

  constructor(private readonly target: RconTarget) {}

  get connected(): boolean {
    return this.rcon !== null;
  }

  /** Runs one command; returns what it printed and the round trip in ms. */
  async command(text: string): Promise<{ text: string; rttMs: number }> {
    const rcon = await this.connect();
    const t0 = performance.now();
    try {
      const out = await rcon.send(text);
      return { text: out, rttMs: performance.now() - t0 };
    } catch (e) {
      this.drop();
      throw new RconError('error', `RCON command failed on ${this.where}: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const r = this.rcon;
    this.rcon = null;
    if (r?.socket && !r.socket.destroyed) r.socket.destroy();
  }

  private get where(): string {
    return `${this.target.host}:${this.target.port}`;
  }

  private drop(): void {
    const r = this.rcon;
    this.rcon = null;
    r?.socket?.destroy();
  }

  private connect(): Promise<Rcon> {
    if (this.rcon) return Promise.resolve(this.rcon);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<Rcon> {
    const rcon = new Rcon({ host: this.target.host, port: this.target.port, password: this.target.password, timeout: this.target.timeoutMs ?? 3000 });
    // Factorio uses request id 0 for chat and log lines, so ours start at 1 (rcon-client starts at 0).
    (rcon as unknown as { requestId: number }).requestId = 1;
    rcon.on('error', () => {});
    rcon.on('end', () => {
      if (this.rcon === rcon) this.rcon = null;
    });
    const timer = setTimeout(() => rcon.socket?.destroy(new Error('connect timed out')), this.target.timeoutMs ?? 3000);
    try {
      await rcon.connect();
    } catch (e) {
      rcon.socket?.destroy();
      const err = e as NodeJS.ErrnoException;
      if (err.message === 'Authentication failed') throw new RconError('auth_failed', `RCON password refused by ${this.where}`);
      if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET'].includes(err.code ?? '') || /timed out|Timeout/.test(err.message))
        throw new RconError('offline', `no RCON answer from ${this.where} (${err.code ?? err.message})`);
      throw new RconError('error', `RCON connection to ${this.where} failed: ${err.message}`);
    } finally {
      clearTimeout(timer);
    }
    this.rcon = rcon;
    return rcon;
  }
}
