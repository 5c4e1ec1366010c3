// A local server speaking Source RCON the way Factorio does: AUTH (3) answered by AUTH_RESPONSE (2)
// with the request id, or -1 for a wrong password; EXECCOMMAND (2) answered by one RESPONSE_VALUE
// (0) carrying what the command printed. What a command prints comes from a handler, so a test can
// answer like a Factorio server running our scenario (see factorio-host.fixture.ts, which runs the real
// scenario in Lua). Failure modes for tests: slow replies, dropped connections, refusing everyone.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PacketType, decodePackets, encodePacket, type Packet } from './rcon-packet';

export type CommandHandler = (command: string) => Promise<string> | string;

export interface RconServerOptions {
  password: string;
  handler: CommandHandler;
}

export class RconTestServer {
  /** Milliseconds to wait before each command reply. */
  delayMs = 0;
  /** Close the connection instead of answering the next N commands. */
  dropNext = 0;
  commands: string[] = [];
  authAttempts = 0;
  /** Request ids seen, to check clients never use 0 (Factorio sends chat and log lines with id 0). */
  readonly ids: number[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: RconServerOptions) {}

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async start(port = 0): Promise<number> {
    this.server = createServer((s) => this.serve(s));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }

  /** Drops every open connection (as a server restart would). */
  disconnectAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let authed = false;
    let pending: Buffer = Buffer.alloc(0);
    // Factorio answers commands of one connection in order.
    let chain = Promise.resolve();
    socket.on('data', (chunk) => {
      try {
        pending = decodePackets(Buffer.concat([pending, chunk]), (p) => {
          this.ids.push(p.id);
          if (p.type === PacketType.AUTH) {
            this.authAttempts++;
            authed = p.body === this.opts.password;
            socket.write(encodePacket({ id: authed ? p.id : -1, type: PacketType.AUTH_RESPONSE, body: '' }));
            return;
          }
          if (!authed) return void socket.destroy();
          chain = chain.then(() => this.answer(socket, p));
        });
      } catch {
        socket.destroy();
      }
    });
  }

  private async answer(socket: Socket, p: Packet): Promise<void> {
    this.commands.push(p.body);
    if (this.dropNext > 0) {
      this.dropNext--;
      socket.destroy();
      return;
    }
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    let out: string;
    try {
      out = await this.opts.handler(p.body);
    } catch (e) {
      out = `Cannot execute command. Error: ${(e as Error).message}`;
    }
    if (!socket.destroyed) socket.write(encodePacket({ id: p.id, type: PacketType.RESPONSE_VALUE, body: out }));
  }
}
