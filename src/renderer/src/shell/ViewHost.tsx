// Views stay mounted once shown: switching back only swaps which one is painted. Mounting a view
// on every switch cost long tasks of 100-400 ms (the Production view's charts most), see bench/views.bench.ts. A hidden view
// keeps its size rather than `display: none`: at width 0 the charts were laid out again, and again
// on the way back. React's <Activity> was tried and was slower here: it re-runs a view's effects
// on every show (history reloads, re-subscriptions, a full chart re-render). Mounting every view
// ahead at idle times was tried too: the hidden views' live updates then cost more than it saved.
import { useState, type ReactNode } from 'react';
import { ProductionView } from '../charts/ProductionView';
import { DiscordView } from '../components/DiscordView';
import { EngineView } from '../components/EngineView';
import { EventsView } from '../components/EventsView';
import { PlannedView } from '../components/PlannedView';
import { SessionsView } from '../components/SessionsView';
import { SettingsView } from '../components/SettingsView';
import { SlotsView } from '../components/SlotsView';
import { ViewBoundary } from '../components/ViewBoundary';
import { VIEWS, type ViewId } from '../views';

function content(id: ViewId): ReactNode {
  switch (id) {
    case 'production':
      return <ProductionView />;
    case 'events':
      return <EventsView />;
    case 'sessions':
      return <SessionsView />;
    case 'discord':
      return <DiscordView />;
    case 'engine':
      return <EngineView />;
    case 'slots':
      return <SlotsView />;
    case 'settings':
      return <SettingsView />;
    default:
      return <PlannedView plan={VIEWS.find((v) => v.id === id)?.plan ?? ''} />;
  }
}

export function ViewHost({ view }: { view: ViewId }) {
  // Visits per view: a view that failed to render gets a fresh try each time it is chosen again.
  const [visits, setVisits] = useState<Partial<Record<ViewId, number>>>({ [view]: 1 });
  const [shown, setShown] = useState(view);
  if (shown !== view) {
    setShown(view);
    setVisits((v) => ({ ...v, [view]: (v[view] ?? 0) + 1 }));
  }
  return VIEWS.filter((v) => visits[v.id] || v.id === view).map((v) => (
    <section key={v.id} className={v.id === view ? 'view' : 'view view-hidden'} inert={v.id !== view} aria-hidden={v.id !== view || undefined} id={`view-${v.id}`} aria-labelledby={`view-title-${v.id}`} data-testid={`view-${v.id}`} tabIndex={-1}>
      <h1 id={`view-title-${v.id}`}>{v.label}</h1>
      <ViewBoundary view={`${v.id}:${visits[v.id] ?? 1}`}>{content(v.id)}</ViewBoundary>
    </section>
  ));
}
