// Scenario folders on disk for the deploy tests: temp folders, a sample source tree, snapshots and hashes.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const temps: string[] = [];

/** Removes every folder `tempDir` made; each test file runs it after each test. */
export function removeTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cr-deploy-'));
  temps.push(d);
  return d;
}

/** Writes `{relPath: content}` under a new folder. */
export function tree(files: Record<string, string>, root = tempDir()): string {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

/** Every file under `root` with its content, relative `/` paths. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile())
      out[relative(root, join(e.parentPath, e.name)).split('\\').join('/')] = readFileSync(
        join(e.parentPath, e.name),
        'utf8',
      );
  }
  return out;
}

export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export const SOURCE = {
  'control.lua': 'script.on_init(function() end)\n',
  'version.lua': 'return "1.2.3"\n',
  'description.json': '{"order":"a"}\n',
  'lib/json.lua': 'return {}\n',
  'lib/deep/util.lua': '-- util\n',
};
