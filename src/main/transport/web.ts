// Headless transport: serves the built renderer and the contract over WebSocket. Defences: a random
// access token (URL once, then an HttpOnly cookie), Host and Origin allow-lists against DNS
// rebinding, a strict CSP. /health is the only thing answered without the token, and holds no secrets.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientFrame, ServerFrame, StatusSnapshot } from '../../shared/api';
import type { Logger } from '../log';
import { isWildcardHost } from '../lib/net';
import { CONTENT_SECURITY_POLICY } from './csp';
import { dispatch, type Handlers } from './dispatch';
import type { PushClient, PushHub } from './push';

export interface WebServerOptions {
  host: string;
  port: number;
  allowedHosts: string[];
  rendererDir: string;
  handlers: Handlers;
  hub: PushHub;
  health: () => StatusSnapshot;
  /** Prometheus text for GET /metrics (like /health: no token, no secrets); null answers 404. */
  metrics?: () => string | null | Promise<string | null>;
  logger: Logger;
  /** Defaults to 32 random bytes. */
  token?: string;
  /** Re-read the renderer folder on each request (it is rebuilt under us in development). */
  devAssets?: boolean;
  /**
   * A socket whose unsent data exceeds this many bytes when a new frame is due has stopped reading:
   * it is dropped rather than buffered without bound. Defaults to DEFAULT_MAX_SEND_BUFFER_BYTES.
   */
  maxSendBufferBytes?: number;
}

export const DEFAULT_MAX_SEND_BUFFER_BYTES = 32 * 1024 * 1024;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A value that is not valid percent-encoding is kept as sent: it is someone else's cookie, not an error. */
function decodeCookieValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

// Hand-written rather than the `cookie` package: we read one cookie of our own, and this is ten lines.
function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), decodeCookieValue(part.slice(i + 1).trim()));
  }
  return out;
}

export class WebServer {
  readonly token: string;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private port = 0;
  /** Sockets dropped because they stopped reading while replies piled up. */
  slowClientsDropped = 0;

  constructor(private readonly opts: WebServerOptions) {
    this.token = opts.token ?? randomBytes(32).toString('base64url');
  }

  /** Cookies ignore ports, so the name carries it: two instances on one host do not collide. */
  private get cookieName(): string {
    return `cr_token_${this.port}`;
  }

  /** host:port names this server answers to. */
  private allowedHostHeaders(): Set<string> {
    const names = new Set([
      '127.0.0.1',
      'localhost',
      '[::1]',
      ...this.opts.allowedHosts.map((h) => h.replace(/:\d+$/, '')),
    ]);
    if (isWildcardHost(this.opts.host)) {
      names.add(hostname());
      for (const list of Object.values(networkInterfaces()))
        for (const a of list ?? []) names.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
    } else {
      names.add(this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host);
    }
    const out = new Set<string>();
    for (const n of names) out.add(`${n.toLowerCase()}:${this.port}`);
    for (const h of this.opts.allowedHosts) if (/:\d+$/.test(h)) out.add(h.toLowerCase());
    return out;
  }

  private hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host?.toLowerCase();
    return host !== undefined && this.allowedHostHeaders().has(host);
  }

  /** Browsers always send Origin on WebSocket upgrades; it must be one of our own. */
  private originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && this.allowedHostHeaders().has(url.host.toLowerCase())
    );
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const candidate =
      parseCookies(req.headers.cookie).get(this.cookieName) ?? bearer ?? url.searchParams.get('token') ?? '';
    return safeEqual(candidate, this.token);
  }

  get url(): string {
    const host = isWildcardHost(this.opts.host)
      ? '127.0.0.1'
      : this.opts.host.includes(':')
        ? `[${this.opts.host}]`
        : this.opts.host;
    return `http://${host}:${this.port}/?token=${this.token}`;
  }

  async listen(): Promise<{ url: string; port: number }> {
    const assets = sirv(this.opts.rendererDir, {
      single: true,
      etag: true,
      dev: this.opts.devAssets ?? false,
      setHeaders: (res) => {
        res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('X-Frame-Options', 'DENY');
        res.setHeader('Referrer-Policy', 'no-referrer');
      },
    });
    // Whatever a request carries, a failure in its handler is that request's 500, never the process's end.
    const server = createServer((req, res) => {
      try {
        this.onRequest(req, res, assets);
      } catch (e) {
        this.opts.logger.error({ err: (e as Error).message, path: req.url?.slice(0, 200) }, 'request handler failed');
        if (!res.headersSent)
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end('Internal error\n');
      }
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
    server.on('upgrade', (req, socket, head) => {
      const refuse = (status: string) => {
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      try {
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname !== '/ws') return refuse('404 Not Found');
        if (!this.hostAllowed(req)) return refuse('403 Forbidden');
        if (!this.originAllowed(req)) return refuse('403 Forbidden');
        if (!this.authorized(req, url)) return refuse('401 Unauthorized');
        wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
      } catch (e) {
        this.opts.logger.error({ err: (e as Error).message, path: req.url?.slice(0, 200) }, 'upgrade handler failed');
        refuse('500 Internal Server Error');
      }
    });
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    return { url: this.url, port: this.port };
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, assets: ReturnType<typeof sirv>): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://x');
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Bad request target\n');
      return;
    }
    const text = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
      res.end(body + '\n');
    };
    if (!this.hostAllowed(req)) return text(403, 'Host not allowed. Add it to web.allowedHosts if this is intended.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method not allowed', { Allow: 'GET, HEAD' });
    if (url.pathname === '/health') {
      const snap = this.opts.health();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(snap));
      return;
    }
    if (url.pathname === '/metrics' && this.opts.metrics) {
      const metrics = this.opts.metrics;
      void Promise.resolve()
        .then(() => metrics())
        .then(
          (body) => {
            if (body === null) return text(404, 'No metrics: the engine server is not running (engine.enabled).');
            res.writeHead(200, {
              'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
              'Cache-Control': 'no-store',
            });
            res.end(body);
          },
          (e: unknown) => text(500, `Metrics failed: ${e instanceof Error ? e.message : String(e)}`),
        );
      return;
    }
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!safeEqual(given, this.token))
        return text(401, 'Wrong access token. Use the URL the app printed when it started.');
      url.searchParams.delete('token');
      // The token leaves the address bar at once; from here on the HttpOnly cookie carries it.
      return text(303, 'Signed in', {
        Location: url.pathname + (url.search || ''),
        'Set-Cookie': `${this.cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
      });
    }
    if (!this.authorized(req, url))
      return text(401, 'Access token required. Open the URL the app printed when it started (it ends in ?token=...).');
    assets(req, res, () => text(404, 'Not found'));
  }

  /**
   * Sends one frame unless the peer has stopped reading: a socket still holding more than the limit
   * from earlier frames is dropped (and counted) instead. Checked before sending, so one large reply
   * to a client that keeps up always goes through.
   */
  private sendFrame(ws: WebSocket, frame: ServerFrame): void {
    if (ws.readyState !== ws.OPEN) return;
    const limit = this.opts.maxSendBufferBytes ?? DEFAULT_MAX_SEND_BUFFER_BYTES;
    if (ws.bufferedAmount > limit) {
      this.slowClientsDropped++;
      this.opts.logger.warn(
        { bufferedBytes: ws.bufferedAmount, limitBytes: limit, dropped: this.slowClientsDropped },
        'websocket client stopped reading; dropped',
      );
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
  }

  private onSocket(ws: WebSocket): void {
    const client = this.opts.hub.attach({
      send: (push, payload) => {
        // Runs on the hub's flush timer: a payload that cannot be sent is logged, not thrown there.
        try {
          this.sendFrame(ws, { push, payload });
        } catch (e) {
          this.opts.logger.error({ err: (e as Error).message, push }, 'push could not be sent');
        }
      },
    });
    ws.on('close', () => client.detach());
    ws.on('error', (err) => this.opts.logger.warn({ err: err.message }, 'websocket error'));
    ws.on('message', (data) => {
      this.onFrame(ws, client, data.toString()).catch((e: unknown) => {
        this.opts.logger.error({ err: (e as Error).message }, 'websocket frame failed');
        this.sendFrame(ws, {
          id: 0,
          result: { ok: false, error: { code: 'internal', message: 'the reply could not be sent' } },
        });
      });
    });
  }

  private async onFrame(ws: WebSocket, client: PushClient, text: string): Promise<void> {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(text) as ClientFrame;
      if (typeof frame !== 'object' || frame === null || typeof frame.id !== 'number')
        throw new Error('frame needs a numeric id');
    } catch (e) {
      this.sendFrame(ws, {
        id: 0,
        result: { ok: false, error: { code: 'bad_request', message: `bad frame: ${(e as Error).message}` } },
      });
      return;
    }
    const result = await dispatch(this.opts.handlers, frame.method, frame.payload, { client }, this.opts.logger);
    try {
      this.sendFrame(ws, { id: frame.id, result });
    } catch (e) {
      this.opts.logger.error(
        { err: (e as Error).message, method: String(frame.method).slice(0, 60) },
        'reply could not be serialised',
      );
      this.sendFrame(ws, {
        id: frame.id,
        result: { ok: false, error: { code: 'internal', message: 'the reply could not be serialised' } },
      });
    }
  }

  async close(): Promise<void> {
    for (const ws of this.wss?.clients ?? []) ws.close(1001, 'server shutting down');
    this.wss?.close();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
