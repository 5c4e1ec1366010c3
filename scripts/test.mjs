// `npm test`: unit/integration (vitest), build, then e2e (Playwright, both projects), and one
// closing summary line over both runners. Exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { electronBinary, root } from './launch.mjs';

const reports = join(root, 'reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const step = (name, args, { display = false } = {}) => {
  console.log(`\n=== ${name}`);
  let cmd = process.execPath;
  // The electron project needs a display; give it a virtual one when there is none.
  if (display && process.platform === 'linux' && !process.env.DISPLAY && electronBinary() && spawnSync('which', ['xvfb-run']).status === 0) {
    args = ['-a', cmd, ...args];
    cmd = 'xvfb-run';
  }
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
};

const unit = step('unit and integration tests (vitest)', [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest.json')}`]);
const build = step('build (electron-vite)', [bin('electron-vite', 'bin/electron-vite.js'), 'build']);
const e2e = build === 0 ? step('end-to-end tests (Playwright)', [bin('@playwright/test', 'cli.js'), 'test'], { display: true }) : 1;

let passed = 0;
let failed = 0;
let skipped = 0;
const vitestFile = join(reports, 'vitest.json');
if (existsSync(vitestFile)) {
  const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
}
const e2eFile = join(reports, 'e2e.json');
if (existsSync(e2eFile)) {
  const s = JSON.parse(readFileSync(e2eFile, 'utf8')).stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
}
if (unit !== 0 || build !== 0 || e2e !== 0) failed = Math.max(failed, 1);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(unit || build || e2e ? 1 : 0);
