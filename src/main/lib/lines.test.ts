import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines';

function collect(max = 1024) {
  const lines: string[] = [];
  const bad: [string, string][] = [];
  const s = new LineSplitter({ line: (t) => lines.push(t), bad: (r, m) => bad.push([r, m]) }, max);
  return { s, lines, bad };
}

describe('LineSplitter', () => {
  it('gives the same lines whatever the chunk boundaries', () => {
    const text = Buffer.from('{"a":1}\r\n{"b":"ünïcødé ✓ 🚀"}\n\n{"c":3}\n');
    const expected = ['{"a":1}', '{"b":"ünïcødé ✓ 🚀"}', '{"c":3}'];
    for (let cut = 0; cut <= text.length; cut++) {
      for (const step of [1, 2, 3, 7]) {
        const { s, lines, bad } = collect();
        s.push(text.subarray(0, cut));
        for (let i = cut; i < text.length; i += step) s.push(text.subarray(i, i + step));
        expect(lines, `cut ${cut} step ${step}`).toEqual(expected);
        expect(bad).toEqual([]);
      }
    }
  });

  it('holds an unfinished line until its newline arrives', () => {
    const { s, lines } = collect();
    s.push(Buffer.from('{"half":'));
    expect(lines).toEqual([]);
    expect(s.pending).toBe(8);
    s.push(Buffer.from('true}\n'));
    expect(lines).toEqual(['{"half":true}']);
  });

  it('rejects an over-long line without buffering it, then resumes at the next newline', () => {
    const { s, lines, bad } = collect(1024);
    s.push(Buffer.from('ok1\n' + 'x'.repeat(700)));
    for (let i = 0; i < 100; i++) {
      s.push(Buffer.alloc(1000, 'y'));
      expect(s.pending).toBeLessThanOrEqual(1024);
    }
    s.push(Buffer.from('tail\nok2\n'));
    expect(lines).toEqual(['ok1', 'ok2']);
    expect(bad).toEqual([['too_long', 'line of 100704 bytes exceeds the 1024-byte limit']]);
  });

  it('rejects bytes that are not UTF-8, keeping the lines around them', () => {
    const { s, lines, bad } = collect();
    s.push(Buffer.concat([Buffer.from('good\n'), Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.from('\nalso good\n')]));
    expect(lines).toEqual(['good', 'also good']);
    expect(bad.map((b) => b[0])).toEqual(['invalid_utf8']);
  });

  it('applies the line limit in a chunk that also holds bytes that are not UTF-8', () => {
    const max = 1024;
    const atLimit = 'a'.repeat(max);
    const overLimit = 'b'.repeat(max + 1);
    const chunk = (bad: boolean) =>
      Buffer.concat([
        Buffer.from('good\n'),
        ...(bad ? [Buffer.from([0xff, 0xfe]), Buffer.from('\n')] : []),
        Buffer.from(`${overLimit}\n${atLimit}\nalso good\n`),
      ]);
    // The same lines with and without a bad one among them: only that line's verdict differs.
    for (const bad of [false, true]) {
      const { s, lines, bad: rejected } = collect(max);
      s.push(chunk(bad));
      expect(lines, `bad=${bad}`).toEqual(['good', atLimit, 'also good']);
      expect(rejected, `bad=${bad}`).toEqual([
        ...(bad ? [['invalid_utf8', 'line is not valid UTF-8']] : []),
        ['too_long', `line of ${max + 1} bytes exceeds the ${max}-byte limit`],
      ]);
    }
  });

  it('flush() takes an unfinished last line as it is', () => {
    const { s, lines } = collect();
    s.push(Buffer.from('{"last":1}'));
    s.flush();
    expect(lines).toEqual(['{"last":1}']);
    expect(s.pending).toBe(0);
  });
});
