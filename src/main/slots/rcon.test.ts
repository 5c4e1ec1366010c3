// Our RCON client against a real TCP peer that breaks the protocol: sizes of -1, -4, 0, random
// bytes and a huge size, at login and in a command's reply. The connection must be dropped with
// a clear error, the process must keep running (and not spin), and the next use reconnects.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../shared/config';
import { silentLogger } from '../log';
import { SecretStore } from '../secrets';
import { slotOps } from './ops-impl';
import { decodePackets, encodePacket, PacketType } from './rcon-packet';
import { RconError, SlotRcon } from './rcon';
import { SlotsService } from './service';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';

const sized = (size: number, rest: Buffer = Buffer.alloc(8)) => {
  const head = Buffer.alloc(4);
  head.writeInt32LE(size, 0);
  return Buffer.concat([head, rest]);
};
// Fixed noise (not a legal packet: its first four bytes read as a negative size).
const NOISE = Buffer.from('c7e19a8d3f00b2a41c5e77d09be3f6215aa0cd33e8710f4b96d2583ce107af6b', 'hex');

const GARBAGE = {
  'size -1': sized(-1),
  'size -4': sized(-4),
  'size 0': sized(0),
  'random bytes': NOISE,
  'a huge size': sized(0x7fffffff, Buffer.alloc(1 << 16, 0x41)),
  'a size just over 4096 + 10': sized(4107, Buffer.alloc(4107)),
} as const;
type GarbageKind = keyof typeof GARBAGE;

/** A peer that logs anyone in, then answers commands with `garbage` (or properly while it is null). */
class HostilePeer {
  garbage: Buffer | null = null;
  garbageAtLogin: Buffer | null = null;
  reply = 'ok';
  connections = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<number> {
    this.server = createServer((s) => this.serve(s));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  private serve(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = decodePackets(Buffer.concat([pending, chunk]), (p) => {
        if (p.type === PacketType.AUTH) {
          socket.write(this.garbageAtLogin ?? encodePacket({ id: p.id, type: PacketType.AUTH_RESPONSE, body: '' }));
        } else {
          socket.write(this.garbage ?? encodePacket({ id: p.id, type: PacketType.RESPONSE_VALUE, body: this.reply }));
        }
      });
    });
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function peer() {
  const p = new HostilePeer();
  const port = await p.start();
  cleanup.push(() => p.stop());
  return { p, port };
}

/** Resolves once the event loop has turned: a client stuck in a loop over a bad size never gets here. */
const loopTurns = () => new Promise((r) => setImmediate(r));

describe('SlotRcon against a peer that breaks the protocol', () => {
  it.each(Object.keys(GARBAGE) as GarbageKind[])(
    'a command answered with %s drops the connection with a clear error; the next command reconnects',
    async (kind) => {
      const { p, port } = await peer();
      const rcon = new SlotRcon({ host: '127.0.0.1', port, password: 'pw', timeoutMs: 2000 });
      cleanup.push(() => rcon.close());
      expect((await rcon.command('/sc rcon.print(1)')).text).toBe('ok');
      p.garbage = GARBAGE[kind];
      const failed = await rcon.command('/sc rcon.print(2)').catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(RconError);
      expect((failed as RconError).kind).toBe('error');
      expect((failed as RconError).message).toMatch(
        /^RCON peer 127\.0\.0\.1:\d+ broke the protocol \(packet size -?\d+ is outside 10\.\.4106\); connection dropped$/,
      );
      expect(rcon.connected).toBe(false);
      await loopTurns();
      p.garbage = null;
      p.reply = 'back';
      expect((await rcon.command('/sc rcon.print(3)')).text).toBe('back');
      expect(p.connections).toBe(2);
    },
  );

  it.each(['size -1', 'size -4', 'random bytes', 'a huge size'] as GarbageKind[])(
    'a login answered with %s is an error, not a crash or a hang',
    async (kind) => {
      const { p, port } = await peer();
      p.garbageAtLogin = GARBAGE[kind];
      const rcon = new SlotRcon({ host: '127.0.0.1', port, password: 'pw', timeoutMs: 2000 });
      cleanup.push(() => rcon.close());
      const failed = await rcon.command('/sc rcon.print(1)').catch((e: unknown) => e);
      expect(failed).toMatchObject({
        kind: 'error',
        message: expect.stringMatching(/broke the protocol \(packet size -?\d+ is outside/),
      });
      p.garbageAtLogin = null;
      expect((await rcon.command('/sc rcon.print(1)')).text).toBe('ok');
    },
  );
});

describe('slot monitor polling a peer that breaks the protocol', () => {
  it('shows the error on the slot, keeps answering its status, and recovers when the peer does', async () => {
    const { p, port } = await peer();
    p.garbage = GARBAGE['size -4'];
    const config = ConfigSchema.parse({ slots: [{ id: 'h', rconPort: port, rconPassword: 'pw', pollSeconds: 1 }] });
    const secrets = new SecretStore({}, tmpdir());
    const svc = new SlotsService({
      slots: config.slots,
      joinTest: config.joinTest,
      dataDir: mkdtempSync(join(tmpdir(), 'cr-slots-')),
      scenarioDir: resolve(import.meta.dirname, '../../../scenario/open_world'),
      secret: (ref, path) => secrets.resolve(ref, path),
      ops: slotOps(secrets, silentLogger()),
      logger: silentLogger(),
      statusChanged() {},
      push() {},
      rconTimeoutMs: 1000,
      maxBackoffMs: 2000,
    });
    cleanup.push(() => svc.stop());
    await svc.start();
    const slot = () => svc.snapshot().slots[0];
    await vi.waitFor(() => expect(slot().state).toBe('error'), { timeout: 20_000, interval: 25 });
    expect(slot().message).toMatch(/broke the protocol \(packet size -4 is outside 10\.\.4106\); connection dropped/);
    expect(svc.status().state).toBeDefined();
    // Polled again (backoff, not a busy loop): each poll is a fresh connection that is dropped again.
    await vi.waitFor(() => expect(p.connections).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 25 });
    p.garbage = null;
    p.reply = JSON.stringify({
      tick: 9,
      players: {},
      info: JSON.stringify({ version: 'v', save_runtime_version: 'v', queue_length: 0 }),
    });
    await vi.waitFor(() => expect(slot()).toMatchObject({ state: 'reachable', tick: 9 }), {
      timeout: 20_000,
      interval: 25,
    });
  });
});
