// The configuration schema: shared so the Settings view validates with the same rules as main.
// Key names are a public interface (README "Configuration"): add keys, never rename them.
import { z } from 'zod';
import { checkUserPattern } from './discord';

/** A secret in the config file: a literal, a reference to an env var or a file, or safeStorage ciphertext. */
export const SecretRefSchema = z.union([
  z.string().min(1),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
  z.object({ encrypted: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** What the renderer may know of a secret: whether it is set and where it comes from, never its value. */
export const SecretStatusSchema = z.object({
  set: z.boolean(),
  source: z.enum(['literal', 'env', 'file', 'encrypted']).nullable(),
  /** The env var name or file path for `env`/`file` sources (these are not secret). */
  ref: z.string().optional(),
});
export type SecretStatus = z.infer<typeof SecretStatusSchema>;

/** How the Settings view changes a secret: keep it, clear it, set a new value, or point it elsewhere. */
export const SecretEditSchema = z.union([
  z.object({ keep: z.literal(true) }).strict(),
  z.object({ clear: z.literal(true) }).strict(),
  z.object({ value: z.string().min(1) }).strict(),
  z.object({ env: z.string().min(1) }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretEdit = z.infer<typeof SecretEditSchema>;

const port = z.number().int().min(1).max(65535);
const nonEmpty = z.string().min(1);

export const DiscordPatternSchema = z
  .object({
    /** The event type this pattern makes (also its switch in `discord.types`). */
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'use 1-40 of a-z, 0-9, "-" or "_", starting with a letter'),
    regex: z.string().min(1).max(2000),
    template: z.string().min(1).max(2000),
    emoji: z.string().max(16).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const problem = checkUserPattern(p);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        path: [problem.field],
        message: problem.message,
        input: problem.field === 'regex' ? p.regex : p.template,
      });
  });
export type DiscordPattern = z.infer<typeof DiscordPatternSchema>;

const LocalDeploySchema = z.object({ kind: z.literal('local'), dir: nonEmpty }).strict();

function slotSchema<S extends z.ZodType>(secret: S) {
  const sshDeploy = z
    .object({
      kind: z.literal('ssh'),
      host: nonEmpty,
      port: port.default(22),
      user: nonEmpty,
      dir: nonEmpty,
      keyPath: nonEmpty.optional(),
      password: secret.optional(),
      /** Pinned host key fingerprint (`SHA256:...`); otherwise known_hosts is used. */
      hostFingerprint: nonEmpty.optional(),
    })
    .strict();
  return z
    .object({
      id: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'use 1-40 of a-z, 0-9, "-" or "_", starting with a letter or digit'),
      name: nonEmpty.optional(),
      host: nonEmpty.default('127.0.0.1'),
      gamePort: port.default(34197),
      rconPort: port.default(27015),
      rconPassword: secret.optional(),
      deploy: z.discriminatedUnion('kind', [LocalDeploySchema, sshDeploy]).optional(),
      restartCommand: nonEmpty.optional(),
      /** Seconds between status polls while the slot answers (backoff up to 60 s while it does not). */
      pollSeconds: z.number().min(1).max(3600).default(5),
    })
    .strict();
}

function configSchema<S extends z.ZodType>(secret: S) {
  const slot = slotSchema(secret);
  return z
    .object({
      /** Where services keep journals, positions and history. Default: the app's data folder. */
      dataDir: nonEmpty.optional(),
      pipe: z
        .object({
          /** Default: the platform's Factorio `script-output/events.pipe`. */
          path: nonEmpty.optional(),
          /**
           * `file` (default): the game appends to a regular file and we follow it; nothing is lost
           * when the app crashes. `fifo`/`auto` read a FIFO: see the README's Reliability section.
           */
          mode: z.enum(['auto', 'fifo', 'file']).default('file'),
          capacity: z.number().int().min(1).max(1_000_000).default(10_000),
          /** A longer line is rejected without being buffered whole. */
          maxLineBytes: z
            .number()
            .int()
            .min(1024)
            .max(64 * 1024 * 1024)
            .default(1024 * 1024),
          /** File mode with no saved position: read what is already there (`start`) or only new lines (`end`). */
          startAt: z.enum(['start', 'end']).default('end'),
          mirrorLogPath: nonEmpty.optional(),
          /** The mirror rotates at this size, keeping `mirrorFiles` old files. */
          mirrorMaxBytes: z
            .number()
            .int()
            .min(1024)
            .default(10 * 1024 * 1024),
          mirrorFiles: z.number().int().min(1).max(100).default(5),
        })
        .strict()
        .prefault({}),
      /** Production history on disk (dataDir/history.db): raw samples, then minute and hour roll-ups. */
      history: z
        .object({
          enabled: z.boolean().default(true),
          /** Accepted lines are committed this often: a crash loses at most this much. */
          flushMs: z.number().int().min(10).max(1000).default(250),
          /** Game hours of raw samples kept per session. */
          rawHours: z.number().min(0.1).max(10_000).default(10),
          /** Game hours of minute roll-ups kept per session (hour roll-ups stay until maxMegabytes). */
          minuteHours: z.number().min(1).max(100_000).default(250),
          maxMegabytes: z.number().min(1).max(1_000_000).default(512),
          /** The player's Factorio install folder (holds `data/`): English item names and icons come from its files. Unset: the user data folder if it holds `data/`, else Steam's install folders. */
          factorioDir: nonEmpty.optional(),
        })
        .strict()
        .prefault({}),
      wandb: z
        .object({
          enabled: z.boolean().default(false),
          baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.wandb.ai'),
          apiKey: secret.optional(),
          project: nonEmpty.default('factorio-experiments'),
          /** Empty: the API key's default entity. */
          entity: z.string().default(''),
          /** `offline`: keep runs in the local journal only, upload later with Sync. */
          mode: z.enum(['online', 'offline']).default('online'),
          /** Stats lines are gathered and sent together this often (and when a run finishes). */
          flushSeconds: z.number().min(0.05).max(600).default(5),
          /** An empty request goes out when nothing was sent this long, so W&B does not mark an open run crashed. */
          heartbeatSeconds: z.number().min(0.1).max(600).default(30),
        })
        .strict()
        .prefault({}),
      discord: z
        .object({
          enabled: z.boolean().default(false),
          webhookUrl: secret.optional(),
          consoleLogPath: nonEmpty.optional(),
          /** The server's main log (its stdout, or factorio-current.log): `ready` and `save` lines are only there. */
          mainLogPath: nonEmpty.optional(),
          // Discord refuses webhook names containing "discord" or "clyde" (400), so catch it here.
          botName: z
            .string()
            .min(1)
            .max(80)
            .refine((n) => !/discord|clyde/i.test(n), 'Discord does not allow "discord" or "clyde" in a webhook name')
            .default('Factorio'),
          avatarUrl: z.url({ protocol: /^https?$/ }).optional(),
          /** With no saved position: relay only lines written from now on (`end`) or the whole file (`start`). */
          startAt: z.enum(['start', 'end']).default('end'),
          /** Per event type (built-in or a pattern's name): relay it or not. Whispers and commands are off unless set. */
          types: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/), z.boolean()).default({}),
          /** Extra line shapes, tried before the built-in ones: RE2 syntax, named groups fill `{name}` in the template. */
          patterns: z.array(DiscordPatternSchema).max(100).default([]),
        })
        .strict()
        .prefault({}),
      engine: z
        .object({
          enabled: z.boolean().default(false),
          host: nonEmpty.default('127.0.0.1'),
          port: port.default(50051),
          /** Game worker threads for BatchSimulate; unset: one per core (os.availableParallelism()), one on two cores. */
          workers: z.number().int().min(1).max(256).optional(),
          /** Worker threads for unary Reset/Step (a stuck call leaves the others serving). */
          unaryWorkers: z.number().int().min(1).max(64).default(2),
          /** Nice value of the BatchSimulate workers' threads (Linux); unset: 10, below the app's own threads. */
          batchNice: z.number().int().min(0).max(19).optional(),
          /** Longest one Reset/Step or one slice of a stream may run before its worker is replaced. */
          budgetMs: z.number().int().min(50).max(600_000).default(3000),
          /** Worker time one BatchSimulate may use in all; 0: unlimited. */
          batchBudgetSeconds: z.number().min(0).max(86_400).default(600),
          /** Concurrent BatchSimulate streams, and the memory they may hold together. */
          maxStreams: z.number().int().min(1).max(10_000).default(32),
          streamMemoryMB: z.number().int().min(1).max(65_536).default(512),
        })
        .strict()
        .prefault({}),
      slots: z
        .array(slot)
        .default([])
        .superRefine((slots, ctx) => {
          const seen = new Set<string>();
          slots.forEach((s, i) => {
            if (seen.has(s.id))
              ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate slot id "${s.id}"` });
            seen.add(s.id);
          });
        }),
      /** The player's own Factorio, where the app installs the stats mod. */
      factorio: z
        .object({
          /** Factorio's user data folder (mods/, script-output/). Unset: detected per platform. */
          userDataDir: nonEmpty.optional(),
          /** Which build of the mod to install; `auto` reads the version from the game's log in that folder (else 2.0). */
          gameVersion: z.enum(['auto', '2.0', '1.1']).default('auto'),
        })
        .strict()
        .prefault({}),
      /** Step 6 of the slots' join test: a real Factorio client launched with --mp-connect. */
      joinTest: z
        .object({
          /** The Factorio client executable; unset: the join test skips the client step. */
          clientPath: nonEmpty.optional(),
          timeoutSeconds: z.number().min(5).max(3600).default(120),
        })
        .strict()
        .prefault({}),
      web: z
        .object({
          host: nonEmpty.default('127.0.0.1'),
          /** 0 picks a free port. */
          port: z.number().int().min(0).max(65535).default(7780),
          /** Extra `host[:port]` names the headless server answers to (reverse proxies, LAN names). */
          allowedHosts: z.array(nonEmpty).default([]),
          /** A WebSocket client holding more unsent bytes than this has stopped reading and is dropped. */
          maxSendBufferBytes: z
            .number()
            .int()
            .min(65536)
            .max(1 << 30)
            .default(32 * 1024 * 1024),
        })
        .strict()
        .prefault({}),
    })
    .strict();
}

/** The config file as written on disk (secrets as references). */
export const ConfigSchema = configSchema(SecretRefSchema);
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** The config as the renderer sees it: secrets replaced by their status. */
export const RedactedConfigSchema = configSchema(SecretStatusSchema);
export type RedactedConfig = z.infer<typeof RedactedConfigSchema>;

/** The config as the Settings view submits it: secrets as edits. */
export const ConfigEditSchema = configSchema(SecretEditSchema);
export type ConfigEdit = z.input<typeof ConfigEditSchema>;

export interface ConfigIssue {
  /** Dotted field path, e.g. `slots.0.rconPort`. */
  path: string;
  message: string;
}

/** Field paths that hold secrets (`*` is any array index). */
export const SECRET_PATHS = [
  'wandb.apiKey',
  'discord.webhookUrl',
  'slots.*.rconPassword',
  'slots.*.deploy.password',
] as const;

export function isSecretPath(path: string): boolean {
  const generic = path.replace(/\.\d+(?=\.|$)/g, '.*');
  return SECRET_PATHS.some((p) => generic === p || generic.startsWith(p + '.'));
}

/** Turns zod issues into `path: problem (got value)` lines; values at secret paths are never echoed. */
export function describeIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    let message = issue.message;
    if ('input' in issue && issue.input !== undefined && !isSecretPath(path) && issue.code !== 'unrecognized_keys') {
      const shown = JSON.stringify(issue.input);
      if (shown !== undefined) message += ` (got ${shown.length > 80 ? shown.slice(0, 77) + '...' : shown})`;
    }
    if (issue.code === 'unrecognized_keys')
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return { path, message };
  });
}

export function formatIssues(issues: ConfigIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
