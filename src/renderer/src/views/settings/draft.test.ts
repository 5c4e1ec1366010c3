import { describe, expect, it } from 'vitest';
import { RedactedConfigSchema, type RedactedConfig } from '../../../../shared/config';
import { candidate, issuesAt, pick, sectionIssues, setPath, toDraft } from './draft';

const file: RedactedConfig = RedactedConfigSchema.parse({
  wandb: { apiKey: { set: true, source: 'literal' }, project: 'p' },
  slots: [{ id: 'alpha', rconPort: 27015, rconPassword: { set: true, source: 'env', ref: 'PW' } }],
});
const slotsKeys = ['slots', 'joinTest'] as const;

describe('settings draft', () => {
  it('turns set secrets into keep edits and never carries their status', () => {
    const d = toDraft(file);
    expect(getSecret(d, 'wandb')).toEqual({ keep: true });
    expect((d.slots as { rconPassword: unknown }[])[0].rconPassword).toEqual({ keep: true });
    expect((d.discord as { webhookUrl?: unknown }).webhookUrl).toBeUndefined();
  });

  it("a section's save sends the file on disk with only that section's keys drafted", () => {
    const wandb = setPath(pick(toDraft(file), ['wandb']), 'wandb.project', 'new');
    const c = candidate(file, ['wandb'], wandb);
    expect((c.wandb as { project: string }).project).toBe('new');
    expect(c.slots).toEqual(toDraft(file).slots);
  });

  it('names each bad field of a slot row by its path, with the shared schema', () => {
    const draft = pick(toDraft(file), slotsKeys);
    const bad = setPath(setPath(draft, 'slots.0.rconPort', 70000), 'slots.0.id', 'Bad Id');
    const issues = sectionIssues(file, slotsKeys, bad);
    expect(issuesAt(issues, 'slots.0.rconPort')[0].message).toMatch(/70000/);
    expect(issuesAt(issues, 'slots.0.id')[0].message).toMatch(/a-z, 0-9/);
    expect(issuesAt(issues, 'slots.0.name')).toEqual([]);
  });

  it('finds a duplicate slot id on the second row', () => {
    const draft = pick(toDraft(file), slotsKeys);
    const two = setPath(draft, 'slots', [...(draft.slots as object[]), { id: 'alpha' }]);
    expect(issuesAt(sectionIssues(file, slotsKeys, two), 'slots.1.id')[0].message).toContain(
      'duplicate slot id "alpha"',
    );
  });

  it('checks a Discord pattern row field by field (RE2 regex, template groups)', () => {
    const draft = pick(toDraft(file), ['discord']);
    const rows = [{ name: 'launch', regex: '^\\[LAUNCH\\] (?P<who>\\S+', template: '{who}' }];
    const issues = sectionIssues(file, ['discord'], setPath(draft, 'discord.patterns', rows));
    expect(issuesAt(issues, 'discord.patterns.0.regex')[0].message).toContain('not a valid RE2 regular expression');
    const fixed = [{ name: 'launch', regex: '^\\[LAUNCH\\] (?P<who>\\S+)', template: '{nobody} launched' }];
    expect(
      issuesAt(
        sectionIssues(file, ['discord'], setPath(draft, 'discord.patterns', fixed)),
        'discord.patterns.0.template',
      ),
    ).toHaveLength(1);
  });

  it('reports only the problems of the section being edited', () => {
    const wandb = setPath(pick(toDraft(file), ['wandb']), 'wandb.flushSeconds', 0);
    expect(sectionIssues(file, ['wandb'], wandb).map((i) => i.path)).toEqual(['wandb.flushSeconds']);
    expect(sectionIssues(file, ['engine'], pick(toDraft(file), ['engine']))).toEqual([]);
  });
});

function getSecret(d: Record<string, unknown>, section: string): unknown {
  return (d[section] as { apiKey?: unknown }).apiKey;
}
