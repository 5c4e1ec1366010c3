// The journal on disk: a half line left by a crash mid-append must not swallow the next line.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { RunJournal, type RunMeta } from './journal';

const meta = (runId: string): RunMeta => ({
  runId,
  displayName: 'd',
  sessionId: 's',
  levelName: null,
  startTick: 0,
  project: 'p',
  entity: '',
  createdAt: 1,
  finishedAt: null,
  exitCode: null,
});

it('a half line at the end (crash mid-append) is cut off, and the next line starts on its own', () => {
  const root = mkdtempSync(join(tmpdir(), 'cr-journal-'));
  const j = RunJournal.create(root, meta('r1'));
  j.append('{"_step":1}', 1, { _step: 1 });
  appendFileSync(join(root, 'r1', 'history.jsonl'), '{"_step":2,"half');
  const reloaded = RunJournal.load(join(root, 'r1'));
  expect(reloaded.pending).toEqual(['{"_step":1}']);
  reloaded.append('{"_step":3}', 3, { _step: 3 });
  expect(readFileSync(join(root, 'r1', 'history.jsonl'), 'utf8')).toBe('{"_step":1}\n{"_step":3}\n');
  expect(RunJournal.load(join(root, 'r1')).pending).toEqual(['{"_step":1}', '{"_step":3}']);
  expect(reloaded.writeError).toBeNull();
});
