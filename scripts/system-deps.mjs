// What the test suite needs beyond node_modules: one list, used by `npm test`'s preparation (which
// installs what is missing) and by the tests themselves (which name what is missing when it is).
//
// The browser comes from the npm registry: @sparticuz/chromium ships a Chromium headless shell as
// brotli files inside the package, with the few libraries it links (NSS, NSPR, expat) beside it, so
// no install script and no download is needed, and it needs nothing from the system but glibc. It is
// unpacked once into node_modules/.cache. Everything else has no equally real npm package: the Lua
// tests need the Lua 5.2 the game embeds, busted and luacheck; SSH deploys are tested against
// OpenSSH's own sshd; the gRPC drift check runs protoc. Those come from the system's packages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { electronBinary } from './launch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Set by `npm test -- --skip-missing`: tests whose tool is missing skip (with the reason) instead of failing. */
export const SKIP_MISSING_ENV = 'CONTROL_ROOM_TESTS_SKIP_MISSING';

function onPath(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** Debian's Python (where python3-grpcio and friends install), else whatever python3 is on PATH. */
export function debianPython() {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : onPath('python3');
}

function pythonHas(module) {
  const py = debianPython();
  return py && spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0 ? `${py} (${module})` : null;
}

/**
 * The system tools, each with the packages that provide it. `apt` is Debian's and Ubuntu's name,
 * `brew` Homebrew's (not tried here: macOS has no Lua 5.2 package, so its line is a best effort).
 */
export const TOOLS = [
  {
    id: 'lua5.2',
    what: 'Lua 5.2 (the scenario tests, the stand-in Factorio server)',
    find: () => onPath('lua5.2'),
    apt: 'lua5.2',
    brew: 'lua@5.2 (not in Homebrew core: build Lua 5.2 from lua.org)',
  },
  {
    id: 'busted',
    what: 'busted (Lua test runner)',
    find: () => onPath('busted'),
    apt: 'lua-busted',
    brew: 'luarocks && luarocks --lua-version 5.2 install busted',
  },
  {
    id: 'luacheck',
    what: 'luacheck (Lua linter)',
    find: () => onPath('luacheck'),
    apt: 'lua-check',
    brew: 'luarocks && luarocks --lua-version 5.2 install luacheck',
  },
  {
    id: 'sshd',
    what: 'OpenSSH server (SSH deploy and restart tests, on 127.0.0.1)',
    find: () => (existsSync('/usr/sbin/sshd') ? '/usr/sbin/sshd' : null),
    apt: 'openssh-server',
    brew: '(macOS ships /usr/sbin/sshd)',
  },
  {
    id: 'protoc',
    what: 'protoc (checks the committed gRPC code against engine.proto)',
    find: () => onPath('protoc'),
    apt: 'protobuf-compiler',
    brew: 'protobuf',
  },
  // The Python client's tests (python/) run on Debian's Python and its packages.
  {
    id: 'python3-grpcio',
    what: 'grpcio for Python 3 (the Python client tests)',
    find: () => pythonHas('grpc'),
    apt: 'python3-grpcio',
    brew: 'grpcio (pip)',
  },
  {
    id: 'python3-protobuf',
    what: 'protobuf for Python 3 (the Python client tests)',
    find: () => pythonHas('google.protobuf'),
    apt: 'python3-protobuf',
    brew: 'protobuf (pip)',
  },
  {
    id: 'python3-numpy',
    what: 'numpy for Python 3 (the Python client tests)',
    find: () => pythonHas('numpy'),
    apt: 'python3-numpy',
    brew: 'numpy (pip)',
  },
  {
    id: 'python3-pytest',
    what: 'pytest for Python 3 (runs the Python client tests)',
    find: () => pythonHas('pytest'),
    apt: 'python3-pytest',
    brew: 'pytest (pip)',
  },
  {
    id: 'grpc_python_plugin',
    what: 'grpc_python_plugin (checks the committed Python stubs against engine.proto)',
    find: () =>
      onPath('grpc_python_plugin') ??
      (existsSync('/usr/bin/grpc_python_plugin') ? '/usr/bin/grpc_python_plugin' : null),
    apt: 'protobuf-compiler-grpc',
    brew: 'grpc',
  },
  // Only where the electron e2e project can run (its binary is here) and there is no display.
  {
    id: 'xvfb-run',
    what: 'Xvfb (a display for the electron e2e project)',
    find: () => onPath('xvfb-run'),
    apt: 'xvfb',
    brew: '(not needed: macOS has a display)',
    needed: () => process.platform === 'linux' && !process.env.DISPLAY && electronBinary() !== null,
  },
];

/** Tools from TOOLS that this machine needs and cannot find. */
export function missingTools(tools = TOOLS) {
  return tools.filter((t) => (t.needed?.() ?? true) && !t.find());
}

/**
 * A test's title that says why it is skipped when it is: vitest's skipIf prints only the title,
 * so the reason goes into it (and from there into npm test's summary of what was skipped).
 */
/** Reasons a platform cannot run a test, or null where it can. */
export const notLinux = process.platform === 'linux' ? null : 'needs Linux';
export const noFifo = process.platform === 'win32' ? 'named pipes (FIFOs) need Linux or macOS' : null;

export function skipTitle(title, reason) {
  return reason ? `${title} [skipped: ${reason}]` : title;
}

/**
 * For a test file: null when `id` is present. When it is missing: the reason, to skip with, if the
 * run asked for `--skip-missing`; otherwise an Error is thrown at collection, so the file fails and
 * says what to install (the preparation of `npm test` installs it; running vitest by hand may not).
 */
export function toolSkipReason(id) {
  const tool = TOOLS.find((t) => t.id === id);
  if (!tool) throw new Error(`unknown tool ${id}`);
  if (tool.find()) return null;
  const reason = `${tool.what} is missing: install the package ${tool.apt} (npm test does this itself)`;
  if (process.env[SKIP_MISSING_ENV]) {
    console.log(`[skipped for a missing tool] ${reason}`);
    return reason;
  }
  throw new Error(`${reason}; or run with --skip-missing to skip these tests`);
}

// ---- the browser ----

/** Where the npm Chromium is unpacked; versioned, so an upgrade unpacks afresh. */
function browserPackage() {
  try {
    const dir = join(root, 'node_modules/@sparticuz/chromium');
    return { dir, version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version };
  } catch {
    return null;
  }
}

function browserDir() {
  const pkg = browserPackage();
  return pkg ? join(root, 'node_modules/.cache/control-room', `chromium-${pkg.version}`) : null;
}

/**
 * The Chromium the e2e tests drive: `CHROMIUM_PATH` when set, else the npm package's, once
 * unpacked by `prepareBrowser`. `env` holds what its process needs (its own libraries).
 */
export function browser() {
  if (process.env.CHROMIUM_PATH) return { path: process.env.CHROMIUM_PATH, env: {} };
  const dir = browserDir();
  if (!dir || !existsSync(join(dir, 'chromium')))
    return {
      path: null,
      env: {},
      reason: 'the npm Chromium is not unpacked yet (npm test does it; or set CHROMIUM_PATH)',
    };
  const lib = join(dir, 'al2023', 'lib');
  return {
    path: join(dir, 'chromium'),
    env: {
      LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: process.env.FONTCONFIG_PATH ?? join(dir, 'fonts'),
    },
  };
}

/** Unpacks the npm Chromium (once per version; a few seconds). Returns `browser()`. */
export async function prepareBrowser() {
  if (process.env.CHROMIUM_PATH) return browser();
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    return {
      path: null,
      env: {},
      reason: `the npm Chromium is built for Linux (x64, arm64), not ${process.platform}-${process.arch}: set CHROMIUM_PATH to a Chromium or Chrome`,
    };
  }
  const dir = browserDir();
  if (!dir) return { path: null, env: {}, reason: '@sparticuz/chromium is not installed (run npm install)' };
  if (existsSync(join(dir, 'chromium'))) return browser();
  // The package's own unpacker writes to os.tmpdir(); point that at a fresh folder, then move it
  // into place whole, so an interrupted unpack is never mistaken for a finished one.
  const part = `${dir}.part-${process.pid}`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  const bin = join(browserPackage().dir, 'bin');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = part;
  try {
    // Its unpacker by file (the package pins it: see package.json), not through its Lambda-minded API.
    const { inflate } = await import(pathToFileURL(join(browserPackage().dir, 'build/esm/lambdafs.js')).href);
    for (const f of ['chromium.br', 'al2023.tar.br', 'fonts.tar.br']) await inflate(join(bin, f));
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  // The package's fonts.conf names AWS Lambda's folders: ours names the system's fonts and its own.
  writeFileSync(
    join(part, 'fonts', 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>/usr/share/fonts</dir>\n  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(part, dir);
  // The tar unpacker may touch its output folder once more after it reports finishing.
  rmSync(part, { recursive: true, force: true });
  return browser();
}

// ---- installing what is missing ----

/** How this machine can install system packages, or why it cannot. */
export function installer() {
  if (process.platform !== 'linux')
    return {
      reason: `this is ${process.platform === 'darwin' ? 'macOS' : process.platform}, where npm test does not install system packages`,
    };
  if (!onPath('apt-get')) return { reason: 'this Linux has no apt-get (npm test installs only on Debian and Ubuntu)' };
  if (process.getuid?.() === 0) return { sudo: [] };
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return { sudo: ['sudo'] };
  return { reason: 'installing needs root, and sudo asks for a password here (or is missing)' };
}

/** The exact command that installs `tools` on this kind of system. */
export function installCommand(tools, platform = process.platform) {
  if (platform === 'darwin') return `brew install ${tools.map((t) => t.brew).join(' ')}`;
  if (platform === 'win32')
    return 'use WSL 2 with Debian or Ubuntu, and run npm test there (the Lua, sshd and Chromium tests need Linux)';
  const prefix = process.getuid?.() === 0 ? '' : 'sudo ';
  const apt = `${prefix}apt-get update && ${prefix}apt-get install -y --no-install-recommends ${tools.map((t) => t.apt).join(' ')}`;
  return onPath('apt-get') ? apt : `your distribution's packages of the same (on Debian or Ubuntu: ${apt})`;
}

/** The one paragraph printed when the tests cannot get what they need. */
export function missingParagraph(tools, why) {
  return [
    `npm test stopped before running anything: ${tools.map((t) => t.what).join('; ')} ${tools.length === 1 ? 'is' : 'are'} missing, and ${why}.`,
    `Install ${tools.length === 1 ? 'it' : 'them'} with:\n\n    ${installCommand(tools)}\n`,
    `then run npm test again. To run every test that needs none of it (the rest skip, each saying why): npm test -- --skip-missing`,
  ].join('\n');
}

async function ask(question) {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/**
 * Makes sure every tool is here. Installs what is missing with apt-get where it can: without asking
 * under CI or without a terminal, after a yes at an interactive terminal. Returns null when all is
 * here, else the paragraph to print (nothing has run yet).
 */
export async function ensureTools({
  interactive = Boolean(process.stdin.isTTY) && !process.env.CI,
  log = console.log,
} = {}) {
  let missing = missingTools();
  if (missing.length === 0) return null;
  const how = installer();
  if ('reason' in how) return missingParagraph(missing, how.reason);
  if (process.env.CONTROL_ROOM_NO_INSTALL) return missingParagraph(missing, 'CONTROL_ROOM_NO_INSTALL is set');
  const packages = missing.map((t) => t.apt);
  if (interactive) {
    const answer = await ask(
      `npm test needs ${missing.map((t) => t.what).join('; ')}.\nInstall the Debian packages ${packages.join(' ')} with apt-get${how.sudo.length ? ' (sudo)' : ''}? [Y/n] `,
    );
    if (/^n/i.test(answer)) return missingParagraph(missing, 'you chose not to install them');
  }
  log(`::: installing ${packages.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) =>
    spawnSync(how.sudo[0] ?? 'apt-get', [...how.sudo.slice(1), ...(how.sudo.length ? ['apt-get'] : []), ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    }).status;
  if (apt(['update', '-qq']) !== 0 || apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]) !== 0) {
    return missingParagraph(missingTools(), 'apt-get failed (its output is above)');
  }
  missing = missingTools();
  return missing.length ? missingParagraph(missing, 'they are still missing after apt-get') : null;
}
