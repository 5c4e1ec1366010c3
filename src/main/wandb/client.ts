// W&B's HTTP protocol, the part a run needs: GraphQL UpsertBucket to create or resume a run, and
// file_stream to append history lines at explicit offsets, replace the summary, and finish.
// Written here because @wandb/sdk 0.5.1 drops data on network errors and cannot re-send; this
// client never retries by itself: it reports what happened and the uploader decides.

export class WandbHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Milliseconds the server asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = 'WandbHttpError';
  }

  /** 429 and 5xx are worth another try; 400/401/403/404 and the like are not. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** What a person should read when the server refuses for good. */
export function describeRefusal(status: number): string {
  if (status === 401) return 'W&B rejected the API key (401)';
  if (status === 403) return 'W&B refused access to this entity or project (403)';
  if (status === 404) return 'W&B does not know this entity, project or run (404)';
  return `W&B refused the request (${status})`;
}

export interface RunRef {
  entity: string;
  project: string;
  /** The run's id in URLs (`name` in W&B's API). */
  runId: string;
  /** Lines W&B already has in the run's history. */
  historyLineCount: number;
}

const UPSERT = `mutation UpsertBucket($id: String, $name: String, $project: String, $entity: String, $displayName: String, $config: JSONString) {
  upsertBucket(input: { id: $id, name: $name, modelName: $project, entityName: $entity, displayName: $displayName, config: $config }) {
    bucket { id name displayName project { name entity { name } } historyLineCount }
    inserted
  }
}`;

function retryAfter(h: string | null): number | null {
  if (!h) return null;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export interface FileStreamBody {
  /** History lines (JSON text) to store from `offset` on. */
  history?: { offset: number; lines: string[] };
  /** The whole summary, replacing the previous one. */
  summary?: Record<string, unknown>;
  complete?: { exitCode: number };
}

export class WandbClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private async post(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : this.baseUrl + '/'), {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`api:${this.apiKey}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new WandbHttpError(res.status, `${path}: HTTP ${res.status} ${text.slice(0, 200)}`, retryAfter(res.headers.get('retry-after')));
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      throw new WandbHttpError(502, `${path}: the answer is not JSON`, null);
    }
  }

  /** Creates the run, or resumes it when a run with this id exists. */
  async upsertRun(args: { runId: string; project: string; entity: string; displayName: string; config: Record<string, unknown> }): Promise<RunRef> {
    const config = Object.fromEntries(Object.entries(args.config).map(([k, v]) => [k, { value: v }]));
    const r = (await this.post('graphql', {
      query: UPSERT,
      variables: { name: args.runId, project: args.project, entity: args.entity || undefined, displayName: args.displayName, config: JSON.stringify(config) },
    })) as { data?: { upsertBucket?: { bucket?: { name: string; historyLineCount?: number; project: { name: string; entity: { name: string } } } } }; errors?: { message: string }[] };
    const bucket = r.data?.upsertBucket?.bucket;
    if (!bucket) {
      const msg = r.errors?.map((e) => e.message).join('; ') ?? 'no run in the answer';
      // GraphQL reports refusals in the body; treat them like the HTTP refusals they are.
      throw new WandbHttpError(/permission|not found|unauthori/i.test(msg) ? 403 : 400, `UpsertBucket: ${msg}`, null);
    }
    return { entity: bucket.project.entity.name, project: bucket.project.name, runId: bucket.name, historyLineCount: bucket.historyLineCount ?? 0 };
  }

  async fileStream(run: Pick<RunRef, 'entity' | 'project' | 'runId'>, body: FileStreamBody): Promise<void> {
    const files: Record<string, { offset: number; content: string[] }> = {};
    if (body.history && body.history.lines.length) files['wandb-history.jsonl'] = { offset: body.history.offset, content: body.history.lines };
    if (body.summary) files['wandb-summary.json'] = { offset: 0, content: [JSON.stringify(body.summary)] };
    const payload: Record<string, unknown> = { files };
    if (body.complete) Object.assign(payload, { complete: true, exitcode: body.complete.exitCode });
    await this.post(`files/${encodeURIComponent(run.entity)}/${encodeURIComponent(run.project)}/${encodeURIComponent(run.runId)}/file_stream`, payload);
  }
}

/** The page of a run in W&B's web app (api.wandb.ai -> wandb.ai; other hosts as they are). */
export function runUrl(baseUrl: string, run: Pick<RunRef, 'entity' | 'project' | 'runId'>): string {
  const u = new URL(baseUrl);
  if (u.hostname.startsWith('api.')) u.hostname = u.hostname.slice(4);
  return `${u.origin}/${encodeURIComponent(run.entity)}/${encodeURIComponent(run.project)}/runs/${encodeURIComponent(run.runId)}`;
}
