// Views stay mounted once shown: switching back only swaps which one is painted. Mounting a view
// on every switch cost long tasks of 100-400 ms (the Production view's charts most), see bench/views.bench.ts. A hidden view
// keeps its size rather than `display: none`: at width 0 the charts were laid out again, and again
// on the way back. React's <Activity> was tried and was slower here: it re-runs a view's effects
// on every show (history reloads, re-subscriptions, a full chart re-render). Mounting every view
// ahead at idle times was tried too: the hidden views' live updates then cost more than it saved.
import { useState } from 'react';
import { ViewBoundary } from '../components/ViewBoundary';
import { VIEWS, type ViewId } from '../views';

export function ViewHost({ view }: { view: ViewId }) {
  // Visits per view: a view that failed to render gets a fresh try each time it is chosen again.
  const [visits, setVisits] = useState<Partial<Record<ViewId, number>>>({ [view]: 1 });
  const [shown, setShown] = useState(view);
  if (shown !== view) {
    setShown(view);
    setVisits((v) => ({ ...v, [view]: (v[view] ?? 0) + 1 }));
  }
  return VIEWS.filter((v) => visits[v.id] || v.id === view).map((v) => (
    <section
      key={v.id}
      className={v.id === view ? 'view' : 'view view-hidden'}
      inert={v.id !== view}
      aria-hidden={v.id !== view || undefined}
      id={`view-${v.id}`}
      aria-labelledby={`view-title-${v.id}`}
      data-testid={`view-${v.id}`}
      tabIndex={-1}
    >
      <h1 id={`view-title-${v.id}`}>{v.label}</h1>
      <ViewBoundary view={`${v.id}:${visits[v.id] ?? 1}`}>
        <v.View />
      </ViewBoundary>
    </section>
  ));
}
