// Writer processes for the pipe's tests: separate programs that write the way Factorio does
// (open, write, close per call) or in other awkward ways. Test support only.
import { spawn } from 'node:child_process';

const PROGRAMS = {
  /** One open/append/close per line, like the game's write_file, with an optional pause between lines. */
  perLine: `const fs = require('fs'); const [path, lines, pauseMs] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    for (const l of lines) { fs.appendFileSync(path, l + '\\n'); if (pauseMs) sleep(pauseMs); }`,
  /**
   * perLine, and after each line's close a non-blocking open for writing, which fails with ENXIO
   * when no reader has the FIFO open (the game's next write would then block).
   */
  perLineProbe: `const fs = require('fs'); const [path, lines] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    for (const l of lines) { fs.appendFileSync(path, l + '\\n'); fs.closeSync(fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)); }`,
  /** One open, then raw pieces with pauses between them (a line split across writes). */
  pieces: `const fs = require('fs'); const [path, pieces, pauseMs] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const fd = fs.openSync(path, 'a');
    for (const p of pieces) { fs.writeSync(fd, Buffer.from(p, 'base64')); sleep(pauseMs); }
    fs.closeSync(fd);`,
  /** One open, then N numbered stats lines in large writes. */
  burst: `const fs = require('fs'); const [path, n] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const fd = fs.openSync(path, 'a'); let buf = '';
    for (let i = 1; i <= n; i++) {
      buf += JSON.stringify({ type: 'stats', session_id: 'burst', cycle: i, tick: i * 120,
        products_production: { 'iron-plate': i % 1000, 'copper-plate': 1.5 }, materials_consumption: { 'iron-ore': 2 } }) + '\\n';
      if (buf.length > 65536) { fs.writeSync(fd, buf); buf = ''; }
    }
    fs.writeSync(fd, buf); fs.closeSync(fd);`,
} as const;

/** Runs a writer program to completion; rejects on a non-zero exit. */
export function runWriter(kind: keyof typeof PROGRAMS, args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Arguments travel on stdin: a 5 MiB line does not fit on a command line.
    const child = spawn(process.execPath, ['-e', PROGRAMS[kind]], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stdin.end(JSON.stringify(args));
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${kind} exited ${code}: ${err}`))));
  });
}

export function statsLine(cycle: number, session = 's1'): string {
  return JSON.stringify({
    type: 'stats',
    session_id: session,
    cycle,
    tick: cycle * 120,
    products_production: { 'iron-plate': cycle },
    materials_consumption: { 'iron-ore': cycle },
  });
}
