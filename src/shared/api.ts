// THE contract between main and renderer: invoke methods (request -> response) and pushed events
// (main -> renderer), each with its zod schema. Main validates every incoming payload as `unknown`;
// preload and the WebSocket client are generic adapters over the name lists below.
import { z } from 'zod';
import { ConfigEditSchema, RedactedConfigSchema } from './config';
import { DiscordStatusSchema, RelayedLineSchema } from './discord';
import { EnginePlayResultSchema, EngineResetInputSchema, EngineStatusSchema, EngineStepInputSchema } from './engine';
import { PipeCountersSchema, PipeEventSchema } from './events';
import { HistoryAnswerSchema, HistoryQuerySchema, HistorySessionSchema, HistoryStatusSchema } from './history';
import { JoinTestRunSchema, SlotsStatusSchema } from './slots';

export const SERVICE_NAMES = ['pipe', 'wandb', 'discord', 'engine', 'slots'] as const;
export const ServiceNameSchema = z.enum(SERVICE_NAMES);
export type ServiceName = z.infer<typeof ServiceNameSchema>;

/**
 * disabled: turned off in config. unavailable: not part of this build yet. starting/running/stopped:
 * lifecycle. degraded: running but something needs attention. error: not working; `summary` says why.
 */
export const SERVICE_STATES = [
  'disabled',
  'unavailable',
  'starting',
  'running',
  'degraded',
  'error',
  'stopped',
] as const;
export const ServiceStateSchema = z.enum(SERVICE_STATES);
export type ServiceState = z.infer<typeof ServiceStateSchema>;

export const ServiceStatusSchema = z.object({
  state: ServiceStateSchema,
  /** One human line: what the service is doing or why it is not. Never contains secrets. */
  summary: z.string(),
  /** Epoch ms when `state` last changed. */
  since: z.number(),
  /** Counters and small facts for the status bar and /health. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const StatusSnapshotSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  services: z.record(ServiceNameSchema, ServiceStatusSchema),
});
export type StatusSnapshot = z.infer<typeof StatusSnapshotSchema>;

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'headless']),
  platform: z.string(),
  configPath: z.string(),
  dataDir: z.string(),
  /** Random per start of main: a page that reconnects to a different run starts over. */
  runId: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const ConfigIssueSchema = z.object({ path: z.string(), message: z.string() });

export const ConfigViewSchema = z.object({
  /** The config file's content, secrets redacted. This is what Settings edits. */
  file: RedactedConfigSchema,
  /** What services run with: file + .env + environment, secrets redacted. */
  effective: RedactedConfigSchema,
  /** Field paths whose effective value comes from an environment variable, with its name. */
  overrides: z.record(z.string(), z.string()),
  path: z.string(),
  /** Set when the file on disk is invalid and the app kept running on the last good config. */
  loadError: z.object({ message: z.string(), issues: z.array(ConfigIssueSchema) }).nullable(),
  /** Whether new secret values are encrypted at rest (Electron safeStorage) or written as given. */
  secretsEncrypted: z.boolean(),
});
export type ConfigView = z.infer<typeof ConfigViewSchema>;

export const DemoStatusSchema = z.object({
  running: z.boolean(),
  /** Where the feed writes (the pipe's path, or a folder of ours when no Factorio is installed). */
  path: z.string().nullable(),
  /** Stats lines per second. */
  rate: z.number().nullable(),
  startedAt: z.number().nullable(),
  /** Started because no Factorio was found at start-up. */
  auto: z.boolean(),
  /** One line: what the feed is doing, or why it stopped. */
  message: z.string(),
});
export type DemoStatus = z.infer<typeof DemoStatusSchema>;

export const WandbRunInfoSchema = z.object({
  runId: z.string(),
  displayName: z.string(),
  sessionId: z.string(),
  project: z.string(),
  /** Known once W&B has the run. */
  entity: z.string().nullable(),
  url: z.string().nullable(),
  state: z.enum(['offline', 'connecting', 'active', 'retrying', 'finished', 'failed']),
  /** Epoch ms of the next attempt while retrying. */
  retryAt: z.number().nullable(),
  /** Why W&B refused the run. */
  failure: z.string().nullable(),
  lastStep: z.number().nullable(),
  linesJournaled: z.number(),
  /** Lines dealt with: accepted by W&B, or refused as too large (counted in linesRefused). */
  linesAcked: z.number(),
  linesRefused: z.number(),
  /** Why the last refused line was refused. */
  refusal: z.string().nullable(),
  /** Accepted lines waiting for the disk (the journal could not be written). */
  linesUnwritten: z.number(),
  /** W&B said the run was stopped (Stop pressed in its UI). */
  stoppedInWandb: z.boolean(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  /** The game went back to an earlier save: this run goes on from `toCycle`; the game was at `fromCycle` in run `runId`. */
  branchedFrom: z
    .object({ runId: z.string(), displayName: z.string(), fromCycle: z.number().nullable(), toCycle: z.number() })
    .nullable(),
});
export type WandbRunInfo = z.infer<typeof WandbRunInfoSchema>;

export const WandbStatusSchema = z.object({
  mode: z.enum(['online', 'offline']),
  active: WandbRunInfoSchema.nullable(),
  /** Newest first. */
  runs: z.array(WandbRunInfoSchema),
  /** Stats lines not sent again: repeats of lines already logged (the pipe re-reads after a crash). */
  skippedCycles: z.number(),
  /** Stats lines not logged because their session's run was stopped in W&B. */
  stoppedCycles: z.number(),
  /** Stats lines lost: the journal could not be written and the memory bound was reached. */
  droppedLines: z.number(),
  /** The last journal write error, while one is unresolved. */
  journalError: z.string().nullable(),
  syncing: z.boolean(),
});
export type WandbStatus = z.infer<typeof WandbStatusSchema>;

export const PipeQuerySchema = z
  .object({
    /** Only events whose line contains this text (case-sensitive). */
    text: z.string().max(200).optional(),
    /** Only these event types. */
    types: z.array(z.string().max(100)).max(20).optional(),
    /** The newest `limit` matches (default 500). */
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

const none = z.undefined();

const GameVersionSchema = z.enum(['2.0', '1.1']);

export const FactorioDetectionSchema = z.object({
  /** The folder in use: factorio.userDataDir, else the first candidate that looks like Factorio's; null: none found. */
  userDataDir: z.string().nullable(),
  source: z.enum(['config', 'detected']).nullable(),
  candidates: z.array(z.object({ path: z.string(), kind: z.string(), looksLikeFactorio: z.boolean() })),
  /** From the game's own log in that folder; null when it has none. */
  gameVersion: GameVersionSchema.nullable(),
  /** Our mod in that folder: versions in mods/, and its mod-list.json entry (null: not listed). */
  mod: z.object({ versions: z.array(z.string()), enabled: z.boolean().nullable() }).nullable(),
  factorioRunning: z.boolean(),
  /** The pipe path the app reads now, and the one the mod writes in that folder. */
  pipePath: z.string(),
  scriptOutputPipe: z.string().nullable(),
});
export type FactorioDetection = z.infer<typeof FactorioDetectionSchema>;

export const FactorioInstallInputSchema = z
  .object({ userDataDir: z.string().min(1).max(1000).optional(), gameVersion: GameVersionSchema.optional() })
  .strict()
  .optional();

export const FactorioInstallResultSchema = z.object({
  userDataDir: z.string(),
  gameVersion: GameVersionSchema,
  modVersion: z.string(),
  zipPath: z.string(),
  modListPath: z.string(),
  backupPath: z.string().nullable(),
  replaced: z.array(z.string()),
  /** The pipe path now in use (that folder's script-output/events.pipe, unless an environment variable sets it). */
  pipePath: z.string(),
  notes: z.array(z.string()),
});
export type FactorioInstallResult = z.infer<typeof FactorioInstallResultSchema>;

/** The verdict of a Settings "Test" button: whether it worked, and what was seen, in one line (never a secret). */
export const KeyTestResultSchema = z.object({ ok: z.boolean(), message: z.string() });
export type KeyTestResult = z.infer<typeof KeyTestResultSchema>;

/** Invoke methods: name -> input and output schemas (and the error code for a payload that fails its schema, if not `bad_request`). */
export const methods = {
  'app.info': { input: none, output: AppInfoSchema },
  'status.get': { input: none, output: StatusSnapshotSchema },
  'config.get': { input: none, output: ConfigViewSchema },
  /** Validates, saves atomically, restarts the services whose section changed. */
  'config.update': { input: ConfigEditSchema, output: ConfigViewSchema, invalid: 'invalid_config' },
  /** Events in the cache (oldest first), filtered; `total` counts all matches before `limit`. */
  'pipe.query': { input: PipeQuerySchema, output: z.object({ events: z.array(PipeEventSchema), total: z.number() }) },
  /** The reader's counters; null while the pipe service is not running. */
  'pipe.counters': { input: none, output: PipeCountersSchema.nullable() },
  /** One session's production history from disk, at the finest resolution that fits maxPoints. */
  'history.query': { input: HistoryQuerySchema, output: HistoryAnswerSchema },
  /** Every session the history holds, oldest first. */
  'history.sessions': { input: none, output: z.array(HistorySessionSchema) },
  /** The store's size, bound and counters; null while history is turned off. */
  'history.status': { input: none, output: HistoryStatusSchema.nullable() },
  /** Item id -> English name from the player's Factorio folder (history.factorioDir); empty when unknown. */
  'history.names': { input: none, output: z.record(z.string(), z.string()) },
  /**
   * Icons of these items from the player's Factorio folder, as `data:image/png` URLs (the game's
   * file as it is: a mipmap strip whose first square is the icon); items without one are left out.
   */
  'history.icons': {
    input: z.object({ items: z.array(z.string().min(1).max(200)).max(500) }).strict(),
    output: z.array(z.object({ item: z.string(), dataUrl: z.string().startsWith('data:image/png;base64,') })),
  },
  'demo.status': { input: none, output: DemoStatusSchema },
  /** Starts the simulated factory writing into the pipe (`rate`: stats lines per second, default 0.5). */
  'demo.start': {
    input: z
      .object({ rate: z.number().min(0.1).max(1000).optional() })
      .strict()
      .optional(),
    output: DemoStatusSchema,
  },
  'demo.stop': { input: none, output: DemoStatusSchema },
  /** The W&B session manager's runs; null while it is not running. */
  'wandb.status': { input: none, output: WandbStatusSchema.nullable() },
  /** Uploads runs kept offline or refused earlier. */
  'wandb.sync': { input: none, output: z.object({ runs: z.number() }) },
  /** Checks the saved W&B API key against the saved base URL (GraphQL `viewer`); works while W&B is off too. */
  'wandb.testKey': { input: none, output: KeyTestResultSchema },
  /** The engine server's address, games and call figures; null while it is not running. */
  'engine.status': { input: none, output: EngineStatusSchema.nullable() },
  /** gRPC Reset on our own engine server (seed: a u64 within JavaScript's safe integers). */
  'engine.reset': { input: EngineResetInputSchema, output: EnginePlayResultSchema },
  /** gRPC Step on our own engine server; illegal moves come back as bad_request with the engine's reason. */
  'engine.step': { input: EngineStepInputSchema, output: EnginePlayResultSchema },
  /** The Discord relay's counters, queue and recent lines; null while it is not running. */
  'discord.status': { input: none, output: DiscordStatusSchema.nullable() },
  /** Queues a test message through the outbox (and retries a stopped delivery once). */
  'discord.test': { input: none, output: RelayedLineSchema },
  /** Turns relaying of one event type on or off (saved in the config file as discord.types). */
  'discord.setType': {
    input: z.object({ type: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/), enabled: z.boolean() }).strict(),
    output: ConfigViewSchema,
    invalid: 'bad_request',
  },
  /** Every slot's live status, deploy progress and join-test history; null while no slots are configured. */
  'slots.status': { input: none, output: SlotsStatusSchema.nullable() },
  /** Polls one slot now. */
  'slots.check': { input: z.object({ id: z.string().max(40) }).strict(), output: SlotsStatusSchema },
  /** Deploys the bundled scenario to one slot, or to every slot with a deploy target (no id). */
  'slots.deploy': {
    input: z.object({ id: z.string().max(40).optional() }).strict(),
    output: z.array(z.object({ id: z.string(), ok: z.boolean(), message: z.string() })),
  },
  /** Runs the slot's restartCommand; its output streams into the slot's status. */
  'slots.restart': {
    input: z.object({ id: z.string().max(40) }).strict(),
    output: z.object({ exitCode: z.number().nullable(), output: z.array(z.string()) }),
  },
  'slots.joinTest': { input: z.object({ id: z.string().max(40) }).strict(), output: JoinTestRunSchema },
  /** Connects to one saved slot's RCON, authenticates and runs `/version` on a connection of its own. */
  'slots.testRcon': { input: z.object({ id: z.string().max(40) }).strict(), output: KeyTestResultSchema },
  /** Factorio's user data folder on this machine (or factorio.userDataDir), its version and our mod's state there. */
  'factorio.detect': { input: none, output: FactorioDetectionSchema },
  /** Copies the mod into mods/, enables it in mod-list.json (backup first, other entries untouched), points the pipe at script-output. */
  'factorio.installMod': { input: FactorioInstallInputSchema, output: FactorioInstallResultSchema },
  /** The page has subscribed: queued pushes may flow now. */
  'ui.ready': { input: none, output: z.object({ ok: z.literal(true) }) },
} as const;

export type { EnginePlayResult, EngineStatus } from './engine';

export type MethodName = keyof typeof methods;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>;

/**
 * Pushed events. `latest`: only the newest payload matters, queued copies are coalesced.
 * `stream`: every item matters; items of one ~50 ms window arrive as one array.
 */
export const pushes = {
  status: { kind: 'latest', payload: StatusSnapshotSchema },
  config: { kind: 'latest', payload: ConfigViewSchema },
  /** Every accepted event, in order. */
  events: { kind: 'stream', payload: z.array(PipeEventSchema) },
  pipe: { kind: 'latest', payload: PipeCountersSchema },
  demo: { kind: 'latest', payload: DemoStatusSchema },
  wandb: { kind: 'latest', payload: WandbStatusSchema },
  discord: { kind: 'latest', payload: DiscordStatusSchema },
  slots: { kind: 'latest', payload: SlotsStatusSchema },
  engine: { kind: 'latest', payload: EngineStatusSchema },
} as const;

export type PushName = keyof typeof pushes;
export const PUSH_NAMES = Object.keys(pushes) as PushName[];
export type PushPayload<P extends PushName> = z.output<(typeof pushes)[P]['payload']>;

export const ERROR_CODES = [
  'bad_request',
  'unknown_method',
  'invalid_config',
  'forbidden',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** For `invalid_config`/`bad_request`: one entry per field problem. */
  issues?: { path: string; message: string }[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };

/** Thrown on either side of the boundary; crosses it as `{ ok: false, error }` and is rebuilt. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return this.issues
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }

  static fromBody(body: ApiErrorBody): ApiError {
    return new ApiError(body.code, body.message, body.issues);
  }
}

/** The Electron transport's two channels: the contract's invokes, and its pushes (main and preload share these). */
export const INVOKE_CHANNEL = 'control-room:invoke';
export const PUSH_CHANNEL = 'control-room:push';

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** The WebSocket frames of the headless transport (the IPC transport carries the same payloads). */
export type ClientFrame = { id: number; method: string; payload?: unknown };
export type ServerFrame = { id: number; result: Result<unknown> } | { push: PushName; payload: unknown };
