// Settings as sections, each with its own Save (it sends only its own keys, validated with the same
// zod schema main saves with), the values in effect beside what the file says, and Test buttons
// for W&B, Discord and each slot's RCON. Secrets are write-only: the view knows set/not set only.
// Forms are a draft object + zod rather than a form library: the whole-config schema (cross-field
// rules like unique slot ids, secret edits) is the validation, and a per-section draft is all the
// state there is; a library would add a second model of the same fields.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ConfigView, KeyTestResult } from '../../../shared/api';
import type { ConfigIssue } from '../../../shared/config';
import { useStore, type Outcome, type SettingsSection } from '../store';
import { candidate, getPath, issuesAt, pick, sectionIssues, setPath, toDraft, type Obj } from './settings/draft';
import { Field } from './settings/fields';
import { PatternRows, SlotRows } from './settings/rows';
import { SECTIONS, type SectionSpec } from './settings/sections';
import { ActionButton, DisconnectedBanner, LoadingState, useOnline, whyNot } from '../components/states';

const SAVE_FIRST = 'Save this section first: the test uses the saved settings.';

/** Scrolls to and focuses the section an Off state's link asked for, once. */
function useFocusRequest(ready: boolean) {
  const focus = useStore((s) => s.settingsFocus);
  const clear = useStore((s) => s.focusSettings);
  useEffect(() => {
    if (!ready || !focus) return;
    const el = document.getElementById(`settings-${focus}`);
    if (!el) return;
    el.scrollIntoView({ block: 'start' });
    el.focus({ preventScroll: true });
    clear(null);
  }, [ready, focus, clear]);
}

type Drafts = Record<SettingsSection, Obj>;

const sliceOf = (file: ConfigView['file'], keys: readonly string[]) => JSON.stringify(pick(file as unknown as Obj, keys));
const freshDrafts = (file: ConfigView['file']) => Object.fromEntries(SECTIONS.map((s) => [s.id, pick(toDraft(file), s.keys)])) as Drafts;

/**
 * The file changed (a save, or another window): sections whose part of it changed start again
 * from disk; the others keep their unsaved edits.
 */
function rebase(oldFile: ConfigView['file'], drafts: Drafts, file: ConfigView['file']): Drafts {
  const fresh = freshDrafts(file);
  return Object.fromEntries(SECTIONS.map((s) => [s.id, sliceOf(oldFile, s.keys) === sliceOf(file, s.keys) ? drafts[s.id] : fresh[s.id]])) as Drafts;
}

export function SettingsView() {
  const view = useStore((s) => s.config);
  useFocusRequest(view !== null);
  if (!view) return <LoadingState>Loading configuration…</LoadingState>;
  return <SettingsForm view={view} />;
}

function SettingsForm({ view }: { view: ConfigView }) {
  const setConfig = useStore((s) => s.setConfig);
  const saveConfig = useStore((s) => s.saveConfig);
  const online = useOnline();
  const [state, setState] = useState(() => ({ file: view.file, drafts: freshDrafts(view.file) }));
  const [messages, setMessages] = useState<Partial<Record<SettingsSection | 'all', string>>>({});
  const [saving, setSaving] = useState(false);
  const stale = state.file !== view.file;
  const drafts = stale ? rebase(state.file, state.drafts, view.file) : state.drafts;
  if (stale) setState({ file: view.file, drafts });
  const initial = useMemo(() => freshDrafts(view.file), [view.file]);
  const dirty = SECTIONS.filter((s) => JSON.stringify(drafts[s.id]) !== JSON.stringify(initial[s.id]));
  const allDraft = useMemo(() => Object.assign({}, ...SECTIONS.map((s) => drafts[s.id])) as Obj, [drafts]);
  const allIssues = useMemo(() => sectionIssues(view.file, SECTIONS.flatMap((s) => s.keys), allDraft), [view.file, allDraft]);
  /** After a save: the saved sections start again from the new file (a secret typed in is gone from the draft). */
  const savedAs = (next: ConfigView, ids: SettingsSection[]) => {
    const fresh = freshDrafts(next.file);
    setState((prev) => {
      const drafts = rebase(prev.file, prev.drafts, next.file);
      for (const id of ids) drafts[id] = fresh[id];
      return { file: next.file, drafts };
    });
    setConfig(next);
  };
  const say = (id: SettingsSection | 'all', m: string | null) => setMessages((prev) => ({ ...prev, [id]: m ?? undefined }));
  const setDraft = (id: SettingsSection, next: Obj) => {
    setState((prev) => ({ ...prev, drafts: { ...prev.drafts, [id]: next } }));
    say(id, null);
    say('all', null);
  };
  const saveAll = async () => {
    setSaving(true);
    say('all', null);
    const keys = dirty.flatMap((s) => s.keys);
    const r = await saveConfig(candidate(view.file, keys, Object.assign({}, ...dirty.map((s) => drafts[s.id]))));
    if (r.ok) {
      say('all', `Saved ${dirty.map((s) => s.title).join(', ')}. Services whose settings changed were restarted.`);
      savedAs(
        r.value,
        dirty.map((s) => s.id),
      );
    } else say('all', r.error);
    setSaving(false);
  };
  return (
    <div className="settings">
      <DisconnectedBanner />
      <p className="muted">
        Config file: <code data-testid="config-path">{view.path}</code>. New secrets are {view.secretsEncrypted ? 'encrypted with the OS keychain' : 'stored in this file as typed (prefer an env var or a file reference)'}.
        Each section saves on its own; the bar at the bottom saves every changed section at once.
      </p>
      {SECTIONS.map((s) => (
        <Section
          key={s.id}
          spec={s}
          view={view}
          draft={drafts[s.id]}
          initial={initial[s.id]}
          setDraft={(d) => setDraft(s.id, d)}
          onSaved={(next) => savedAs(next, [s.id])}
          message={messages[s.id] ?? null}
          setMessage={(m) => say(s.id, m)}
        />
      ))}
      <div className="save-bar" role="region" aria-label="Save all settings">
        <span className="muted" data-testid="settings-dirty">
          {dirty.length ? `Unsaved changes in ${dirty.map((s) => s.title).join(', ')}` : 'No unsaved changes'}
        </span>
        <ActionButton
          className="primary"
          onClick={() => void saveAll()}
          disabledReason={whyNot(online, saving && 'Saving…', !dirty.length && 'Nothing to save', allIssues.length > 0 && `Fix ${allIssues.length} problem${allIssues.length === 1 ? '' : 's'} first`)}
          testId="settings-save"
        >
          Save all
        </ActionButton>
        <button type="button" disabled={!dirty.length} onClick={() => (setState({ file: view.file, drafts: initial }), setMessages({}))} data-testid="settings-revert">
          Revert all
        </button>
        {messages.all && (
          <span className={messages.all.startsWith('Saved') ? 'message' : 'issue'} role="status" data-testid="settings-message">
            {messages.all}
          </span>
        )}
      </div>
    </div>
  );
}

function Effective({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <div className="effective" data-testid={testId}>
      In effect: {children}
    </div>
  );
}

/** What runs now, where it differs from (or fills in) the file's field. */
function effectiveNote(path: string, view: ConfigView, pipePath: string | undefined): ReactNode {
  if (view.overrides[path]) {
    const v = getPath(view.effective, path);
    return (
      <div className="hint override" data-testid={`override-${path}`}>
        Overridden by {view.overrides[path]}
        {!path.endsWith('apiKey') && !path.endsWith('webhookUrl') && <> (in effect: {JSON.stringify(v)})</>}
      </div>
    );
  }
  if (path === 'dataDir') return <Effective testId="effective-dataDir">{view.effective.dataDir}</Effective>;
  if (path === 'pipe.path')
    return (
      <Effective testId="effective-pipe.path">
        {pipePath && pipePath !== view.effective.pipe.path ? `${pipePath} (the demo feed’s; the game’s is ${view.effective.pipe.path})` : view.effective.pipe.path}
      </Effective>
    );
  if (path === 'web.port')
    return (
      <Effective testId="effective-web.port">
        {typeof window !== 'undefined' && window.controlRoom ? 'the desktop app serves no web page' : `this page is served on ${location.host}`}
      </Effective>
    );
  if (path === 'engine.workers' && view.effective.engine.workers === undefined) return <Effective testId="effective-engine.workers">one per core</Effective>;
  return null;
}

function TestButton({ label, run, reason, testId }: { label: string; run: () => Promise<Outcome<KeyTestResult>>; reason: string | null; testId: string }) {
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
        <span className={`test-result ${result.ok ? 'tone-ok' : 'tone-bad'}`} role="status" data-testid={`${testId}-result`} data-ok={String(result.ok)}>
          {result.ok ? '✓ ' : '✗ '}
          {result.message}
        </span>
      )}
    </span>
  );
}

function Section({
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
    <fieldset className="settings-section" id={`settings-${spec.id}`} tabIndex={-1} aria-labelledby={`settings-${spec.id}-legend`} data-testid={`settings-section-${spec.id}`}>
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
          <PatternRows rows={(getPath(draft, 'discord.patterns') as Obj[] | undefined) ?? []} onChange={(rows) => set('discord.patterns', rows)} issues={all} />
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
                  reason={whyNot(online, !saved && 'Save this slot first: the test uses its saved address and password.', dirty && SAVE_FIRST)}
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
          disabledReason={whyNot(online, saving && 'Saving…', issues.length > 0 && `Fix ${issues.length} problem${issues.length === 1 ? '' : 's'} first`, !dirty && 'No changes')}
          testId={`settings-save-${spec.id}`}
          className="primary"
        >
          Save {spec.title}
        </ActionButton>
        <button type="button" disabled={!dirty} onClick={() => (setDraft(initial), setServerIssues([]))} data-testid={`settings-revert-${spec.id}`}>
          Revert
        </button>
        {spec.id === 'wandb' && <TestButton label="Test API key" testId="wandb-test-key" reason={testReason} run={testWandbKey} />}
        {spec.id === 'discord' && (
          <TestButton
            label="Send test message"
            testId="settings-discord-test"
            reason={whyNot(online, dirty && SAVE_FIRST, !view.effective.discord.enabled && 'Turn the relay on and save first.', !view.effective.discord.webhookUrl?.set && 'No webhook URL is saved.')}
            run={async () => {
              const r = await testDiscord();
              return r.ok ? { ok: true, value: { ok: true, message: `Queued: ${r.value.text}. Its delivery shows in the Discord view.` } } : r;
            }}
          />
        )}
        {message && (
          <span className={serverIssues.length || message.includes('not saved') ? 'issue' : 'message'} role="status" data-testid={`settings-message-${spec.id}`}>
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
