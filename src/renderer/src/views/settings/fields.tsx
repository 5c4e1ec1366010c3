// One labelled settings field: text, number, checkbox, select, comma list or secret, with its hint
// and its problems tied to the input (aria-invalid + aria-describedby), so each is named and read out.
import { useId, type ReactNode } from 'react';
import type { ConfigIssue, SecretEdit, SecretStatus } from '../../../../shared/config';
import { keepIfSet } from './draft';

export type FieldType = 'text' | 'number' | 'checkbox' | 'secret' | 'list' | { select: readonly string[] };

export interface FieldSpec {
  /** Dotted path inside its section's draft (or inside one row, for rows). */
  path: string;
  label: string;
  type: FieldType;
  hint?: string;
}

function describeSecret(status: SecretStatus | undefined): string {
  if (!status?.set && !status?.source) return 'not set';
  if (status.source === 'env') return `from env ${status.ref}${status.set ? '' : ' (variable not set)'}`;
  if (status.source === 'file') return `from file ${status.ref}${status.set ? '' : ' (file missing)'}`;
  return `set (${status.source === 'encrypted' ? 'encrypted' : 'in config file'})`;
}

function SecretInput({
  id,
  status,
  edit,
  onChange,
  testId,
  describedBy,
  label,
}: {
  id: string;
  status: SecretStatus | undefined;
  edit: SecretEdit | undefined;
  onChange: (e: SecretEdit | undefined) => void;
  testId: string;
  describedBy: string;
  label: string;
}) {
  const typed = edit && 'value' in edit ? edit.value : '';
  return (
    <span className="secret">
      <span className="muted" id={`${id}-status`} data-testid={`${testId}-status`}>
        {edit && 'clear' in edit ? 'will be cleared' : describeSecret(status)}
      </span>
      <input
        id={id}
        type="password"
        autoComplete="off"
        placeholder="new value"
        value={typed}
        aria-describedby={`${id}-status ${describedBy}`}
        onChange={(e) => onChange(e.target.value ? { value: e.target.value } : keepIfSet(status))}
        data-testid={testId}
      />
      {(status?.set || status?.source) && (
        <button type="button" onClick={() => onChange({ clear: true })} aria-label={`Clear ${label}`}>
          Clear
        </button>
      )}
    </span>
  );
}

export function Field({
  spec,
  value,
  onChange,
  issues,
  testId,
  secretStatus,
  note,
}: {
  spec: FieldSpec;
  value: unknown;
  onChange: (v: unknown) => void;
  issues: readonly ConfigIssue[];
  testId: string;
  secretStatus?: SecretStatus;
  /** Extra lines under the field: an override or the value in effect. */
  note?: ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const issueId = `${id}-issues`;
  const describedBy = [spec.hint ? hintId : '', issues.length ? issueId : ''].filter(Boolean).join(' ');
  const common = {
    id,
    'aria-describedby': describedBy || undefined,
    'aria-invalid': issues.length > 0 || undefined,
    'data-testid': testId,
  };
  let input: ReactNode;
  if (spec.type === 'checkbox')
    input = <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  else if (spec.type === 'secret')
    input = (
      <SecretInput
        id={id}
        status={secretStatus}
        edit={value as SecretEdit | undefined}
        onChange={onChange}
        testId={testId}
        describedBy={describedBy}
        label={spec.label}
      />
    );
  else if (spec.type === 'list')
    input = (
      <input
        {...common}
        value={Array.isArray(value) ? value.join(', ') : ''}
        onChange={(e) =>
          onChange(
            e.target.value
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean),
          )
        }
      />
    );
  else if (typeof spec.type === 'object')
    input = (
      <select {...common} value={String(value ?? spec.type.select[0])} onChange={(e) => onChange(e.target.value)}>
        {spec.type.select.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    );
  else
    input = (
      <input
        {...common}
        value={value === undefined || value === null ? '' : String(value)}
        inputMode={spec.type === 'number' ? 'decimal' : undefined}
        onChange={(e) => {
          const raw = e.target.value;
          if (raw === '') return onChange(undefined);
          // Keep a non-number as text so validation names the problem instead of silently dropping it.
          onChange(spec.type === 'number' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw);
        }}
      />
    );
  return (
    <div className="field">
      <label htmlFor={id}>
        <span className="label">{spec.label}</span>
      </label>
      {input}
      {spec.hint && (
        <div className="hint" id={hintId}>
          {spec.hint}
        </div>
      )}
      {note}
      {issues.length > 0 && (
        <div id={issueId} data-testid={`issue-${testId.replace(/^setting-/, '')}`}>
          {issues.map((i) => (
            <div className="issue" key={i.path + i.message}>
              {i.path}: {i.message}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
