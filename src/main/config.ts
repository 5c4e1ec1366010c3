// Loads the config file, layers `.env` and environment overrides on top, validates with the shared
// schema, and saves Settings edits atomically. A bad file never replaces a good config: headless
// exits with the message, the desktop app keeps the last good config and shows the problem.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ApiError, type ConfigView } from '../shared/api';
import {
  ConfigEditSchema,
  ConfigSchema,
  describeIssues,
  formatIssues,
  type Config,
  type ConfigIssue,
  type RedactedConfig,
  type SecretRef,
} from '../shared/config';
import { appHome, defaultConfigPath, defaultPipePath } from './paths';
import { SecretStore, type Env } from './secrets';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`invalid configuration in ${file}: ${formatIssues(issues)}`);
    this.name = 'ConfigError';
  }
}

type OverrideKind = 'string' | 'secret' | 'port';
/** Environment variables that override config keys. Secrets also accept `NAME_FILE`. */
export const ENV_OVERRIDES: readonly { env: string; path: readonly [string, string]; kind: OverrideKind }[] = [
  { env: 'FACTORIO_PIPE_PATH', path: ['pipe', 'path'], kind: 'string' },
  { env: 'FACTORIO_PIPE_LOG_PATH', path: ['pipe', 'mirrorLogPath'], kind: 'string' },
  { env: 'FACTORIO_CONSOLE_LOG_PATH', path: ['discord', 'consoleLogPath'], kind: 'string' },
  { env: 'WANDB_API_KEY', path: ['wandb', 'apiKey'], kind: 'secret' },
  { env: 'WANDB_BASE_URL', path: ['wandb', 'baseUrl'], kind: 'string' },
  { env: 'WANDB_PROJECT', path: ['wandb', 'project'], kind: 'string' },
  { env: 'WANDB_ENTITY', path: ['wandb', 'entity'], kind: 'string' },
  { env: 'DISCORD_WEBHOOK_URL', path: ['discord', 'webhookUrl'], kind: 'secret' },
  { env: 'ENGINE_PORT', path: ['engine', 'port'], kind: 'port' },
];

/** The process environment over the `.env` file in `dir` (real environment variables win). */
export function loadEnv(dir: string, processEnv: Env = process.env): Env {
  const file = join(dir, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...processEnv };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies env overrides to the raw file object; returns the overridden paths and any env problems. */
export function applyEnvOverrides(
  raw: Json,
  env: Env,
): { raw: Json; overrides: Record<string, string>; issues: ConfigIssue[] } {
  const out: Json = structuredClone(raw);
  const overrides: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    const fileValue = o.kind === 'secret' ? env[`${o.env}_FILE`] : undefined;
    if (!value && !fileValue) continue;
    let v: unknown;
    let source = o.env;
    if (o.kind === 'secret') {
      if (value && fileValue) {
        issues.push({ path: o.path.join('.'), message: `both ${o.env} and ${o.env}_FILE are set; set only one` });
        continue;
      }
      v = value ? ({ env: o.env } satisfies SecretRef) : ({ file: fileValue! } satisfies SecretRef);
      if (!value) source = `${o.env}_FILE`;
    } else if (o.kind === 'port') {
      const n = Number(value);
      if (!/^\d+$/.test(value!) || n < 1 || n > 65535) {
        issues.push({
          path: o.path.join('.'),
          message: `${o.env} must be a port number 1-65535 (got ${JSON.stringify(value)})`,
        });
        continue;
      }
      v = n;
    } else {
      v = value;
    }
    const [section, key] = o.path;
    const target = isObject(out[section]) ? (out[section] as Json) : (out[section] = {});
    target[key] = v;
    overrides[o.path.join('.')] = source;
  }
  return { raw: out, overrides, issues };
}

export function parseConfig(raw: unknown, file: string): Config {
  const r = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!r.success) throw new ConfigError(file, describeIssues(r.error));
  return r.data;
}

/** Deeper than any real config; refused before validation walks it recursively. */
export const MAX_CONFIG_DEPTH = 32;

/** The first path nested deeper than `max` (walked with an explicit stack: the value may be very deep). */
export function pathDeeperThan(value: unknown, max: number): string | null {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= max) return path.slice(0, 4).join('.') + (path.length > 4 ? '.…' : '');
    for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: [...path, k] });
  }
  return null;
}

export function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [
      { path: '(file)', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` },
    ]);
  }
  // An empty file is more likely a failed write or a wrong path than a wish for defaults; `{}` says that.
  if (text.trim() === '')
    throw new ConfigError(path, [{ path: '(file)', message: 'the file is empty (write {} to run on the defaults)' }]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, [{ path: '(file)', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  if (!isObject(raw)) throw new ConfigError(path, [{ path: '(root)', message: 'expected a JSON object' }]);
  const deep = pathDeeperThan(raw, MAX_CONFIG_DEPTH);
  if (deep !== null)
    throw new ConfigError(path, [{ path: deep, message: `nested deeper than ${MAX_CONFIG_DEPTH} levels` }]);
  return raw;
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

export function redactConfig(config: Config, secrets: SecretStore): RedactedConfig {
  return {
    ...config,
    wandb: { ...config.wandb, apiKey: secrets.status(config.wandb.apiKey) },
    discord: { ...config.discord, webhookUrl: secrets.status(config.discord.webhookUrl) },
    slots: config.slots.map((s) => ({
      ...s,
      rconPassword: secrets.status(s.rconPassword),
      deploy: s.deploy?.kind === 'ssh' ? { ...s.deploy, password: secrets.status(s.deploy.password) } : s.deploy,
    })),
  };
}

/** The config services run with: file + .env + environment, defaults applied, dataDir and pipe.path resolved. */
export type EffectiveConfig = Config & { dataDir: string; pipe: Config['pipe'] & { path: string } };

export interface ConfigStoreOptions {
  path: string;
  env: Env;
  secrets: SecretStore;
  /** Folder for the default dataDir (`<appHome>/data`). */
  appHome: string;
  /** `--data-dir`: wins over the file and the environment. */
  dataDirOverride?: string;
  /** Desktop: keep running on the last good config when the file is bad. Headless: throw. */
  keepLastGood: boolean;
}

export class ConfigStore {
  file!: Config;
  effective!: EffectiveConfig;
  overrides: Record<string, string> = {};
  loadError: { message: string; issues: ConfigIssue[] } | null = null;

  constructor(private readonly opts: ConfigStoreOptions) {}

  get path(): string {
    return this.opts.path;
  }

  private get lastGoodPath(): string {
    return join(dirname(this.opts.path), 'config.last-good.json');
  }

  /** Reads the file (created empty when missing) and computes the effective config. */
  load(): void {
    if (!existsSync(this.opts.path)) writeAtomic(this.opts.path, '{}\n');
    try {
      this.adopt(parseConfig(readConfigFile(this.opts.path), this.opts.path));
      this.loadError = null;
      writeAtomic(this.lastGoodPath, JSON.stringify(this.file, null, 2) + '\n');
    } catch (e) {
      if (!(e instanceof ConfigError) || !this.opts.keepLastGood) throw e;
      this.loadError = { message: e.message, issues: e.issues };
      let fallback: Config;
      try {
        fallback = parseConfig(readConfigFile(this.lastGoodPath), this.lastGoodPath);
      } catch {
        fallback = ConfigSchema.parse({});
      }
      this.adopt(fallback);
    }
  }

  /** Computes the effective config for a file config; throws ConfigError for bad env overrides. */
  private computeEffective(file: Config): { effective: EffectiveConfig; overrides: Record<string, string> } {
    const { raw, overrides, issues } = applyEnvOverrides(file as unknown as Json, this.opts.env);
    if (issues.length) throw new ConfigError('environment', issues);
    const parsed = parseConfig(raw, 'environment');
    if (this.opts.dataDirOverride) overrides.dataDir = '--data-dir';
    // --data-dir is relative to where the command runs; the file's dataDir to the file's folder.
    const dataDir = this.opts.dataDirOverride
      ? resolve(this.opts.dataDirOverride)
      : resolve(dirname(this.opts.path), parsed.dataDir ?? join(this.opts.appHome, 'data'));
    const effective: EffectiveConfig = {
      ...parsed,
      dataDir,
      pipe: { ...parsed.pipe, path: parsed.pipe.path ?? defaultPipePath(this.opts.env as NodeJS.ProcessEnv) },
    };
    return { effective, overrides };
  }

  private adopt(file: Config): void {
    const { effective, overrides } = this.computeEffective(file);
    this.file = file;
    this.effective = effective;
    this.overrides = overrides;
  }

  view(): ConfigView {
    return {
      file: redactConfig(this.file, this.opts.secrets),
      effective: redactConfig(this.effective, this.opts.secrets),
      overrides: this.overrides,
      path: this.opts.path,
      loadError: this.loadError,
      secretsEncrypted: this.opts.secrets.encrypts,
    };
  }

  /** Changes the file config in code (e.g. a switch in a view): validated, written and adopted like an edit. */
  amend(change: (file: Config) => Config): void {
    this.save(change(structuredClone(this.file)));
  }

  /** Validates a Settings edit, writes it atomically and adopts it. Throws ApiError('invalid_config'). */
  update(input: unknown): void {
    const parsed = ConfigEditSchema.safeParse(input, { reportInput: true });
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      throw new ApiError('invalid_config', `configuration not saved: ${formatIssues(issues)}`, issues);
    }
    const edit = parsed.data;
    const s = this.opts.secrets;
    const currentSlot = (id: string) => this.file.slots.find((x) => x.id === id);
    const next = {
      ...edit,
      wandb: { ...edit.wandb, apiKey: s.applyEdit(this.file.wandb.apiKey, edit.wandb.apiKey ?? { keep: true }) },
      discord: {
        ...edit.discord,
        webhookUrl: s.applyEdit(this.file.discord.webhookUrl, edit.discord.webhookUrl ?? { keep: true }),
      },
      slots: edit.slots.map((slot) => {
        const cur = currentSlot(slot.id);
        const curDeploy = cur?.deploy?.kind === 'ssh' ? cur.deploy : undefined;
        return {
          ...slot,
          rconPassword: s.applyEdit(cur?.rconPassword, slot.rconPassword ?? { keep: true }),
          deploy:
            slot.deploy?.kind === 'ssh'
              ? { ...slot.deploy, password: s.applyEdit(curDeploy?.password, slot.deploy.password ?? { keep: true }) }
              : slot.deploy,
        };
      }),
    };
    this.save(next);
  }

  /** Validates a whole file config, writes it atomically (and as the last good one) and adopts it. */
  private save(next: unknown): void {
    let file: Config;
    try {
      file = parseConfig(JSON.parse(JSON.stringify(next)), this.opts.path);
      this.computeEffective(file);
    } catch (e) {
      if (e instanceof ConfigError) throw new ApiError('invalid_config', e.message, e.issues);
      throw e;
    }
    writeAtomic(this.opts.path, JSON.stringify(file, null, 2) + '\n');
    writeAtomic(this.lastGoodPath, JSON.stringify(file, null, 2) + '\n');
    this.adopt(file);
    this.loadError = null;
  }
}

/**
 * The config a command-line tool runs with: the file (default: the app's), `.env` in the working
 * directory, the environment, and `--data-dir`. Throws ConfigError for a bad file or environment.
 */
export function loadToolConfig(opts: { config?: string; dataDir?: string }): {
  store: ConfigStore;
  secrets: SecretStore;
  path: string;
} {
  const path = resolve(opts.config ?? defaultConfigPath());
  const env = loadEnv(process.cwd());
  const secrets = new SecretStore(env, dirname(path));
  const store = new ConfigStore({
    path,
    env,
    secrets,
    appHome: appHome(env as NodeJS.ProcessEnv),
    dataDirOverride: opts.dataDir,
    keepLastGood: false,
  });
  store.load();
  return { store, secrets, path };
}
