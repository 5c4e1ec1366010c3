// A local server speaking the part of W&B's protocol the app uses (UpsertBucket over GraphQL and
// file_stream), with the behaviour and failure modes a real one has: 5xx bursts, 429 with
// Retry-After, refused keys, connections dropped mid-request, runs marked crashed when their
// requests stop, 413 over a byte limit, a 409 on UpsertBucket, a historyLineCount that lags, and
// `stopped` in answers. For tests and benchmarks; it keeps what it was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredRun {
  entity: string;
  project: string;
  runId: string;
  displayName: string;
  config: Record<string, unknown>;
  history: string[];
  /** How many times each history line was stored (a re-sent line counts twice). */
  writes: number[];
  summary: Record<string, unknown> | null;
  complete: boolean;
  exitCode: number | null;
  upserts: number;
  /** Empty file_stream requests. */
  heartbeats: number;
  /** Set for good once the run went `crashAfterMs` without a request while open. */
  crashed: boolean;
  lastRequestAt: number;
  /** The next file_stream answers say `stopped: true` (Stop pressed in the UI). */
  stopRequested: boolean;
}

type Endpoint = 'graphql' | 'file_stream';

/** One injected answer; `only` applies it to the next request to that endpoint. */
export type Fault = ({ status: number; retryAfterSeconds?: number } | { drop: true } | { dropAfterStore: true }) & {
  only?: Endpoint;
};

export interface WandbTestServerOptions {
  /** A run with no request for this long while open is marked crashed, like W&B's run states. */
  crashAfterMs?: number;
  /** Requests whose body is over this many bytes answer 413. */
  maxRequestBytes?: number;
  /** UpsertBucket's historyLineCount trails the lines stored by this many (W&B's count lags). */
  historyCountLag?: number;
}

export class WandbTestServer {
  readonly runs = new Map<string, StoredRun>();
  /** Faults to apply to the next requests, in order (one per request). */
  faults: Fault[] = [];
  /** Drawn for each request once `faults` is used up (a seeded source in the fault-injection run). */
  randomFault: (() => Fault | undefined) | null = null;
  requests = 0;
  fileStreamRequests = 0;
  /** Body size of every file_stream request, in order. */
  readonly fileStreamBytes: number[] = [];
  /** Requests answered 413. */
  tooLarge = 0;
  /** Keys the server accepts; anything else gets 401. */
  apiKeys = new Set(['test-key']);
  defaultEntity = 'factorio-team';
  private server: Server | null = null;
  private crashCheck: NodeJS.Timeout | null = null;

  constructor(readonly options: WandbTestServerOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Like a real service behind a load balancer: idle connections stay open a minute, so a client
    // in the same busy process does not reuse a socket the server is closing at that moment.
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const crashAfter = this.options.crashAfterMs;
    if (crashAfter !== undefined) {
      this.crashCheck = setInterval(() => this.markCrashed(crashAfter), Math.max(10, Math.min(250, crashAfter / 5)));
      this.crashCheck.unref();
    }
    return this.url;
  }

  async stop(): Promise<void> {
    if (this.crashCheck) clearInterval(this.crashCheck);
    this.crashCheck = null;
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  run(runId: string): StoredRun | undefined {
    for (const r of this.runs.values()) if (r.runId === runId) return r;
    return undefined;
  }

  private markCrashed(crashAfter: number): void {
    const now = Date.now();
    for (const r of this.runs.values()) if (!r.complete && now - r.lastRequestAt > crashAfter) r.crashed = true;
  }

  private takeFault(endpoint: Endpoint): Fault | undefined {
    const i = this.faults.findIndex((f) => f.only === undefined || f.only === endpoint);
    return i < 0 ? undefined : this.faults.splice(i, 1)[0];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const endpoint: Endpoint = req.url === '/graphql' ? 'graphql' : 'file_stream';
    if (endpoint === 'file_stream') this.fileStreamBytes.push(raw.length);
    const fault = this.takeFault(endpoint) ?? this.randomFault?.();
    if (fault && 'drop' in fault) {
      // The request arrived but the answer never does: the connection just ends.
      req.socket.destroy();
      return;
    }
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      if (fault && 'dropAfterStore' in fault) {
        // The request was carried out, but its answer is lost on the way back.
        req.socket.destroy();
        return;
      }
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    };
    if (fault && 'status' in fault)
      return send(
        fault.status,
        { error: 'injected' },
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {},
      );
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const key = auth ? Buffer.from(auth, 'base64').toString().replace(/^api:/, '') : '';
    if (!this.apiKeys.has(key)) return send(401, { error: 'invalid api key' });
    if (this.options.maxRequestBytes !== undefined && raw.length > this.options.maxRequestBytes) {
      this.tooLarge++;
      return send(413, { error: `request of ${raw.length} bytes is over ${this.options.maxRequestBytes}` });
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return send(400, { error: 'bad json' });
    }
    if (endpoint === 'graphql') return send(200, this.upsert(json));
    const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(req.url ?? '');
    if (!m) return send(404, { error: 'not found' });
    this.fileStreamRequests++;
    const [entity, project, runId] = m.slice(1).map(decodeURIComponent);
    const run = this.runs.get(`${entity}/${project}/${runId}`);
    if (!run) return send(404, { error: 'run not found' });
    run.lastRequestAt = Date.now();
    const files = (json.files ?? {}) as Record<string, { offset: number; content: string[] }>;
    if (!json.files && json.complete === undefined) run.heartbeats++;
    const h = files['wandb-history.jsonl'];
    if (h) {
      // Offsets make re-sends idempotent: lines at known offsets are replaced, not appended.
      if (h.offset > run.history.length) return send(400, { error: `offset ${h.offset} beyond ${run.history.length}` });
      run.history.splice(h.offset, h.content.length, ...h.content);
      for (let i = h.offset; i < h.offset + h.content.length; i++) run.writes[i] = (run.writes[i] ?? 0) + 1;
    }
    const s = files['wandb-summary.json'];
    if (s) run.summary = JSON.parse(s.content[0]);
    if (json.complete) {
      run.complete = true;
      run.exitCode = Number(json.exitcode);
    }
    return send(200, run.stopRequested ? { limits: {}, stopped: true } : { limits: {} });
  }

  private upsert(json: Record<string, unknown>): unknown {
    const v = (json.variables ?? {}) as {
      name: string;
      project: string;
      entity?: string;
      displayName?: string;
      config?: string;
    };
    const entity = v.entity || this.defaultEntity;
    const key = `${entity}/${v.project}/${v.name}`;
    let run = this.runs.get(key);
    const inserted = !run;
    if (!run) {
      run = {
        entity,
        project: v.project,
        runId: v.name,
        displayName: v.displayName ?? v.name,
        config: {},
        history: [],
        writes: [],
        summary: null,
        complete: false,
        exitCode: null,
        upserts: 0,
        heartbeats: 0,
        crashed: false,
        lastRequestAt: Date.now(),
        stopRequested: false,
      };
      this.runs.set(key, run);
    }
    run.upserts++;
    run.lastRequestAt = Date.now();
    if (v.config) run.config = JSON.parse(v.config);
    const historyLineCount = Math.max(0, run.history.length - (this.options.historyCountLag ?? 0));
    return {
      data: {
        upsertBucket: {
          bucket: {
            id: key,
            name: run.runId,
            displayName: run.displayName,
            project: { name: run.project, entity: { name: entity } },
            historyLineCount,
          },
          inserted,
        },
      },
    };
  }
}
