// Test support: history stores on real files in temporary folders, closed and removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { HistoryStore, type HistoryOptions } from './store';

/** Call at the top of a test file: returns `open(path?, options?)`, a store on `path` or on a new temporary file. */
export function useStores(prefix: string): (path?: string, more?: Partial<HistoryOptions>) => HistoryStore {
  const dirs: string[] = [];
  const stores: HistoryStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return (path, more = {}) => {
    if (!path) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      path = join(dir, 'history.db');
    }
    const s = new HistoryStore({
      path,
      flushMs: 50,
      rawHours: 10,
      minuteHours: 250,
      maxBytes: 512 * 1024 * 1024,
      ...more,
    });
    stores.push(s);
    return s;
  };
}
