// W&B's HTTP protocol, the part a run needs: GraphQL UpsertBucket to create or resume a run, and
// file_stream to append history lines at explicit offsets, replace the summary, and finish.
// Written here because @wandb/sdk 0.5.1 drops data on network errors and cannot re-send; this
// client never retries by itself: it reports what happened and the uploader decides. The rules
// follow the official client (wandb/wandb Go core, named beside each rule).

/** Which request failed: the two follow different retry rules (`core/internal/clients/retry_policy.go`). */
export type WandbRequestKind = 'upsert' | 'filestream';

/** Statuses `RetryMostFailures` never retries; every other 4xx/5xx (408, 429, 500, …) is retried. */
const NOT_RETRIED = new Set([400, 401, 403, 404, 409, 410, 413, 422, 501]);

/** `UpsertBucketRetryPolicy`: 409 is retried there; 400, 410 and 422 are not; the rest as above. */
export function isRetryable(kind: WandbRequestKind, status: number): boolean {
  if (kind === 'upsert' && status === 409) return true;
  if (NOT_RETRIED.has(status)) return false;
  return status === 0 || status >= 400;
}

/** Per-attempt timeouts: `DefaultNonRetryTimeout` in `core/internal/api/api.go` (GraphQL, 30 s) and
 *  `core/internal/filestream/filestream.go` (file_stream, 180 s). */
export const REQUEST_TIMEOUT_MS: Record<WandbRequestKind, number> = { upsert: 30_000, filestream: 180_000 };

/** `defaultMaxRequestSizeBytes` and `defaultMaxFileLineBytes` in `core/internal/filestream/filestream.go`. */
export const MAX_REQUEST_BYTES = 10 << 20;
export const MAX_LINE_BYTES = (10 << 20) - (100 << 10);

export class WandbHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Milliseconds the server asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs: number | null,
    readonly kind: WandbRequestKind = 'filestream',
  ) {
    super(message);
    this.name = 'WandbHttpError';
  }

  get retryable(): boolean {
    return isRetryable(this.kind, this.status);
  }
}

/** What a person should read when the server refuses for good. */
export function describeRefusal(status: number): string {
  if (status === 401) return 'W&B rejected the API key (401)';
  if (status === 403) return 'W&B refused access to this entity or project (403)';
  if (status === 404) return 'W&B does not know this entity, project or run (404)';
  if (status === 409) return 'W&B reported a conflict for this run (409)';
  if (status === 413) return 'W&B refused a request as too large (413)';
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

/** What a file_stream answer tells the client. */
export interface FileStreamAnswer {
  /** Someone pressed Stop on the run in W&B's UI (`filestreamimpl.go` reads `stopped`). */
  stopped: boolean;
}

/** The JSON body of a file_stream request. An empty body is a heartbeat (`transmitchan.go`). */
export function fileStreamPayload(body: FileStreamBody): Record<string, unknown> {
  const files: Record<string, { offset: number; content: string[] }> = {};
  if (body.history && body.history.lines.length)
    files['wandb-history.jsonl'] = { offset: body.history.offset, content: body.history.lines };
  if (body.summary) files['wandb-summary.json'] = { offset: 0, content: [JSON.stringify(body.summary)] };
  const payload: Record<string, unknown> = {};
  if (Object.keys(files).length) payload.files = files;
  if (body.complete) Object.assign(payload, { complete: true, exitcode: body.complete.exitCode });
  return payload;
}

/**
 * Bytes a history line adds to a request body: the line as a JSON string, plus a comma. Counted
 * without building the escaped copy (a 20,000-line backlog spent seconds on that): in a line that
 * is itself JSON text only `"` and `\` need escaping; anything rarer takes the exact way.
 */
export function lineRequestBytes(line: string): number {
  let extra = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34 || c === 92) extra++;
    else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) return Buffer.byteLength(JSON.stringify(line)) + 1;
  }
  return Buffer.byteLength(line) + extra + 3;
}

/** Bytes of a request body with no history lines yet (the lines' share comes from lineRequestBytes). */
export function baseRequestBytes(offset: number, summary: Record<string, unknown> | undefined): number {
  return (
    Buffer.byteLength(JSON.stringify(fileStreamPayload({ history: { offset, lines: [''] }, summary }))) -
    lineRequestBytes('') +
    1
  );
}

export class WandbClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs: Record<WandbRequestKind, number> = REQUEST_TIMEOUT_MS,
  ) {}

  private async post(kind: WandbRequestKind, path: string, body: unknown): Promise<unknown> {
    const res = await fetch(new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : this.baseUrl + '/'), {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`api:${this.apiKey}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs[kind]),
    });
    const text = await res.text();
    if (!res.ok)
      throw new WandbHttpError(
        res.status,
        `${path}: HTTP ${res.status} ${text.slice(0, 200)}`,
        retryAfter(res.headers.get('retry-after')),
        kind,
      );
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      throw new WandbHttpError(502, `${path}: the answer is not JSON`, null, kind);
    }
  }

  /** Creates the run, or resumes it when a run with this id exists. */
  async upsertRun(args: {
    runId: string;
    project: string;
    entity: string;
    displayName: string;
    config: Record<string, unknown>;
  }): Promise<RunRef> {
    const config = Object.fromEntries(Object.entries(args.config).map(([k, v]) => [k, { value: v }]));
    const r = (await this.post('upsert', 'graphql', {
      query: UPSERT,
      variables: {
        name: args.runId,
        project: args.project,
        entity: args.entity || undefined,
        displayName: args.displayName,
        config: JSON.stringify(config),
      },
    })) as {
      data?: {
        upsertBucket?: {
          bucket?: {
            name: string;
            historyLineCount?: number | null;
            project: { name: string; entity: { name: string } };
          };
        };
      };
      errors?: { message: string }[];
    };
    const bucket = r.data?.upsertBucket?.bucket;
    if (!bucket) {
      const msg = r.errors?.map((e) => e.message).join('; ') ?? 'no run in the answer';
      // GraphQL reports refusals in the body; treat them like the HTTP refusals they are.
      throw new WandbHttpError(
        /permission|not found|unauthori/i.test(msg) ? 403 : 400,
        `UpsertBucket: ${msg}`,
        null,
        'upsert',
      );
    }
    const count = Number(bucket.historyLineCount ?? 0);
    return {
      entity: bucket.project.entity.name,
      project: bucket.project.name,
      runId: bucket.name,
      historyLineCount: Number.isInteger(count) && count > 0 ? count : 0,
    };
  }

  /** Sends one request; `{}` (no history, summary or complete) is a heartbeat. */
  async fileStream(run: Pick<RunRef, 'entity' | 'project' | 'runId'>, body: FileStreamBody): Promise<FileStreamAnswer> {
    const path = `files/${encodeURIComponent(run.entity)}/${encodeURIComponent(run.project)}/${encodeURIComponent(run.runId)}/file_stream`;
    const answer = (await this.post('filestream', path, fileStreamPayload(body))) as { stopped?: unknown } | null;
    return { stopped: typeof answer === 'object' && answer !== null && answer.stopped === true };
  }
}

/** The page of a run in W&B's web app (api.wandb.ai -> wandb.ai; other hosts as they are). */
export function runUrl(baseUrl: string, run: Pick<RunRef, 'entity' | 'project' | 'runId'>): string {
  const u = new URL(baseUrl);
  if (u.hostname.startsWith('api.')) u.hostname = u.hostname.slice(4);
  return `${u.origin}/${encodeURIComponent(run.entity)}/${encodeURIComponent(run.project)}/runs/${encodeURIComponent(run.runId)}`;
}
