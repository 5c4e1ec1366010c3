import { createServer } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, headlessOf, test } from './fixtures';
import { root, run, stopChild, tempDir, waitForLine, type ChildRun } from './harness';

test.describe('headless mode', () => {
  test.skip(({ target }) => target !== 'web', 'headless-mode checks run once, in the web project');

  test('the UI needs the token; the URL token becomes an HttpOnly cookie and leaves the address bar', async ({
    ui,
    launchChromium,
  }) => {
    const h = headlessOf(ui);
    await expect(ui.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    expect(ui.url()).not.toContain('token');
    const cookies = await ui.context().cookies();
    expect(cookies).toContainEqual(
      expect.objectContaining({ name: `cr_token_${h.port}`, httpOnly: true, sameSite: 'Strict' }),
    );

    const stranger = await (await launchChromium()).newPage();
    const res = await stranger.goto(h.origin + '/');
    expect(res!.status()).toBe(401);
    await expect(stranger.locator('body')).toContainText('Access token required');
    await stranger.close();
  });

  test('/health answers without a token and carries each service state', async ({ headlessApp: headless, request }) => {
    const res = await request.get(`${headless.origin}/health`);
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body.status).toBe('ok');
    expect(body.services.pipe.state).toBe('running');
    expect(body.services.wandb.state).toBe('disabled');
    expect(JSON.stringify(body)).not.toContain(headless.token);
  });

  test('a foreign Host header is refused (DNS rebinding)', async ({ headlessApp: headless }) => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: headless.port,
          path: '/health',
          headers: { Host: `attacker.example:${headless.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  test('a page from another origin cannot open the contract socket, even with the cookie in the browser', async ({
    ui,
  }) => {
    const h = headlessOf(ui);
    // Same site (127.0.0.1), other port: the browser would send the cookie, so only the Origin check protects.
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>other origin</title>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const evilPort = (evil.address() as AddressInfo).port;
    const page = await ui.context().newPage();
    await page.goto(`http://127.0.0.1:${evilPort}/`);
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onclose = (e) => resolve(`closed ${e.code}`);
        }),
      `ws://127.0.0.1:${h.port}/ws`,
    );
    expect(outcome).toBe('closed 1006');
    await page.close();
    evil.close();
  });

  test('SIGTERM stops every service and exits 0', async ({ headlessApp: headless }) => {
    expect(await headless.stop()).toBe(0);
    expect(headless.stderr()).toContain('"msg":"stopping"');
  });

  test('Ctrl+C (SIGINT) stops every service and exits 0', async ({ headlessApp: headless }) => {
    headless.proc.kill('SIGINT');
    expect(await headless.exited).toBe(0);
    expect(headless.stderr()).toContain('"signal":"SIGINT"');
    expect(headless.stderr()).toContain('"msg":"stopping"');
  });

  test('a bad config exits 2 naming the field and the value', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ pipe: { capacity: -1 }, web: { port: 0 } }));
    const r = run([join(root, 'out/main/headless.js'), '--config', config]);
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toMatch(/config error: .*config\.json: pipe\.capacity: .*\(got -1\)/);
  });

  test('npm run headless -- --config FILE serves the UI and /health', async ({ request }) => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ web: { port: 0 } }));
    const r = run([join(root, 'scripts/headless.mjs'), '--config', config, '--data-dir', join(dir, 'data')], {
      CONTROL_ROOM_HOME: join(dir, 'home'),
    });
    const [, url] = await waitForLine(r, /Control Room UI: (\S+)/);
    const health = await request.get(new URL('/health', url).href);
    expect((await health.json()).status).toBe('ok');
    r.proc.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  test('--config with a file that does not exist creates it with the defaults and says so', async ({ request }) => {
    const dir = tempDir();
    const config = join(dir, 'new.json');
    const r = run(
      [
        join(root, 'scripts/headless.mjs'),
        '--config',
        config,
        '--port',
        '0',
        '--data-dir',
        join(dir, 'data'),
        '--no-demo',
      ],
      { CONTROL_ROOM_HOME: join(dir, 'home'), HOME: join(dir, 'home') },
    );
    const [, url] = await waitForLine(r, /Control Room UI: (\S+)/);
    expect(r.stdout()).toContain(`Created ${config} with the default settings`);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({});
    expect((await request.get(new URL('/health', url).href)).status()).toBe(200);
    r.proc.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  test('logs are JSON lines into a pipe and readable lines at a terminal', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ web: { port: 0 } }));
    const args = [join(root, 'out/main/headless.js'), '--config', config, '--data-dir', join(dir, 'data'), '--no-demo'];
    const env = { CONTROL_ROOM_HOME: join(dir, 'home'), HOME: join(dir, 'home'), NO_COLOR: '1' };

    // A pipe: one JSON object per line on stderr (beside Node's own warnings, which are not ours).
    const piped = run(args, env);
    await waitForLine(piped, /Control Room UI: /);
    const lines = piped
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    const started = lines.map((l) => JSON.parse(l)).find((o) => o.msg === 'started');
    expect(started).toMatchObject({ level: 30, mode: 'headless' });
    await stopChild(piped);

    // A terminal: util-linux `script` gives the app a pseudo-terminal; its output is our stdout.
    const proc = spawn(
      'script',
      ['-qefc', `exec ${[process.execPath, ...args].map((a) => `'${a}'`).join(' ')}`, '/dev/null'],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    const tty: ChildRun = {
      proc,
      stdout: () => out,
      stderr: () => '',
      exited: new Promise((r) => proc.on('exit', (c) => r(c))),
    };
    try {
      await waitForLine(tty, /Control Room UI: /);
      expect(out).toMatch(/INFO \(control-room\): started/);
      expect(out).toContain('mode: "headless"');
      expect(out).not.toContain('"level":');
    } finally {
      await stopChild(tty);
    }
  });
});
