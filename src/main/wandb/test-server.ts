// A local server speaking the part of W&B's protocol the app uses (UpsertBucket over GraphQL and
// file_stream), with the failure modes a real one has: 5xx bursts, 429 with Retry-After, refused
// keys, and connections dropped mid-request. For tests and benchmarks; it keeps what it was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredRun {
  entity: string;
  project: string;
  runId: string;
  displayName: string;
  config: Record<string, unknown>;
  history: string[];
  summary: Record<string, unknown> | null;
  complete: boolean;
  exitCode: number | null;
  upserts: number;
}

export type Fault = { status: number; retryAfterSeconds?: number } | { drop: true };

export class WandbTestServer {
  readonly runs = new Map<string, StoredRun>();
  /** Faults to apply to the next requests, in order (one per request). */
  faults: Fault[] = [];
  /** Drawn for each request once `faults` is used up (a seeded source in the fault-injection run). */
  randomFault: (() => Fault | undefined) | null = null;
  requests = 0;
  fileStreamRequests = 0;
  /** Keys the server accepts; anything else gets 401. */
  apiKeys = new Set(['test-key']);
  defaultEntity = 'factorio-team';
  private server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
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

  run(runId: string): StoredRun | undefined {
    for (const r of this.runs.values()) if (r.runId === runId) return r;
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    let body = '';
    for await (const chunk of req) body += chunk;
    const fault = this.faults.shift() ?? this.randomFault?.();
    if (fault && 'drop' in fault) {
      // The request arrived but the answer never does: the connection just ends.
      req.socket.destroy();
      return;
    }
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    };
    if (fault) return send(fault.status, { error: 'injected' }, fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {});
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const key = auth ? Buffer.from(auth, 'base64').toString().replace(/^api:/, '') : '';
    if (!this.apiKeys.has(key)) return send(401, { error: 'invalid api key' });
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body);
    } catch {
      return send(400, { error: 'bad json' });
    }
    if (req.url === '/graphql') return send(200, this.upsert(json));
    const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(req.url ?? '');
    if (!m) return send(404, { error: 'not found' });
    this.fileStreamRequests++;
    const [entity, project, runId] = m.slice(1).map(decodeURIComponent);
    const run = this.runs.get(`${entity}/${project}/${runId}`);
    if (!run) return send(404, { error: 'run not found' });
    const files = (json.files ?? {}) as Record<string, { offset: number; content: string[] }>;
    const h = files['wandb-history.jsonl'];
    if (h) {
      // Offsets make re-sends idempotent: lines at known offsets are replaced, not appended.
      if (h.offset > run.history.length) return send(400, { error: `offset ${h.offset} beyond ${run.history.length}` });
      run.history.splice(h.offset, h.content.length, ...h.content);
    }
    const s = files['wandb-summary.json'];
    if (s) run.summary = JSON.parse(s.content[0]);
    if (json.complete) {
      run.complete = true;
      run.exitCode = Number(json.exitcode);
    }
    return send(200, { limits: {} });
  }

  private upsert(json: Record<string, unknown>): unknown {
    const v = (json.variables ?? {}) as { name: string; project: string; entity?: string; displayName?: string; config?: string };
    const entity = v.entity || this.defaultEntity;
    const key = `${entity}/${v.project}/${v.name}`;
    let run = this.runs.get(key);
    const inserted = !run;
    if (!run) {
      run = { entity, project: v.project, runId: v.name, displayName: v.displayName ?? v.name, config: {}, history: [], summary: null, complete: false, exitCode: null, upserts: 0 };
      this.runs.set(key, run);
    }
    run.upserts++;
    if (v.config) run.config = JSON.parse(v.config);
    return { data: { upsertBucket: { bucket: { id: key, name: run.runId, displayName: run.displayName, project: { name: run.project, entity: { name: entity } }, historyLineCount: run.history.length }, inserted } } };
  }
}
