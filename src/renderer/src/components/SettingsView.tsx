// Edits the config file with the same schema main validates with. Secrets are write-only: the
// view shows whether one is set and where it comes from, and can replace, redirect or clear it.
import { useMemo, useState } from 'react';
import { ApiError, type ConfigView } from '../../../shared/api';
import { ConfigEditSchema, describeIssues, type ConfigIssue, type RedactedConfig, type SecretEdit, type SecretStatus } from '../../../shared/config';
import { api } from '../api/client';
import { useStore } from '../store';

type Obj = Record<string, unknown>;
type FieldType = 'text' | 'number' | 'checkbox' | 'secret' | 'list' | { select: readonly string[] };
interface FieldSpec {
  path: string;
  label: string;
  type: FieldType;
  hint?: string;
}

const SECTIONS: { title: string; fields: FieldSpec[] }[] = [
  { title: 'General', fields: [{ path: 'dataDir', label: 'Data folder', type: 'text', hint: 'Empty: the app folder’s data/.' }] },
  {
    title: 'Event pipe',
    fields: [
      { path: 'pipe.path', label: 'Pipe or file path', type: 'text', hint: 'Empty: Factorio’s script-output/events.pipe.' },
      { path: 'pipe.mode', label: 'Mode', type: { select: ['auto', 'fifo', 'file'] } },
      { path: 'pipe.capacity', label: 'Events kept in memory', type: 'number' },
      { path: 'pipe.maxLineBytes', label: 'Longest line (bytes)', type: 'number', hint: 'Longer lines are rejected as too_long.' },
      { path: 'pipe.startAt', label: 'A new file is read from', type: { select: ['end', 'start'] }, hint: 'File mode with no saved position: only new lines (end), or what is already there (start).' },
      { path: 'pipe.mirrorLogPath', label: 'Mirror raw lines to', type: 'text' },
      { path: 'pipe.mirrorMaxBytes', label: 'Rotate the mirror at (bytes)', type: 'number' },
      { path: 'pipe.mirrorFiles', label: 'Mirror files kept', type: 'number' },
    ],
  },
  {
    title: 'Weights & Biases',
    fields: [
      { path: 'wandb.enabled', label: 'Enabled', type: 'checkbox' },
      { path: 'wandb.baseUrl', label: 'Base URL', type: 'text' },
      { path: 'wandb.apiKey', label: 'API key', type: 'secret' },
      { path: 'wandb.project', label: 'Project', type: 'text' },
      { path: 'wandb.entity', label: 'Entity', type: 'text', hint: 'Empty: the API key’s default entity.' },
      { path: 'wandb.mode', label: 'Mode', type: { select: ['online', 'offline'] }, hint: 'Offline: journal only; upload later with Sync.' },
      { path: 'wandb.flushSeconds', label: 'Send every (seconds)', type: 'number' },
    ],
  },
  {
    title: 'Discord',
    fields: [
      { path: 'discord.enabled', label: 'Enabled', type: 'checkbox' },
      { path: 'discord.webhookUrl', label: 'Webhook URL', type: 'secret' },
      { path: 'discord.consoleLogPath', label: 'Server console.log', type: 'text' },
      { path: 'discord.botName', label: 'Bot name', type: 'text' },
      { path: 'discord.avatarUrl', label: 'Avatar URL', type: 'text' },
      { path: 'discord.startAt', label: 'A new log is read from', type: { select: ['end', 'start'] }, hint: 'With no saved position: only new lines (end), or the whole file (start).' },
    ],
  },
  {
    title: 'Join test',
    fields: [
      { path: 'joinTest.clientPath', label: 'Factorio client', type: 'text', hint: 'The client executable the slots’ join test launches with --mp-connect. Empty: that step is skipped.' },
      { path: 'joinTest.timeoutSeconds', label: 'Client verdict timeout (s)', type: 'number' },
    ],
  },
  {
    title: 'Engine server',
    fields: [
      { path: 'engine.enabled', label: 'Enabled', type: 'checkbox' },
      { path: 'engine.host', label: 'Host', type: 'text' },
      { path: 'engine.port', label: 'Port', type: 'number' },
    ],
  },
  {
    title: 'Web (headless mode)',
    fields: [
      { path: 'web.host', label: 'Host', type: 'text' },
      { path: 'web.port', label: 'Port', type: 'number', hint: '0 picks a free port. Takes effect on the next start.' },
      { path: 'web.allowedHosts', label: 'Extra allowed hosts', type: 'list', hint: 'Comma-separated host[:port] names.' },
    ],
  },
];

const SECRET_FIELDS = SECTIONS.flatMap((s) => s.fields).filter((f) => f.type === 'secret').map((f) => f.path);

function getPath(o: Obj, path: string): unknown {
  return path.split('.').reduce<unknown>((acc, k) => (acc && typeof acc === 'object' ? (acc as Obj)[k] : undefined), o);
}

function setPath(o: Obj, path: string, value: unknown): Obj {
  const [head, ...rest] = path.split('.');
  const copy = { ...o };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
  } else {
    copy[head] = setPath((o[head] as Obj) ?? {}, rest.join('.'), value);
  }
  return copy;
}

const keepIfSet = (s: SecretStatus | undefined): SecretEdit | undefined => (s?.set || s?.source ? { keep: true } : undefined);

/** The file config as an edit: secrets become `{keep:true}` when present. Slots and Discord patterns are edited as JSON. */
function toDraft(file: RedactedConfig): { form: Obj; slotsText: string; patternsText: string } {
  let form: Obj = structuredClone(file) as unknown as Obj;
  for (const p of SECRET_FIELDS) form = setPath(form, p, keepIfSet(getPath(form, p) as SecretStatus | undefined));
  const slots = file.slots.map((s) => ({
    ...s,
    rconPassword: keepIfSet(s.rconPassword),
    deploy: s.deploy?.kind === 'ssh' ? { ...s.deploy, password: keepIfSet(s.deploy.password) } : s.deploy,
  }));
  delete form.slots;
  delete (form.discord as Obj).patterns;
  return { form, slotsText: JSON.stringify(slots, null, 2), patternsText: JSON.stringify(file.discord.patterns, null, 2) };
}

function SecretField({ status, edit, onChange, testId }: { status: SecretStatus | undefined; edit: SecretEdit | undefined; onChange: (e: SecretEdit | undefined) => void; testId: string }) {
  const describe = !status?.set && !status?.source ? 'not set' : status.source === 'env' ? `from env ${status.ref}${status.set ? '' : ' (variable not set)'}` : status.source === 'file' ? `from file ${status.ref}${status.set ? '' : ' (file missing)'}` : `set (${status.source === 'encrypted' ? 'encrypted' : 'in config file'})`;
  const typed = edit && 'value' in edit ? edit.value : '';
  return (
    <span className="secret">
      <span className="muted" data-testid={`${testId}-status`}>{edit && 'clear' in edit ? 'will be cleared' : describe}</span>
      <input type="password" autoComplete="off" placeholder="new value" value={typed} onChange={(e) => onChange(e.target.value ? { value: e.target.value } : keepIfSet(status))} data-testid={testId} />
      {(status?.set || status?.source) && (
        <button type="button" onClick={() => onChange({ clear: true })}>
          Clear
        </button>
      )}
    </span>
  );
}

export function SettingsView() {
  const view = useStore((s) => s.config);
  // Outlives the form, which re-mounts after a save so its draft starts from what is on disk.
  const [message, setMessage] = useState<string | null>(null);
  if (!view) return <p className="muted">Loading configuration…</p>;
  return <SettingsForm key={JSON.stringify(view.file)} view={view} message={message} setMessage={setMessage} />;
}

function SettingsForm({ view, message, setMessage }: { view: ConfigView; message: string | null; setMessage: (m: string | null) => void }) {
  const setConfig = useStore((s) => s.setConfig);
  const initial = useMemo(() => toDraft(view.file), [view.file]);
  const [form, setForm] = useState<Obj>(initial.form);
  const [slotsText, setSlotsText] = useState(initial.slotsText);
  const [patternsText, setPatternsText] = useState(initial.patternsText);
  const [serverIssues, setServerIssues] = useState<ConfigIssue[]>([]);
  const [saving, setSaving] = useState(false);

  const { candidate, issues } = useMemo(() => {
    let slots: unknown;
    let patterns: unknown;
    try {
      slots = JSON.parse(slotsText || '[]');
    } catch (e) {
      return { candidate: null, issues: [{ path: 'slots', message: `not valid JSON: ${(e as Error).message}` }] };
    }
    try {
      patterns = JSON.parse(patternsText || '[]');
    } catch (e) {
      return { candidate: null, issues: [{ path: 'discord.patterns', message: `not valid JSON: ${(e as Error).message}` }] };
    }
    const c = { ...form, discord: { ...(form.discord as Obj), patterns }, slots };
    const r = ConfigEditSchema.safeParse(c, { reportInput: true });
    return { candidate: c, issues: r.success ? [] : describeIssues(r.error) };
  }, [form, slotsText, patternsText]);

  const allIssues = [...issues, ...serverIssues];
  const issueFor = (path: string) => allIssues.filter((i) => i.path === path || i.path.startsWith(path + '.'));

  const save = async () => {
    if (!candidate || issues.length) return;
    setSaving(true);
    setMessage(null);
    try {
      const next = await api().call('config.update', candidate as never);
      setServerIssues([]);
      setMessage('Saved. Services whose settings changed were restarted.');
      setConfig(next);
    } catch (e) {
      setServerIssues(e instanceof ApiError && e.issues ? e.issues : []);
      setMessage(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  const input = (f: FieldSpec) => {
    const value = getPath(form, f.path);
    const testId = `setting-${f.path}`;
    const set = (v: unknown) => {
      setForm((prev) => setPath(prev, f.path, v));
      setServerIssues([]);
      setMessage(null);
    };
    if (f.type === 'checkbox') return <input type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} data-testid={testId} />;
    if (f.type === 'secret')
      return <SecretField status={getPath(view.file as unknown as Obj, f.path) as SecretStatus} edit={value as SecretEdit | undefined} onChange={set} testId={testId} />;
    if (f.type === 'list')
      return (
        <input
          value={Array.isArray(value) ? value.join(', ') : ''}
          onChange={(e) =>
            set(
              e.target.value
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean),
            )
          }
          data-testid={testId}
        />
      );
    if (typeof f.type === 'object')
      return (
        <select value={String(value ?? f.type.select[0])} onChange={(e) => set(e.target.value)} data-testid={testId}>
          {f.type.select.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      );
    return (
      <input
        value={value === undefined ? '' : String(value)}
        inputMode={f.type === 'number' ? 'numeric' : undefined}
        onChange={(e) => {
          const raw = e.target.value;
          if (raw === '') return set(undefined);
          // Keep a non-number as text so validation names the problem instead of silently dropping it.
          set(f.type === 'number' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw);
        }}
        data-testid={testId}
      />
    );
  };

  return (
    <form
      className="settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <p className="muted">
        Config file: <code data-testid="config-path">{view.path}</code>. New secrets are {view.secretsEncrypted ? 'encrypted with the OS keychain' : 'stored in this file as typed (prefer an env var or a file reference)'}.
      </p>
      {SECTIONS.map((s) => (
        <fieldset key={s.title}>
          <legend>{s.title}</legend>
          {s.fields.map((f) => (
            <div className="field" key={f.path}>
              <label>
                <span className="label">{f.label}</span>
                {input(f)}
              </label>
              {f.hint && <div className="hint">{f.hint}</div>}
              {view.overrides[f.path] && (
                <div className="hint override" data-testid={`override-${f.path}`}>
                  Overridden by {view.overrides[f.path]}
                  {f.type !== 'secret' && <> (in effect: {JSON.stringify(getPath(view.effective as unknown as Obj, f.path))})</>}
                </div>
              )}
              {issueFor(f.path).map((i) => (
                <div className="issue" key={i.path + i.message} data-testid={`issue-${f.path}`}>
                  {i.path}: {i.message}
                </div>
              ))}
            </div>
          ))}
        </fieldset>
      ))}
      <fieldset>
        <legend>Discord line patterns</legend>
        <p className="hint">
          A JSON array, tried before the built-in lines: {'{'}name, regex (RE2 syntax, named groups), template ({'{group}'} placeholders), emoji{'}'}. Each name is also a switch in the Discord
          view.
        </p>
        <textarea aria-label="Discord patterns (JSON)" rows={4} value={patternsText} onChange={(e) => setPatternsText(e.target.value)} spellCheck={false} data-testid="setting-discord.patterns" />
        {issueFor('discord.patterns').map((i) => (
          <div className="issue" key={i.path + i.message} data-testid="issue-discord.patterns">
            {i.path}: {i.message}
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>Headless slots</legend>
        <p className="hint">
          A JSON array of slots: {'{'}id, name, host, gamePort, rconPort, rconPassword, deploy, restartCommand{'}'}. Secrets are written as {'{"value": "..."}'}, {'{"env": "NAME"}'},{' '}
          {'{"file": "PATH"}'}, {'{"clear": true}'}, or left as {'{"keep": true}'}.
        </p>
        <textarea aria-label="Slots (JSON)" rows={8} value={slotsText} onChange={(e) => setSlotsText(e.target.value)} spellCheck={false} data-testid="setting-slots" />
        {issueFor('slots').map((i) => (
          <div className="issue" key={i.path + i.message} data-testid="issue-slots">
            {i.path}: {i.message}
          </div>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={saving || issues.length > 0} data-testid="settings-save">
          Save
        </button>
        <button
          type="button"
          onClick={() => {
            setForm(initial.form);
            setSlotsText(initial.slotsText);
            setPatternsText(initial.patternsText);
            setServerIssues([]);
            setMessage(null);
          }}
        >
          Revert
        </button>
        {message && (
          <span className="message" role="status" data-testid="settings-message">
            {message}
          </span>
        )}
      </div>
    </form>
  );
}
