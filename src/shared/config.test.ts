import { describe, expect, it } from 'vitest';
import { ConfigSchema, describeIssues, formatIssues, isSecretPath } from './config';

describe('ConfigSchema', () => {
  it('fills every section with documented defaults from an empty object', () => {
    const c = ConfigSchema.parse({});
    expect(c.pipe).toEqual({
      mode: 'file',
      capacity: 10_000,
      maxLineBytes: 1024 * 1024,
      startAt: 'end',
      mirrorMaxBytes: 10 * 1024 * 1024,
      mirrorFiles: 5,
    });
    expect(c.wandb).toMatchObject({
      enabled: false,
      baseUrl: 'https://api.wandb.ai',
      project: 'factorio-experiments',
      entity: '',
    });
    expect(c.discord).toMatchObject({ enabled: false, botName: 'Factorio' });
    expect(c.engine).toEqual({
      enabled: false,
      host: '127.0.0.1',
      port: 50051,
      unaryWorkers: 2,
      budgetMs: 3000,
      batchBudgetSeconds: 600,
      maxStreams: 32,
      streamMemoryMB: 512,
    });
    expect(c.web).toEqual({ host: '127.0.0.1', port: 7780, allowedHosts: [], maxSendBufferBytes: 32 * 1024 * 1024 });
    expect(c.slots).toEqual([]);
  });

  it('names the field path and the offending value', () => {
    const r = ConfigSchema.safeParse(
      { pipe: { capacity: -5 }, slots: [{ id: 'a', rconPort: 70000 }] },
      { reportInput: true },
    );
    expect(r.success).toBe(false);
    const text = formatIssues(describeIssues(r.error!));
    expect(text).toMatch(/pipe\.capacity: .*\(got -5\)/);
    expect(text).toMatch(/slots\.0\.rconPort: .*\(got 70000\)/);
  });

  it('rejects unknown keys so typos do not pass silently', () => {
    const r = ConfigSchema.safeParse({ pipe: { pth: '/x' } });
    expect(describeIssues(r.error!)).toEqual([{ path: 'pipe', message: 'unknown key "pth"' }]);
  });

  it('never echoes the value of a secret field in an error', () => {
    const r = ConfigSchema.safeParse(
      { wandb: { apiKey: { env: 'X', extra: 'hunter2-secret' } } },
      { reportInput: true },
    );
    const text = formatIssues(describeIssues(r.error!));
    expect(text).toContain('wandb.apiKey');
    expect(text).not.toContain('hunter2-secret');
  });

  it('rejects duplicate slot ids', () => {
    const r = ConfigSchema.safeParse({ slots: [{ id: 's1' }, { id: 's1' }] });
    expect(describeIssues(r.error!)).toContainEqual({ path: 'slots.1.id', message: 'duplicate slot id "s1"' });
  });

  it('knows which paths are secrets, including inside arrays', () => {
    expect(isSecretPath('wandb.apiKey')).toBe(true);
    expect(isSecretPath('slots.3.rconPassword')).toBe(true);
    expect(isSecretPath('slots.0.deploy.password')).toBe(true);
    expect(isSecretPath('slots.0.rconPort')).toBe(false);
    expect(isSecretPath('wandb.project')).toBe(false);
  });
});
