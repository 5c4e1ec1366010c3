import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerFrame } from '../../shared/api';
import { ControlRoomApp } from '../app';
import { ConfigStore } from '../config';
import { silentLogger } from '../log';
import { SecretStore } from '../secrets';
import { WebServer } from './web';

/** A client-to-server text frame, masked with a zero key (allowed by RFC 6455; the bytes stay as they are). */
function maskedTextFrame(text: string): Buffer {
  const body = Buffer.from(text);
  if (body.length > 125) throw new Error('keep test frames short');
  return Buffer.concat([Buffer.from([0x81, 0x80 | body.length, 0, 0, 0, 0]), body]);
}

/** A raw WebSocket handshake; resolves once the 101 arrived, with the socket then paused: it never reads again. */
function openNonReadingSocket(port: number, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect(port, '127.0.0.1', () => {
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      sock.pause();
      if (head.startsWith('HTTP/1.1 101')) resolve(sock);
      else reject(new Error(head.split('\r\n')[0]));
    };
    sock.on('data', onData);
    sock.on('error', () => {});
    sock.once('error', reject);
  });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket and resolves when open, or rejects with the HTTP status it was refused with. */
function connect(port: number, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

function rpc(ws: WebSocket) {
  let id = 0;
  const pushes: ServerFrame[] = [];
  const waiting = new Map<number, (f: ServerFrame) => void>();
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as ServerFrame;
    if ('push' in f) pushes.push(f);
    else waiting.get(f.id)?.(f);
  });
  return {
    pushes,
    call(method: string, payload?: unknown) {
      const myId = ++id;
      return new Promise<Extract<ServerFrame, { id: number }>['result']>((resolve) => {
        waiting.set(myId, (f) => resolve((f as Extract<ServerFrame, { id: number }>).result));
        ws.send(JSON.stringify({ id: myId, method, payload }));
      });
    },
  };
}

describe('WebServer (headless transport)', () => {
  let server: WebServer;
  let app: ControlRoomApp;
  let port: number;
  let cookie: string;
  const dir = mkdtempSync(join(tmpdir(), 'cr-web-'));

  beforeAll(async () => {
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Control Room test page</title>');
    const path = join(dir, 'config.json');
    writeFileSync(
      path,
      JSON.stringify({ wandb: { apiKey: 'never-leaks-123' }, pipe: { path: join(dir, 'events.jsonl') } }),
    );
    const secrets = new SecretStore({}, dir);
    const store = new ConfigStore({ path, env: {}, secrets, appHome: dir, keepLastGood: false });
    store.load();
    app = new ControlRoomApp({ mode: 'headless', version: 't', configStore: store, secrets, logger: silentLogger() });
    await app.start();
    server = new WebServer({
      host: '127.0.0.1',
      port: 0,
      allowedHosts: ['dash.lan'],
      rendererDir,
      handlers: app.handlers,
      hub: app.hub,
      health: () => app.snapshot(),
      logger: silentLogger(),
    });
    ({ port } = await server.listen());
    cookie = `cr_token_${port}=${server.token}`;
  });

  afterAll(async () => {
    await server.close();
    await app.stop();
  });

  it('answers /health without a token, with every service and no secrets', async () => {
    const r = await get(port, '/health');
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.services).sort()).toEqual(['discord', 'engine', 'pipe', 'slots', 'wandb']);
    expect(r.body).not.toContain('never-leaks-123');
    expect(r.body).not.toContain(server.token);
  });

  it('refuses the UI without the token and with a wrong one', async () => {
    expect((await get(port, '/')).status).toBe(401);
    expect((await get(port, '/?token=wrong')).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly cookie and a clean address', async () => {
    const r = await get(port, `/?token=${server.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    expect(String(r.headers['set-cookie'])).toMatch(
      new RegExp(`^cr_token_${port}=${server.token}; HttpOnly; SameSite=Strict`),
    );
    const page = await get(port, '/', { Cookie: cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Control Room test page');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('rejects foreign Host headers (DNS rebinding), even with the token', async () => {
    const r = await get(port, '/', { Host: `evil.example:${port}`, Cookie: cookie });
    expect(r.status).toBe(403);
    expect((await get(port, '/health', { Host: 'evil.example' })).status).toBe(403);
    expect((await get(port, '/health', { Host: `dash.lan:${port}` })).status).toBe(200);
  });

  it('refuses WebSocket upgrades without the token or from a foreign Origin', async () => {
    await expect(connect(port, {})).rejects.toThrow('refused 401');
    await expect(connect(port, { Cookie: cookie, Origin: 'http://evil.example' })).rejects.toThrow('refused 403');
    const ok = await connect(port, { Cookie: cookie, Origin: `http://127.0.0.1:${port}` });
    ok.close();
  });

  it('serves the contract: valid calls answer, bad payloads and unknown methods get clear errors', async () => {
    const ws = await connect(port, { Cookie: cookie });
    const c = rpc(ws);
    const status = await c.call('status.get');
    expect(status.ok && (status.value as { services: object }).services).toHaveProperty('pipe');
    expect(await c.call('nope.method')).toEqual({
      ok: false,
      error: { code: 'unknown_method', message: 'unknown method "nope.method"' },
    });
    const bad = await c.call('status.get', { unexpected: 1 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('bad_request');
    const invalid = await c.call('config.update', { pipe: { capacity: 0 } });
    expect(!invalid.ok && invalid.error).toMatchObject({ code: 'invalid_config', issues: [{ path: 'pipe.capacity' }] });
    const view = await c.call('config.get');
    expect(JSON.stringify(view)).not.toContain('never-leaks-123');
    ws.close();
  });

  it('survives a malformed cookie on a page request and on the socket upgrade', async () => {
    // `%` alone is not valid percent-encoding; decoding it used to throw inside the handler.
    const page = await get(port, '/', { Cookie: 'x=%' });
    expect(page.status).toBe(401);
    const withToken = await get(port, '/', { Cookie: `x=%; ${cookie}` });
    expect(withToken.status).toBe(200);
    await expect(connect(port, { Cookie: 'x=%' })).rejects.toThrow('refused 401');
    const ok = await connect(port, { Cookie: `x=%e0%; ${cookie}` });
    ok.close();
    expect((await get(port, '/health')).status).toBe(200);
  });

  it('answers 500 when a handler throws, and keeps serving', async () => {
    const broken = new WebServer({
      host: '127.0.0.1',
      port: 0,
      allowedHosts: [],
      rendererDir: join(dir, 'renderer'),
      handlers: app.handlers,
      hub: app.hub,
      health: () => {
        throw new Error('snapshot failed');
      },
      logger: silentLogger(),
    });
    const { port: p } = await broken.listen();
    try {
      expect((await get(p, '/health')).status).toBe(500);
      expect((await get(p, '/health')).status).toBe(500);
      expect((await get(p, '/', { Cookie: `cr_token_${p}=${broken.token}` })).status).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it('drops a socket that stops reading once its unsent replies pass the limit, and counts it', async () => {
    const limited = new WebServer({
      host: '127.0.0.1',
      port: 0,
      allowedHosts: [],
      rendererDir: join(dir, 'renderer'),
      handlers: app.handlers,
      hub: app.hub,
      health: () => app.snapshot(),
      logger: silentLogger(),
      maxSendBufferBytes: 65536,
    });
    const { port: p } = await limited.listen();
    const sock = await openNonReadingSocket(p, `cr_token_${p}=${limited.token}`);
    let closed = false;
    sock.on('close', () => (closed = true));
    try {
      // Each status.get reply is a few KB; the loop stops as soon as the server gave up on us.
      let id = 0;
      for (let round = 0; round < 100 && limited.slowClientsDropped === 0 && !closed; round++) {
        const batch: Buffer[] = [];
        for (let i = 0; i < 200; i++) batch.push(maskedTextFrame(JSON.stringify({ id: ++id, method: 'status.get' })));
        await new Promise<void>((resolve) => sock.write(Buffer.concat(batch), () => resolve()));
        await new Promise((r) => setImmediate(r));
      }
      await expect.poll(() => limited.slowClientsDropped).toBe(1);
      expect((await get(p, '/health')).status).toBe(200);
    } finally {
      sock.destroy();
      await limited.close();
    }
  });

  it('holds pushes until ui.ready, then delivers them', async () => {
    const ws = await connect(port, { Cookie: cookie });
    const c = rpc(ws);
    await c.call('config.update', { wandb: { project: 'first' } });
    app.hub.flush();
    // Frames on one socket arrive in order: a push sent before this reply would be here by now.
    await c.call('status.get');
    expect(c.pushes).toEqual([]);
    // Queued pushes go out synchronously in markReady, before the reply to ui.ready.
    await c.call('ui.ready');
    expect(c.pushes.map((p) => 'push' in p && p.push)).toContain('config');
    ws.close();
  });
});
