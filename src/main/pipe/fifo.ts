// Reads a FIFO through libuv's event loop (a net.Socket on the fd: epoll/kqueue, never the thread
// pool). Factorio opens, writes and closes the FIFO on every call; a reader that then sees EOF must
// neither spin nor leave a moment with no reader (a writer's open would block the game).
//
// Linux: on EOF we open a fresh read end *before* closing the old one, so there is always a reader
// and the pipe buffer never goes away; a fresh read end reports no hang-up until a new writer has
// come and gone, so nothing spins. Each EOF is counted as a hang-up: the moment every writer was
// gone. That is not a count of writer sessions, and nothing on the read side can give one: writers
// that open while another is still open, or before we read the end of file, share one hang-up.
// Elsewhere (macOS): a fresh read end would report EOF at once, so we hold a write end open
// ourselves instead; writers then never cause EOF, and their sessions cannot be counted.
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';

export interface FifoEvents {
  data(chunk: Buffer): void;
  error(err: Error): void;
}

export class FifoReader {
  private socket: Socket | null = null;
  private heldWriteFd: number | null = null;
  private stopped = false;
  /** End-of-file events seen (every writer had closed); null where not observable. */
  writerHangups: number | null;
  private readonly reopenOnEof = process.platform === 'linux';

  constructor(
    private readonly path: string,
    private readonly events: FifoEvents,
  ) {
    this.writerHangups = this.reopenOnEof ? 0 : null;
  }

  start(): void {
    this.stopped = false;
    this.socket = this.openReader();
    if (!this.reopenOnEof) this.heldWriteFd = openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK);
  }

  private openReader(): Socket {
    const fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    const socket = new Socket({ fd, readable: true, writable: false, allowHalfOpen: true });
    socket.on('data', (chunk: Buffer) => this.events.data(chunk));
    socket.on('end', () => {
      if (this.stopped || socket !== this.socket) return;
      if (this.writerHangups !== null) this.writerHangups++;
      try {
        this.socket = this.openReader();
      } catch (e) {
        this.socket = null;
        this.events.error(e as Error);
      }
      socket.destroy();
    });
    socket.on('error', (e) => {
      if (!this.stopped) this.events.error(e);
    });
    return socket;
  }

  stop(): void {
    this.stopped = true;
    this.socket?.destroy();
    this.socket = null;
    if (this.heldWriteFd !== null) closeSync(this.heldWriteFd);
    this.heldWriteFd = null;
  }
}
