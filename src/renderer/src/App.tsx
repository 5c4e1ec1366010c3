import { useEffect, useState } from 'react';
import { ProductionView } from './charts/ProductionView';
import { DiscordView } from './components/DiscordView';
import { SlotsView } from './components/SlotsView';
import { ViewBoundary } from './components/ViewBoundary';
import { EngineView } from './components/EngineView';
import { EventsView } from './components/EventsView';
import { SessionsView } from './components/SessionsView';
import { StatusBar } from './components/StatusBar';
import { PlannedView } from './components/PlannedView';
import { SettingsView } from './components/SettingsView';
import { useStore } from './store';
import { VIEWS, viewFromHash, type ViewId } from './views';

export function App() {
  const [view, setView] = useState<ViewId>(() => viewFromHash(location.hash));
  const loadError = useStore((s) => s.config?.loadError ?? null);

  useEffect(() => {
    const onHash = () => setView(viewFromHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const current = VIEWS.find((v) => v.id === view)!;
  return (
    <div className="app">
      <nav className="nav" aria-label="Views">
        <div className="brand">Factorio Control Room</div>
        {VIEWS.map((v) => (
          <a key={v.id} href={`#/${v.id}`} className={v.id === view ? 'active' : ''} aria-current={v.id === view ? 'page' : undefined} data-testid={`nav-${v.id}`}>
            {v.label}
          </a>
        ))}
      </nav>
      <main className="main" data-testid={`view-${view}`}>
        {loadError && (
          <div className="banner error" role="alert" data-testid="config-load-error">
            The config file is invalid, so the app is running on the last good configuration. {loadError.message}
          </div>
        )}
        <h1>{current.label}</h1>
        <ViewBoundary view={view}>
          {view === 'settings' ? <SettingsView /> : view === 'events' ? <EventsView /> : view === 'production' ? <ProductionView /> : view === 'sessions' ? <SessionsView /> : view === 'discord' ? <DiscordView /> : view === 'slots' ? <SlotsView /> : view === 'engine' ? <EngineView /> : <PlannedView plan={current.plan} />}
        </ViewBoundary>
      </main>
      <StatusBar />
    </div>
  );
}
