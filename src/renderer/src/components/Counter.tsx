// One labelled figure in a view's counter grid (the Discord, Engine and Sessions views share it).
import type { ReactNode } from 'react';

export function Counter({
  label,
  testId,
  children,
  small,
  issue,
  wide,
  title,
  state,
}: {
  label: string;
  testId: string;
  children: ReactNode;
  small?: boolean;
  issue?: boolean;
  wide?: boolean;
  title?: string;
  state?: string;
}) {
  return (
    <div className={`counter${wide ? ' wide' : ''}`}>
      <div className="counter-label">{label}</div>
      <div
        className={`counter-value${small ? ' small' : ''}${issue ? ' issue' : ''}`}
        data-testid={testId}
        data-state={state}
        title={title}
      >
        {children}
      </div>
    </div>
  );
}
