// One log the relay reads: a file follower and a line splitter, handing over each chunk's whole
// lines together with the position just after them, so the caller can journal both in one write.
import type { FilePosition } from '../lib/tail';
import { FileTail } from '../lib/tail';
import { LineSplitter } from '../lib/lines';

export interface FollowEvents {
  /** Whole lines read since the last call; `position` is where the first unread line begins. */
  lines(lines: string[], position: FilePosition): void;
  /** A line that was cut (over the limit) or not text. */
  bad(reason: 'too_long' | 'invalid_utf8'): void;
  tail(state: 'following' | 'waiting'): void;
  error(err: Error): void;
}

export class LogFollower {
  private readonly splitter: LineSplitter;
  private readonly tail: FileTail;
  private batch: string[] = [];
  private last: FilePosition | null = null;

  constructor(
    readonly path: string,
    from: FilePosition | 'start' | 'end',
    maxLineBytes: number,
    pollMs: number | undefined,
    private readonly events: FollowEvents,
  ) {
    this.splitter = new LineSplitter(
      { line: (t) => this.batch.push(t), bad: (reason) => events.bad(reason) },
      maxLineBytes,
    );
    this.tail = new FileTail(
      path,
      { from, pollMs },
      {
        data: (chunk, position) => {
          this.splitter.push(chunk);
          // An unfinished last line is not ours yet: the position handed on is where it begins.
          this.last = position;
          this.hand({ ...position, offset: position.offset - this.splitter.pending });
        },
        opened: (position) => {
          events.tail('following');
          // Journaled at once: a log rotated away after a crash is found again only by its identity.
          this.hand(position);
        },
        missing: () => events.tail('waiting'),
        // The old file is done: its unterminated last line is a line after all.
        rotated: () => {
          this.splitter.flush();
          if (this.last) this.hand(this.last);
        },
        error: (err) => events.error(err),
      },
    );
  }

  start(): Promise<void> {
    return this.tail.start();
  }

  /** An unfinished last line stays unread: the next start reads it whole from the saved offset. */
  stop(): Promise<void> {
    return this.tail.stop();
  }

  setPaused(paused: boolean): void {
    this.tail.setPaused(paused);
  }

  private hand(position: FilePosition): void {
    const lines = this.batch;
    this.batch = [];
    this.events.lines(lines, position);
  }
}
