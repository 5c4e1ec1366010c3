// `npm test`: prepares what the tests need (the npm Chromium unpacked; missing system packages
// installed, see system-deps.mjs), then unit/integration (vitest), build, e2e (Playwright, both
// projects), an end-of-run sweep for anything the tests left running, and one closing summary line
// over both runners. Exits non-zero if anything failed or was left behind.
//
//   npm test                      everything; stops before running anything if a tool is missing and cannot be installed
//   npm test -- --skip-missing    never installs; tests whose tool is missing skip, each saying why
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { electronBinary, root } from './launch.mjs';
import { SKIP_MISSING_ENV, debianPython, ensureTools, missingTools, prepareBrowser } from './system-deps.mjs';
import { RUN_ENV, processesOfRun, sweep } from './test-sweep.mjs';

const skipMissing = process.argv.includes('--skip-missing');
const unknown = process.argv.slice(2).filter((a) => a !== '--skip-missing');
if (unknown.length) {
  console.error(`npm test: unknown argument ${unknown.join(' ')} (known: --skip-missing)`);
  process.exit(2);
}

// ---- preparation: nothing runs until what the tests need is here ----
const runId = randomUUID();
const env = { ...process.env, [RUN_ENV]: runId };
if (skipMissing) env[SKIP_MISSING_ENV] = '1';

const chromium = await prepareBrowser();
let e2eSkipReason = null;
if (!chromium.path) {
  if (!skipMissing) {
    console.error(
      `npm test stopped before running anything: no browser for the e2e tests (${chromium.reason}).\nTo run every test that needs none of it: npm test -- --skip-missing`,
    );
    process.exit(1);
  }
  e2eSkipReason = chromium.reason;
}
if (skipMissing) {
  const missing = missingTools();
  if (missing.length)
    console.log(`::: --skip-missing: tests that need ${missing.map((t) => t.id).join(', ')} will skip`);
} else {
  const problem = await ensureTools();
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}

// ---- the runners ----
const reports = join(root, 'reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
let interrupted = null;
let current = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted = sig;
    // Ctrl+C reaches the runner from the terminal already; a SIGTERM sent to us alone is passed on.
    if (sig === 'SIGTERM') current?.kill('SIGTERM');
  });
}

const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
function step(name, args, { display = false, program = process.execPath } = {}) {
  if (interrupted) return Promise.resolve(1);
  console.log(`\n=== ${name}`);
  let cmd = program;
  // The electron project needs a display; give it a virtual one when there is none.
  if (
    display &&
    process.platform === 'linux' &&
    !process.env.DISPLAY &&
    electronBinary() &&
    existsSync('/usr/bin/xvfb-run')
  ) {
    args = ['-a', cmd, ...args];
    cmd = 'xvfb-run';
  }
  return new Promise((resolve) => {
    current = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
    current.on('error', (e) => {
      console.error(`${name}: ${e.message}`);
      resolve(1);
    });
    current.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const unit = await step('unit and integration tests (vitest)', [
  bin('vitest', 'vitest.mjs'),
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${join(reports, 'vitest.json')}`,
]);
// The Python client (python/) against a real engine its conftest starts and stops; NODE runs it.
const pytestReport = join(reports, 'pytest.xml');
const python = debianPython();
const pyMissing = missingTools().filter((t) => t.id.startsWith('python3-'));
env.NODE = process.execPath;
let py = 1;
if (!python) console.log('\n=== Python client tests (pytest): no python3 found');
else if (skipMissing && pyMissing.length) {
  console.log(
    `\n=== Python client tests (pytest): skipped: ${pyMissing.map((t) => t.apt).join(', ')} missing (--skip-missing)`,
  );
  py = 0;
} else
  py = await step(
    'Python client tests (pytest)',
    ['-m', 'pytest', 'python/tests', '-q', '-p', 'no:cacheprovider', `--junitxml=${pytestReport}`],
    { program: python },
  );
const build = await step('build (electron-vite)', [bin('electron-vite', 'bin/electron-vite.js'), 'build']);
let e2e = 1;
if (build === 0 && e2eSkipReason) {
  console.log(`\n=== end-to-end tests (Playwright): skipped: ${e2eSkipReason}`);
  e2e = 0;
} else if (build === 0) {
  e2e = await step('end-to-end tests (Playwright)', [bin('@playwright/test', 'cli.js'), 'test'], { display: true });
}

// ---- what the tests left behind ----
// Give processes that are on their way out a moment to finish on their own; what remains was left.
for (let i = 0; i < 50 && processesOfRun(runId).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
const leftover = await sweep(runId);
if (leftover.length) {
  console.log(`\n${leftover.length} process(es) started by the tests were still running after the run (ended now):`);
  for (const p of leftover.slice(0, 20)) console.log(`  ${p.pid} ${p.cmd.slice(0, 200)}`);
}

// ---- summary ----
let passed = 0;
let failed = 0;
const skippedTitles = { electron: 0, other: [] };
const vitestFile = join(reports, 'vitest.json');
if (existsSync(vitestFile)) {
  const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  for (const file of v.testResults ?? []) {
    for (const t of file.assertionResults ?? [])
      if (['pending', 'skipped', 'todo'].includes(t.status))
        skippedTitles.other.push(`${t.fullName ?? t.title} (vitest)`);
  }
}
const e2eFile = join(reports, 'e2e.json');
if (existsSync(e2eFile)) {
  const report = JSON.parse(readFileSync(e2eFile, 'utf8'));
  passed += report.stats.expected + report.stats.flaky;
  failed += report.stats.unexpected;
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'skipped') continue;
        if (t.projectName === 'electron') skippedTitles.electron++;
        else {
          // The reason given to test.skip() travels as the test's `skip` annotation.
          const why = (t.annotations ?? []).find((a) => a.type === 'skip')?.description;
          skippedTitles.other.push(
            `${[...path, spec.title].join(' › ')} (${t.projectName})${why ? ` [skipped: ${why}]` : ''}`,
          );
        }
      }
    }
    for (const s of suite.suites ?? []) walk(s, [...path, s.title]);
  };
  for (const s of report.suites ?? []) walk(s, [s.title]);
}
// pytest's JUnit report: its own summary line, and its counts in the totals.
const pyCounts = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(pytestReport)) {
  const xml = readFileSync(pytestReport, 'utf8');
  const attr = (name) => Number(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
  pyCounts.failed = attr('failures') + attr('errors');
  pyCounts.skipped = attr('skipped');
  pyCounts.passed = attr('tests') - pyCounts.failed - pyCounts.skipped;
  passed += pyCounts.passed;
  failed += pyCounts.failed;
  for (const m of xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>\s*<skipped(?: [^>]*message="([^"]*)")?/g))
    skippedTitles.other.push(`${m[1]} (pytest)${m[2] ? ` [skipped: ${m[2]}]` : ''}`);
}
const skipped = skippedTitles.electron + skippedTitles.other.length;
if (py !== 0 || unit !== 0 || build !== 0 || e2e !== 0 || leftover.length || interrupted) failed = Math.max(failed, 1);
console.log('');
if (skippedTitles.electron)
  console.log(`skipped: ${skippedTitles.electron} in the electron project (no Electron binary here; each printed why)`);
if (skippedTitles.other.length) {
  console.log(`skipped elsewhere: ${skippedTitles.other.length}${skipMissing ? ' (--skip-missing)' : ''}`);
  for (const t of skippedTitles.other.slice(0, 15)) console.log(`  - ${t}`);
}
if (!skipMissing) console.log('skipped for a missing tool: 0 (every tool the tests need was present)');
if (interrupted) console.log(`interrupted (${interrupted})`);
console.log(`python (pytest): ${pyCounts.passed} passed, ${pyCounts.failed} failed, ${pyCounts.skipped} skipped`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
