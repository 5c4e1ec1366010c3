// Row forms for the two lists in the config: headless slots and Discord line patterns. Each row
// is a small form (add, remove, every field named and validated with the shared schema).
import type { ReactNode } from 'react';
import type { ConfigIssue, RedactedConfig, SecretStatus } from '../../../../shared/config';
import { Field, type FieldSpec } from './fields';
import { getPath, issuesAt, setPath, type Obj } from './draft';

const SLOT_FIELDS: FieldSpec[] = [
  { path: 'id', label: 'Id', type: 'text', hint: 'a-z, 0-9, "-" or "_"; unique.' },
  { path: 'name', label: 'Name', type: 'text' },
  { path: 'host', label: 'Host', type: 'text' },
  { path: 'gamePort', label: 'Game port', type: 'number' },
  { path: 'rconPort', label: 'RCON port', type: 'number' },
  { path: 'rconPassword', label: 'RCON password', type: 'secret' },
  { path: 'pollSeconds', label: 'Poll every (s)', type: 'number' },
  { path: 'restartCommand', label: 'Restart command', type: 'text', hint: 'Run by Restart; empty: no restart.' },
];
const DEPLOY_KIND: FieldSpec = { path: 'deploy.kind', label: 'Deploy to', type: { select: ['none', 'local', 'ssh'] } };
const LOCAL_FIELDS: FieldSpec[] = [{ path: 'deploy.dir', label: 'Scenario folder', type: 'text' }];
const SSH_FIELDS: FieldSpec[] = [
  { path: 'deploy.host', label: 'SSH host', type: 'text' },
  { path: 'deploy.port', label: 'SSH port', type: 'number' },
  { path: 'deploy.user', label: 'SSH user', type: 'text' },
  { path: 'deploy.dir', label: 'Remote scenario folder', type: 'text' },
  { path: 'deploy.keyPath', label: 'Private key file', type: 'text' },
  { path: 'deploy.password', label: 'SSH password', type: 'secret' },
  {
    path: 'deploy.hostFingerprint',
    label: 'Host key fingerprint',
    type: 'text',
    hint: 'SHA256:…; empty: known_hosts is used.',
  },
];

const PATTERN_FIELDS: FieldSpec[] = [
  { path: 'name', label: 'Name', type: 'text', hint: 'The event type it makes, also its switch in the Discord view.' },
  { path: 'regex', label: 'Regex (RE2)', type: 'text', hint: 'Named groups fill {name} in the template.' },
  { path: 'template', label: 'Template', type: 'text' },
  { path: 'emoji', label: 'Emoji', type: 'text' },
];

function RowList({
  title,
  rows,
  onChange,
  newRow,
  addLabel,
  render,
  testId,
}: {
  title: (row: Obj, i: number) => string;
  rows: Obj[];
  onChange: (rows: Obj[]) => void;
  newRow: () => Obj;
  addLabel: string;
  render: (row: Obj, i: number, set: (path: string, v: unknown) => void) => ReactNode;
  testId: string;
}) {
  return (
    <div data-testid={testId}>
      {rows.map((row, i) => (
        <div className="row-card" key={i} role="group" aria-label={title(row, i)} data-testid={`${testId}-row`}>
          <div className="row-card-head">
            <strong>{title(row, i)}</strong>
            <button
              type="button"
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
              aria-label={`Remove ${title(row, i)}`}
              data-testid={`${testId}-remove-${i}`}
            >
              Remove
            </button>
          </div>
          {render(row, i, (path, v) => onChange(rows.map((r, j) => (j === i ? setPath(r, path, v) : r))))}
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, newRow()])} data-testid={`${testId}-add`}>
        {addLabel}
      </button>
    </div>
  );
}

export function SlotRows({
  rows,
  onChange,
  issues,
  file,
  renderTest,
}: {
  rows: Obj[];
  onChange: (rows: Obj[]) => void;
  issues: readonly ConfigIssue[];
  file: RedactedConfig;
  renderTest: (row: Obj) => ReactNode;
}) {
  const field = (row: Obj, i: number, set: (p: string, v: unknown) => void) => (f: FieldSpec) => {
    const saved = file.slots.find((s) => s.id === row.id);
    const status = f.type === 'secret' ? (getPath(saved, f.path) as SecretStatus | undefined) : undefined;
    return (
      <Field
        key={f.path}
        spec={f}
        value={getPath(row, f.path)}
        onChange={(v) => set(f.path, v)}
        issues={issuesAt(issues, `slots.${i}.${f.path}`)}
        testId={`setting-slots.${i}.${f.path}`}
        secretStatus={status}
      />
    );
  };
  return (
    <RowList
      testId="slots-form"
      rows={rows}
      onChange={onChange}
      addLabel="Add a slot"
      newRow={() => ({
        id: `slot-${rows.length + 1}`,
        host: '127.0.0.1',
        gamePort: 34197,
        rconPort: 27015,
        pollSeconds: 5,
      })}
      title={(row, i) => `Slot ${typeof row.id === 'string' && row.id ? row.id : i + 1}`}
      render={(row, i, set) => {
        const kind = (getPath(row, 'deploy.kind') as string | undefined) ?? 'none';
        const f = field(row, i, set);
        return (
          <>
            {SLOT_FIELDS.map(f)}
            <Field
              spec={DEPLOY_KIND}
              value={kind}
              onChange={(v) =>
                set(
                  'deploy',
                  v === 'none'
                    ? undefined
                    : v === 'local'
                      ? { kind: 'local', dir: '' }
                      : { kind: 'ssh', host: '', port: 22, user: '', dir: '' },
                )
              }
              issues={issuesAt(issues, `slots.${i}.deploy.kind`)}
              testId={`setting-slots.${i}.deploy.kind`}
            />
            {(kind === 'local' ? LOCAL_FIELDS : kind === 'ssh' ? SSH_FIELDS : []).map(f)}
            {renderTest(row)}
          </>
        );
      }}
    />
  );
}

export function PatternRows({
  rows,
  onChange,
  issues,
}: {
  rows: Obj[];
  onChange: (rows: Obj[]) => void;
  issues: readonly ConfigIssue[];
}) {
  return (
    <RowList
      testId="patterns-form"
      rows={rows}
      onChange={onChange}
      addLabel="Add a line pattern"
      newRow={() => ({ name: '', regex: '', template: '' })}
      title={(row, i) => `Pattern ${typeof row.name === 'string' && row.name ? row.name : i + 1}`}
      render={(row, i, set) =>
        PATTERN_FIELDS.map((f) => (
          <Field
            key={f.path}
            spec={f}
            value={getPath(row, f.path)}
            onChange={(v) => set(f.path, v)}
            issues={issuesAt(issues, `discord.patterns.${i}.${f.path}`)}
            testId={`setting-discord.patterns.${i}.${f.path}`}
          />
        ))
      }
    />
  );
}
