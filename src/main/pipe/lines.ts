// Splits a byte stream into lines: across chunk boundaries, CRLF, multi-byte UTF-8 split between
// reads (lines are decoded only when whole). A line longer than `maxLineBytes` is never buffered
// whole: its bytes are dropped as they come and it is reported once, at its newline.

export type LineSink = {
  line(text: string): void;
  /** A line that could not become text: over the limit, or not valid UTF-8. */
  bad(reason: 'too_long' | 'invalid_utf8', message: string, preview: string): void;
};

const NL = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Bytes of the current over-long line dropped so far; -1 when not skipping. */
  private skipped = -1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes: number,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NL, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.skipped >= 0) {
        this.skipped += end - start;
      } else if (this.partBytes + (end - start) > this.maxLineBytes) {
        this.skipped = this.partBytes + (end - start);
        this.parts = [];
        this.partBytes = 0;
      } else if (nl === -1) {
        this.parts.push(chunk.subarray(start));
        this.partBytes += chunk.length - start;
      } else {
        this.emit(this.partBytes === 0 ? chunk.subarray(start, end) : Buffer.concat([...this.parts, chunk.subarray(start, end)]));
        this.parts = [];
        this.partBytes = 0;
      }
      if (nl === -1) return;
      if (this.skipped >= 0) {
        this.sink.bad('too_long', `line of ${this.skipped} bytes exceeds the ${this.maxLineBytes}-byte limit`, `(${this.skipped} bytes)`);
        this.skipped = -1;
      }
      start = nl + 1;
    }
  }

  /** The source ended or was replaced: an unfinished last line is taken as it is. */
  flush(): void {
    if (this.skipped >= 0) {
      this.sink.bad('too_long', `line of ${this.skipped} bytes exceeds the ${this.maxLineBytes}-byte limit`, `(${this.skipped} bytes)`);
    } else if (this.partBytes > 0) {
      this.emit(Buffer.concat(this.parts));
    }
    this.parts = [];
    this.partBytes = 0;
    this.skipped = -1;
  }

  /** Bytes of an unfinished line held now (for tests and status). */
  get pending(): number {
    return this.partBytes;
  }

  private emit(bytes: Buffer): void {
    let n = bytes.length;
    if (n > 0 && bytes[n - 1] === CR) n--;
    if (n === 0) return;
    let text: string;
    try {
      text = this.decoder.decode(bytes.subarray(0, n));
    } catch {
      this.sink.bad('invalid_utf8', 'line is not valid UTF-8', bytes.subarray(0, Math.min(n, 60)).toString('hex'));
      return;
    }
    if (text.trim() === '') return;
    this.sink.line(text);
  }
}
