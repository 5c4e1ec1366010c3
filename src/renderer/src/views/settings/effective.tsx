// The values in effect beside a settings field: an override, or what a default or a path resolved to.
import type { ReactNode } from 'react';
import type { ConfigView } from '../../../../shared/api';
import { getPath } from './draft';

function Effective({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <div className="effective" data-testid={testId}>
      In effect: {children}
    </div>
  );
}

/** What runs now, where it differs from (or fills in) the file's field. */
export function effectiveNote(path: string, view: ConfigView, pipePath: string | undefined): ReactNode {
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
        {pipePath && pipePath !== view.effective.pipe.path
          ? `${pipePath} (the demo feed’s; the game’s is ${view.effective.pipe.path})`
          : view.effective.pipe.path}
      </Effective>
    );
  if (path === 'web.port')
    return (
      <Effective testId="effective-web.port">
        {typeof window !== 'undefined' && window.controlRoom
          ? 'the desktop app serves no web page'
          : `this page is served on ${location.host}`}
      </Effective>
    );
  if (path === 'engine.workers' && view.effective.engine.workers === undefined)
    return <Effective testId="effective-engine.workers">one per core</Effective>;
  return null;
}
