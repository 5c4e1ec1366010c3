// The Settings draft: the file config with secrets as edits (`{keep:true}` when one is set), and
// validation with the same zod schema main saves with. Each section owns some top-level keys; a
// section's Save sends the file as it is on disk with only that section's keys replaced, so
// unsaved edits elsewhere are neither sent nor lost.
import {
  ConfigEditSchema,
  describeIssues,
  type ConfigIssue,
  type RedactedConfig,
  type SecretEdit,
  type SecretStatus,
} from '../../../../shared/config';

export type Obj = Record<string, unknown>;

export function getPath(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((acc, k) => (acc && typeof acc === 'object' ? (acc as Obj)[k] : undefined), o);
}

export function setPath<T>(o: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const copy: Obj | unknown[] = Array.isArray(o) ? [...o] : { ...(o as Obj) };
  const rec = copy as Obj;
  if (rest.length === 0) {
    if (value === undefined && !Array.isArray(copy)) delete rec[head];
    else rec[head] = value;
  } else {
    rec[head] = setPath((rec[head] as Obj) ?? {}, rest.join('.'), value);
  }
  return copy as T;
}

export const keepIfSet = (s: SecretStatus | undefined): SecretEdit | undefined =>
  s?.set || s?.source ? { keep: true } : undefined;

/** The whole file config as an edit. */
export function toDraft(file: RedactedConfig): Obj {
  const d = structuredClone(file) as unknown as Obj;
  (d.wandb as Obj).apiKey = keepIfSet(file.wandb.apiKey);
  (d.discord as Obj).webhookUrl = keepIfSet(file.discord.webhookUrl);
  d.slots = file.slots.map((s) => ({
    ...s,
    rconPassword: keepIfSet(s.rconPassword),
    deploy: s.deploy?.kind === 'ssh' ? { ...s.deploy, password: keepIfSet(s.deploy.password) } : s.deploy,
  }));
  return d;
}

export function pick(o: Obj, keys: readonly string[]): Obj {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** What one section's Save sends: the file on disk, with this section's keys as drafted. */
export function candidate(file: RedactedConfig, keys: readonly string[], sectionDraft: Obj): Obj {
  const base = toDraft(file);
  for (const k of keys) delete base[k];
  return { ...base, ...sectionDraft };
}

const under = (path: string, key: string) => path === key || path.startsWith(key + '.');

/** Problems with a section's draft (paths like `slots.0.rconPort`), from the shared config schema. */
export function sectionIssues(file: RedactedConfig, keys: readonly string[], sectionDraft: Obj): ConfigIssue[] {
  const r = ConfigEditSchema.safeParse(candidate(file, keys, sectionDraft), { reportInput: true });
  return r.success ? [] : describeIssues(r.error).filter((i) => keys.some((k) => under(i.path, k)));
}

/** The issues at `path` or below it. */
export function issuesAt(issues: readonly ConfigIssue[], path: string): ConfigIssue[] {
  return issues.filter((i) => under(i.path, path));
}
