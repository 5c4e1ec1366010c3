// Settings as sections, each with its own Save (it sends only its own keys, validated with the same
// zod schema main saves with), the values in effect beside what the file says, and Test buttons
// for W&B, Discord and each slot's RCON. Secrets are write-only: the view knows set/not set only.
// Forms are a draft object + zod rather than a form library: the whole-config schema (cross-field
// rules like unique slot ids, secret edits) is the validation, and a per-section draft is all the
// state there is; a library would add a second model of the same fields.
import { useEffect, useMemo, useState } from 'react';
import type { ConfigView } from '../../../shared/api';
import { useStore, type SettingsSection } from '../store';
import { candidate, pick, sectionIssues, toDraft, type Obj } from './settings/draft';
import { Section } from './settings/section';
import { SECTIONS } from './settings/sections';
import { ActionButton, DisconnectedBanner, LoadingState, useOnline, whyNot } from '../components/states';

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

const sliceOf = (file: ConfigView['file'], keys: readonly string[]) =>
  JSON.stringify(pick(file as unknown as Obj, keys));
const freshDrafts = (file: ConfigView['file']) =>
  Object.fromEntries(SECTIONS.map((s) => [s.id, pick(toDraft(file), s.keys)])) as Drafts;

/**
 * The file changed (a save, or another window): sections whose part of it changed start again
 * from disk; the others keep their unsaved edits.
 */
function rebase(oldFile: ConfigView['file'], drafts: Drafts, file: ConfigView['file']): Drafts {
  const fresh = freshDrafts(file);
  return Object.fromEntries(
    SECTIONS.map((s) => [s.id, sliceOf(oldFile, s.keys) === sliceOf(file, s.keys) ? drafts[s.id] : fresh[s.id]]),
  ) as Drafts;
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
  const allIssues = useMemo(
    () =>
      sectionIssues(
        view.file,
        SECTIONS.flatMap((s) => s.keys),
        allDraft,
      ),
    [view.file, allDraft],
  );
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
  const say = (id: SettingsSection | 'all', m: string | null) =>
    setMessages((prev) => ({ ...prev, [id]: m ?? undefined }));
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
        Config file: <code data-testid="config-path">{view.path}</code>. New secrets are{' '}
        {view.secretsEncrypted
          ? 'encrypted with the OS keychain'
          : 'stored in this file as typed (prefer an env var or a file reference)'}
        . Each section saves on its own; the bar at the bottom saves every changed section at once.
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
          disabledReason={whyNot(
            online,
            saving && 'Saving…',
            !dirty.length && 'Nothing to save',
            allIssues.length > 0 && `Fix ${allIssues.length} problem${allIssues.length === 1 ? '' : 's'} first`,
          )}
          testId="settings-save"
        >
          Save all
        </ActionButton>
        <button
          type="button"
          disabled={!dirty.length}
          onClick={() => (setState({ file: view.file, drafts: initial }), setMessages({}))}
          data-testid="settings-revert"
        >
          Revert all
        </button>
        {messages.all && (
          <span
            className={messages.all.startsWith('Saved') ? 'message' : 'issue'}
            role="status"
            data-testid="settings-message"
          >
            {messages.all}
          </span>
        )}
      </div>
    </div>
  );
}
