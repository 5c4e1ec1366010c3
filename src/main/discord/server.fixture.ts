// A local server speaking Discord's webhook protocol as far as the relay uses it: POST
// /api/v10/webhooks/{id}/{token}, a per-webhook bucket announced in X-RateLimit-* headers, 429 with
// `retry_after` and Retry-After when the bucket is exceeded, Discord's body limits (400), and the
// failures a real one has: 5xx, connections dropped mid-request, a deleted webhook (404) and a bad
// token (401). For tests and benchmarks; it keeps every message it accepted.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  content: string;
  username?: string;
  allowed_mentions?: unknown;
  at: number;
}

export type DiscordFault = { status: number } | { drop: true };

export interface BucketOptions {
  /** Requests allowed per window (Discord's webhooks: about 5 per 2 s). */
  limit: number;
  windowMs: number;
}

export class DiscordTestServer {
  readonly messages: ReceivedMessage[] = [];
  /** Faults for the next requests, in order (one per request). */
  faults: DiscordFault[] = [];
  /** Drawn for each request once `faults` is used up (a seeded source in the fault-injection run). */
  randomFault: (() => DiscordFault | undefined) | null = null;
  requests = 0;
  tooManyRequests = 0;
  /** 404 Unknown Webhook from now on. */
  deleted = false;
  readonly id = '112233445566778899';
  token = 'test-token_AbC';
  private server: Server | null = null;
  private windowStart = 0;
  private used = 0;

  constructor(readonly bucket: BucketOptions = { limit: 5, windowMs: 2000 }) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The webhook URL a user would paste. */
  get webhookUrl(): string {
    return `${this.url}/api/webhooks/${this.id}/${this.token}`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    let body = '';
    for await (const chunk of req) body += chunk;
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    };
    const m = /^\/api\/v10\/webhooks\/(\d+)\/([^/?]+)(\?.*)?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return send(404, { message: '404: Not Found', code: 0 });
    const fault = this.faults.shift() ?? this.randomFault?.();
    if (fault && 'drop' in fault) {
      req.socket.destroy();
      return;
    }
    if (fault) return send(fault.status, { message: 'injected failure', code: 0 });
    if (this.deleted || m[1] !== this.id) return send(404, { message: 'Unknown Webhook', code: 10015 });
    if (m[2] !== this.token) return send(401, { message: 'Invalid Webhook Token', code: 50027 });

    const now = Date.now();
    if (now - this.windowStart >= this.bucket.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    const resetAfter = (this.windowStart + this.bucket.windowMs - now) / 1000;
    const headers = (remaining: number) => ({
      'X-RateLimit-Limit': String(this.bucket.limit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': ((this.windowStart + this.bucket.windowMs) / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': 'webhook-bucket-1',
    });
    if (this.used >= this.bucket.limit) {
      this.tooManyRequests++;
      return send(
        429,
        { message: 'You are being rate limited.', retry_after: resetAfter, global: false },
        { ...headers(0), 'Retry-After': String(Math.ceil(resetAfter)), 'X-RateLimit-Scope': 'user' },
      );
    }
    this.used++;

    let json: { content?: unknown; username?: unknown; allowed_mentions?: unknown };
    try {
      json = JSON.parse(body);
    } catch {
      return send(
        400,
        { message: 'The request body contains invalid JSON.', code: 50109 },
        headers(this.bucket.limit - this.used),
      );
    }
    const errors: string[] = [];
    if (typeof json.content !== 'string' || json.content.length === 0)
      errors.push('content: Cannot send an empty message');
    else if (json.content.length > 2000) errors.push('content: Must be 2000 or fewer in length.');
    if (
      json.username !== undefined &&
      (typeof json.username !== 'string' || json.username.length > 80 || /discord|clyde/i.test(json.username))
    )
      errors.push('username: invalid');
    if (errors.length)
      return send(400, { message: 'Invalid Form Body', code: 50035, errors }, headers(this.bucket.limit - this.used));
    this.messages.push({
      content: json.content as string,
      username: json.username as string | undefined,
      allowed_mentions: json.allowed_mentions,
      at: now,
    });
    send(200, { id: String(this.messages.length), content: json.content }, headers(this.bucket.limit - this.used));
  }

  /** Every line of every accepted message, in order (coalesced messages are one event per line). */
  lines(): string[] {
    return this.messages.flatMap((m) => m.content.split('\n'));
  }
}
