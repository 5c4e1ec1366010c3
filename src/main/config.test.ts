import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../shared/api';
import { applyEnvOverrides, ConfigError, ConfigStore, loadEnv } from './config';
import { SecretStore, type Env } from './secrets';

function setup(fileContent: string | null, env: Env = {}, keepLastGood = false) {
  const dir = mkdtempSync(join(tmpdir(), 'cr-config-'));
  const path = join(dir, 'config.json');
  if (fileContent !== null) writeFileSync(path, fileContent);
  const secrets = new SecretStore(env, dir);
  const store = new ConfigStore({ path, env, secrets, appHome: join(dir, 'home'), keepLastGood });
  return { dir, path, store };
}

describe('environment overrides', () => {
  it('layers env over the file and records which variable won', () => {
    const { raw, overrides, issues } = applyEnvOverrides(
      { wandb: { project: 'from-file' } },
      {
        WANDB_PROJECT: 'from-env',
        ENGINE_PORT: '6000',
        FACTORIO_PIPE_PATH: '/p',
        DISCORD_WEBHOOK_URL_FILE: '/run/secrets/hook',
      },
    );
    expect(issues).toEqual([]);
    expect(raw).toMatchObject({
      wandb: { project: 'from-env' },
      engine: { port: 6000 },
      pipe: { path: '/p' },
      discord: { webhookUrl: { file: '/run/secrets/hook' } },
    });
    expect(overrides).toEqual({
      'wandb.project': 'WANDB_PROJECT',
      'engine.port': 'ENGINE_PORT',
      'pipe.path': 'FACTORIO_PIPE_PATH',
      'discord.webhookUrl': 'DISCORD_WEBHOOK_URL_FILE',
    });
  });

  it('keeps a secret from the environment as a reference, never copying its value', () => {
    const { raw } = applyEnvOverrides({}, { WANDB_API_KEY: 'k-123' });
    expect(raw).toEqual({ wandb: { apiKey: { env: 'WANDB_API_KEY' } } });
  });

  it('rejects a bad port and a secret given twice, naming the variables', () => {
    const { issues } = applyEnvOverrides({}, { ENGINE_PORT: 'abc', WANDB_API_KEY: 'a', WANDB_API_KEY_FILE: '/f' });
    expect(issues).toEqual([
      { path: 'wandb.apiKey', message: 'both WANDB_API_KEY and WANDB_API_KEY_FILE are set; set only one' },
      { path: 'engine.port', message: 'ENGINE_PORT must be a port number 1-65535 (got "abc")' },
    ]);
  });

  it('reads .env under the real environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-env-'));
    writeFileSync(join(dir, '.env'), 'WANDB_PROJECT=dotenv\nWANDB_ENTITY=team\n');
    expect(loadEnv(dir, { WANDB_ENTITY: 'real' })).toMatchObject({ WANDB_PROJECT: 'dotenv', WANDB_ENTITY: 'real' });
  });
});

describe('ConfigStore', () => {
  it('creates a missing file and fills dataDir and the pipe path', () => {
    const { store, dir, path } = setup(null);
    store.load();
    expect(readFileSync(path, 'utf8').trim()).toBe('{}');
    expect(store.effective.dataDir).toBe(join(dir, 'home', 'data'));
    expect(store.effective.pipe.path).toMatch(/script-output[/\\]events\.pipe$/);
  });

  it('throws a ConfigError naming path and value for a bad file (headless)', () => {
    const { store } = setup('{"pipe":{"mode":"socket"}}');
    expect(() => store.load()).toThrow(ConfigError);
    try {
      store.load();
    } catch (e) {
      expect((e as ConfigError).issues[0]).toMatchObject({ path: 'pipe.mode' });
      expect((e as ConfigError).issues[0].message).toContain('"socket"');
    }
  });

  it('says where invalid JSON is', () => {
    const { store } = setup('{"pipe": ');
    expect(() => store.load()).toThrow(/\(file\): not valid JSON/);
  });

  it('keeps the last good config and reports the problem when asked to (desktop)', () => {
    const { store, path } = setup('{"wandb":{"project":"good"}}', {}, true);
    store.load();
    writeFileSync(path, '{"wandb":{"project":""}}');
    store.load();
    expect(store.effective.wandb.project).toBe('good');
    expect(store.loadError?.issues[0].path).toBe('wandb.project');
    expect(store.view().loadError).not.toBeNull();
  });

  it('saves a valid edit atomically, owner-only, with secret edits applied', () => {
    const { store, path } = setup(
      '{"wandb":{"apiKey":"old-key"},"discord":{"webhookUrl":"https://discord.example/hook"}}',
    );
    store.load();
    store.update({
      wandb: { project: 'p2', apiKey: { keep: true } },
      discord: { webhookUrl: { clear: true } },
      slots: [{ id: 's1', rconPassword: { value: 'pw' } }],
    });
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.wandb).toMatchObject({ project: 'p2', apiKey: 'old-key' });
    expect(saved.discord.webhookUrl).toBeUndefined();
    expect(saved.slots[0].rconPassword).toBe('pw');
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.effective.wandb.project).toBe('p2');
  });

  it('omitting a secret in an edit keeps it (per slot id for slot secrets)', () => {
    const { store, path } = setup('{"slots":[{"id":"a","rconPassword":"pa"},{"id":"b","rconPassword":"pb"}]}');
    store.load();
    store.update({ slots: [{ id: 'b' }, { id: 'a' }] });
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.slots.map((s: { id: string; rconPassword: string }) => [s.id, s.rconPassword])).toEqual([
      ['b', 'pb'],
      ['a', 'pa'],
    ]);
  });

  it('rejects an invalid edit with field issues and leaves the file untouched', () => {
    const { store, path } = setup('{"engine":{"port":6000}}');
    store.load();
    const before = readFileSync(path, 'utf8');
    let err: unknown;
    try {
      store.update({ engine: { port: 0 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid_config');
    expect((err as ApiError).issues?.[0]).toMatchObject({ path: 'engine.port' });
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(store.effective.engine.port).toBe(6000);
  });

  it('redacts every secret in the view, showing only whether it is set and its source', () => {
    const { store } = setup(
      JSON.stringify({
        wandb: { apiKey: 'wk-secret' },
        discord: { webhookUrl: { env: 'HOOK' } },
        slots: [
          {
            id: 'a',
            rconPassword: 'rcon-secret',
            deploy: { kind: 'ssh', host: 'h', user: 'u', dir: '/d', password: 'ssh-secret' },
          },
        ],
      }),
      { HOOK: 'https://hook-secret' },
    );
    store.load();
    const view = store.view();
    const text = JSON.stringify(view);
    for (const s of ['wk-secret', 'hook-secret', 'rcon-secret', 'ssh-secret']) expect(text).not.toContain(s);
    expect(view.file.wandb.apiKey).toEqual({ set: true, source: 'literal' });
    expect(view.file.discord.webhookUrl).toEqual({ set: true, source: 'env', ref: 'HOOK' });
  });

  it('shows env overrides in the view and does not write them into the file', () => {
    const { store, path } = setup('{}', { WANDB_PROJECT: 'env-project' });
    store.load();
    expect(store.view().overrides).toEqual({ 'wandb.project': 'WANDB_PROJECT' });
    expect(store.effective.wandb.project).toBe('env-project');
    store.update({ wandb: { entity: 'me' } });
    expect(JSON.parse(readFileSync(path, 'utf8')).wandb.project).toBe('factorio-experiments');
  });
});
