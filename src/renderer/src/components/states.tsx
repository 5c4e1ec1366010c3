// The states every view shares: off (with the way to turn it on), empty, loading, error and
// disconnected, and buttons that say why they are disabled in visible text tied to them by
// aria-describedby (a tooltip alone reaches neither keyboards nor screen readers).
import { useId, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { useStore, type SettingsSection } from '../store';

/** Why every action is disabled while the page has lost the server. */
export const OFFLINE_REASON = 'Disconnected from the Control Room server: actions come back with the connection.';

/** False while the page has no connection to main (numbers shown may be stale). */
export function useOnline(): boolean {
  return useStore((s) => s.connection === 'open');
}

/** A link to Settings that scrolls to and focuses the section named (the store carries which). */
export function SettingsLink({
  section,
  children,
  testId,
}: {
  section: SettingsSection;
  children: ReactNode;
  testId?: string;
}) {
  const focus = useStore((s) => s.focusSettings);
  return (
    <a href="#/settings" onClick={() => focus(section)} data-testid={testId}>
      {children}
    </a>
  );
}

export function OffState({
  title,
  section,
  action,
  children,
  testId,
}: {
  title: string;
  section: SettingsSection;
  action: string;
  children: ReactNode;
  testId: string;
}) {
  return (
    <section className="state-card off" data-testid={testId} aria-label={title}>
      <h2>{title}</h2>
      <div className="planned">{children}</div>
      <p>
        <SettingsLink section={section} testId={`${testId}-settings-link`}>
          {action}
        </SettingsLink>
      </p>
    </section>
  );
}

export function EmptyState({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className="state-card empty muted" data-testid={testId}>
      {children}
    </p>
  );
}

export function LoadingState({ children }: { children: ReactNode }) {
  return (
    <p className="state-card loading muted" role="status">
      {children}
    </p>
  );
}

export function ErrorState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="state-card error" role="alert" data-testid={testId}>
      <strong>{title}</strong>
      {children && <div className="error-detail">{children}</div>}
    </div>
  );
}

/** Shown on a view while the connection is lost; its numbers are greyed by `DataArea`. */
export function DisconnectedBanner() {
  const online = useOnline();
  const everConnected = useStore((s) => s.info !== null);
  if (online || !everConnected) return null;
  return (
    <div className="state-card disconnected" role="status" data-testid="view-disconnected">
      <strong>Disconnected.</strong> The figures below are the last ones received and may be out of date; reconnecting…
    </div>
  );
}

/** Wraps a view's figures: greyed (and marked) while disconnected. */
export function DataArea({ children, className }: { children: ReactNode; className?: string }) {
  const online = useOnline();
  return (
    <div className={`${className ?? ''}${online ? '' : ' stale-data'}`} data-stale={online ? undefined : 'true'}>
      <DisconnectedBanner />
      {children}
    </div>
  );
}

type ActionProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'disabled'> & {
  /** Null: enabled. Otherwise the button is disabled and this text is shown beside it. */
  disabledReason: string | null;
  testId?: string;
};

/** A button that, when disabled, shows why beside it (and tells assistive technology the same). */
export function ActionButton({ disabledReason, testId, children, ...rest }: ActionProps) {
  const id = useId();
  return (
    <span className="action">
      <button
        type="button"
        {...rest}
        disabled={disabledReason !== null}
        aria-describedby={disabledReason ? id : undefined}
        data-testid={testId}
      >
        {children}
      </button>
      {disabledReason && (
        <span className="disabled-reason" id={id} data-testid={testId ? `${testId}-reason` : undefined}>
          {disabledReason}
        </span>
      )}
    </span>
  );
}

/** The first reason an action cannot run now, or null: disconnected comes first. */
export function whyNot(online: boolean, ...reasons: (string | false | null | undefined)[]): string | null {
  if (!online) return OFFLINE_REASON;
  for (const r of reasons) if (r) return r;
  return null;
}
