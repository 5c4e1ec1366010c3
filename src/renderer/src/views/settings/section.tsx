// One settings section: its fields, its own Save and Revert, its problems, and its Test buttons.
import { useMemo, useState } from 'react';
import type { ConfigView, KeyTestResult } from '../../../../shared/api';
import type { ConfigIssue } from '../../../../shared/config';
import { useStore, type Outcome } from '../../store';
import { ActionButton, useOnline, whyNot } from '../../components/states';
import { candidate, getPath, issuesAt, sectionIssues, setPath, type Obj } from './draft';
import { effectiveNote } from './effective';
import { Field } from './fields';
import { PatternRows, SlotRows } from './rows';
import type { SectionSpec } from './sections';

const SAVE_FIRST = 'Save this section first: the test uses the saved settings.';

function TestButton({
  label,
  run,
  reason,
  testId,
}: {
  label: string;
  run: () => Promise<Outcome<KeyTestResult>>;
  reason: string | null;
  testId: string;
}) {
  const [result, setResult] = useState<KeyTestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setResult(null);
    const r = await run();
    setResult(r.ok ? r.value : { ok: false, message: r.error });
    setBusy(false);
  };
  return (
    <span className="test-button">
      <ActionButton onClick={() => void go()} disabledReason={reason ?? (busy ? 'Testing…' : null)} testId={testId}>
        {label}
      </ActionButton>
      {result && (
        <span
          className={`test-result ${result.ok ? 'tone-ok' : 'tone-bad'}`}
          role="status"
          data-testid={`${testId}-result`}
          data-ok={String(result.ok)}
        >
          {result.ok ? '✓ ' : '✗ '}
          {result.message}
        </span>
      )}
    </span>
  );
}

export function Section({
  spec,
  view,
  draft,
  initial,
  setDraft,
  onSaved,
  message,
  setMessage,
}: {
  spec: SectionSpec;
  view: ConfigView;
  draft: Obj;
  initial: Obj;
  setDraft: (d: Obj) => void;
  onSaved: (next: ConfigView) => void;
  message: string | null;
  setMessage: (m: string | null) => void;
}) {
  const pipePath = useStore((s) => s.pipeCounters?.path);
  const saveConfig = useStore((s) => s.saveConfig);
  const testRcon = useStore((s) => s.testRcon);
  const testWandbKey = useStore((s) => s.testWandbKey);
  const testDiscord = useStore((s) => s.testDiscord);
  const online = useOnline();
  const [serverIssues, setServerIssues] = useState<ConfigIssue[]>([]);
  const [saving, setSaving] = useState(false);
  const issues = useMemo(() => sectionIssues(view.file, spec.keys, draft), [view.file, spec.keys, draft]);
  const all = [...issues, ...serverIssues];
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const set = (path: string, v: unknown) => {
    setDraft(setPath(draft, path, v));
    setServerIssues([]);
  };
  const save = async () => {
    setSaving(true);
    setMessage(null);
    const r = await saveConfig(candidate(view.file, spec.keys, draft));
    if (r.ok) {
      setServerIssues([]);
      setMessage(`${spec.title} saved. Services whose settings changed were restarted.`);
      onSaved(r.value);
    } else {
      setServerIssues(r.issues ?? []);
      setMessage(r.error);
    }
    setSaving(false);
  };
  const testReason = whyNot(online, dirty && SAVE_FIRST);
  return (
    <fieldset
      className="settings-section"
      id={`settings-${spec.id}`}
      tabIndex={-1}
      aria-labelledby={`settings-${spec.id}-legend`}
      data-testid={`settings-section-${spec.id}`}
    >
      <legend id={`settings-${spec.id}-legend`}>{spec.title}</legend>
      {spec.fields.map((f) => (
        <Field
          key={f.path}
          spec={f}
          value={getPath(draft, f.path)}
          onChange={(v) => set(f.path, v)}
          issues={issuesAt(all, f.path)}
          testId={`setting-${f.path}`}
          secretStatus={f.type === 'secret' ? (getPath(view.file, f.path) as never) : undefined}
          note={effectiveNote(f.path, view, pipePath)}
        />
      ))}
      {spec.id === 'discord' && (
        <>
          <h3>Line patterns</h3>
          <p className="hint">Tried before the built-in lines.</p>
          <PatternRows
            rows={(getPath(draft, 'discord.patterns') as Obj[] | undefined) ?? []}
            onChange={(rows) => set('discord.patterns', rows)}
            issues={all}
          />
        </>
      )}
      {spec.id === 'slots' && (
        <>
          <h3>Servers</h3>
          <SlotRows
            rows={(draft.slots as Obj[] | undefined) ?? []}
            onChange={(rows) => set('slots', rows)}
            issues={all}
            file={view.file}
            renderTest={(row) => {
              const id = typeof row.id === 'string' ? row.id : '';
              const saved = view.effective.slots.some((s) => s.id === id);
              return (
                <TestButton
                  label="Test RCON"
                  testId={`slot-test-${id}`}
                  reason={whyNot(
                    online,
                    !saved && 'Save this slot first: the test uses its saved address and password.',
                    dirty && SAVE_FIRST,
                  )}
                  run={() => testRcon(id)}
                />
              );
            }}
          />
        </>
      )}
      <div className="section-actions">
        <ActionButton
          onClick={() => void save()}
          disabledReason={whyNot(
            online,
            saving && 'Saving…',
            issues.length > 0 && `Fix ${issues.length} problem${issues.length === 1 ? '' : 's'} first`,
            !dirty && 'No changes',
          )}
          testId={`settings-save-${spec.id}`}
          className="primary"
        >
          Save {spec.title}
        </ActionButton>
        <button
          type="button"
          disabled={!dirty}
          onClick={() => (setDraft(initial), setServerIssues([]))}
          data-testid={`settings-revert-${spec.id}`}
        >
          Revert
        </button>
        {spec.id === 'wandb' && (
          <TestButton label="Test API key" testId="wandb-test-key" reason={testReason} run={testWandbKey} />
        )}
        {spec.id === 'discord' && (
          <TestButton
            label="Send test message"
            testId="settings-discord-test"
            reason={whyNot(
              online,
              dirty && SAVE_FIRST,
              !view.effective.discord.enabled && 'Turn the relay on and save first.',
              !view.effective.discord.webhookUrl?.set && 'No webhook URL is saved.',
            )}
            run={async () => {
              const r = await testDiscord();
              return r.ok
                ? {
                    ok: true,
                    value: { ok: true, message: `Queued: ${r.value.text}. Its delivery shows in the Discord view.` },
                  }
                : r;
            }}
          />
        )}
        {message && (
          <span
            className={serverIssues.length || message.includes('not saved') ? 'issue' : 'message'}
            role="status"
            data-testid={`settings-message-${spec.id}`}
          >
            {message}
          </span>
        )}
      </div>
      {all.length > 0 && (
        <ul className="issue" data-testid={`settings-issues-${spec.id}`} aria-label={`Problems in ${spec.title}`}>
          {all.map((i) => (
            <li key={i.path + i.message}>
              {i.path}: {i.message}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
