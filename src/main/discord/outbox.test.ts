// The outbox on real files: replay after restart, a torn last line, compaction.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox';

const file = () => join(mkdtempSync(join(tmpdir(), 'cr-outbox-')), 'outbox.jsonl');

describe('Outbox', () => {
  it('what was not acknowledged is pending again after a restart, in order', () => {
    const f = file();
    const a = new Outbox(f);
    for (let i = 1; i <= 5; i++) a.append('chat', `m${i}`);
    a.ack(2);
    a.close();
    const b = new Outbox(f);
    expect(b.pending.map((e) => e.text)).toEqual(['m3', 'm4', 'm5']);
    // Ids keep growing across restarts, so acks stay unambiguous.
    expect(b.append('chat', 'm6').id).toBe(6);
    b.close();
  });

  it('a record torn by a crash is dropped, and the next append starts on its own line', () => {
    const f = file();
    const a = new Outbox(f);
    a.append('chat', 'whole');
    a.close();
    appendFileSync(f, '{"id":2,"type":"chat","te');
    const b = new Outbox(f);
    expect(b.pending.map((e) => e.text)).toEqual(['whole']);
    b.append('chat', 'after');
    b.close();
    expect(new Outbox(f).pending.map((e) => e.text)).toEqual(['whole', 'after']);
  });

  it('refused events are acknowledged with their reason so they do not block the queue', () => {
    const f = file();
    const a = new Outbox(f);
    a.append('chat', 'bad');
    a.append('chat', 'good');
    expect(a.ack(1, [1], 'Discord refused the message (400)').map((e) => e.text)).toEqual(['bad']);
    a.close();
    expect(readFileSync(f, 'utf8')).toContain('"failed":[1],"error":"Discord refused the message (400)"');
    expect(new Outbox(f).pending.map((e) => e.text)).toEqual(['good']);
  });

  it('compacts acknowledged events away without losing pending ones or the id counter', () => {
    const f = file();
    const a = new Outbox(f);
    for (let i = 1; i <= 6000; i++) a.append('chat', `m${i}`);
    a.ack(5999);
    a.close();
    expect(readFileSync(f, 'utf8').split('\n').filter(Boolean).length).toBeLessThan(10);
    const b = new Outbox(f);
    expect(b.pending.map((e) => e.text)).toEqual(['m6000']);
    b.ack(1);
    expect(b.append('chat', 'next').id).toBe(6001);
    b.close();
    const c = new Outbox(f);
    expect(c.pending.map((e) => [e.id, e.text])).toEqual([[6001, 'next']]);
    c.close();
  });
});

describe('Outbox read positions', () => {
  it('a position is journaled with the events read up to it, and survives restart and compaction', () => {
    const f = file();
    const a = new Outbox(f);
    const pos = { inode: 7, offset: 120, head: { bytes: 120, sha256: 'ab' } };
    a.appendRead(
      [
        { type: 'chat', text: 'm1', at: 1 },
        { type: 'chat', text: 'm2', at: 2 },
      ],
      { log: '/srv/console.log', pos },
    );
    a.close();
    const b = new Outbox(f);
    expect(b.position('/srv/console.log')).toEqual(pos);
    expect(b.pending.map((e) => e.text)).toEqual(['m1', 'm2']);
    b.ack(2);
    b.close();
    // Reopening compacts (everything acknowledged): the position must still be there.
    const c = new Outbox(f);
    expect(c.pending).toEqual([]);
    expect(c.position('/srv/console.log')).toEqual(pos);
    expect(readFileSync(f, 'utf8')).not.toContain('m1');
    c.close();
  });
});
