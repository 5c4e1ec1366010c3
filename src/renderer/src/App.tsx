import { startTransition, useEffect, useState, type MouseEvent } from 'react';
import { StatusBar } from './components/StatusBar';
import { useSidebarCollapsed } from './shell/layout';
import { Sidebar } from './shell/Sidebar';
import { ViewHost } from './shell/ViewHost';
import { useStore } from './store';
import { isViewHash, VIEWS, viewFromHash, type ViewId } from './views';

export function App() {
  const [view, setView] = useState<ViewId>(() => viewFromHash(location.hash));
  const [collapsed, toggleSidebar] = useSidebarCollapsed();
  const loadError = useStore((s) => s.config?.loadError ?? null);
  const disconnected = useStore((s) => s.connection !== 'open');

  useEffect(() => {
    // A transition: the view being left stays interactive while the next one renders in slices.
    const onHash = () => isViewHash(location.hash) && startTransition(() => setView(viewFromHash(location.hash)));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const label = VIEWS.find((v) => v.id === view)!.label;
  useEffect(() => {
    document.title = `${label} · Factorio Control Room`;
  }, [label]);

  const skipToView = (e: MouseEvent) => {
    // The hash is the router's: move focus without touching it.
    e.preventDefault();
    document.getElementById(`view-${view}`)?.focus();
  };

  return (
    <div
      className={`app${collapsed ? ' nav-collapsed' : ''}`}
      data-disconnected={disconnected || undefined}
      data-testid="app"
    >
      <a className="skip-link" href={`#view-${view}`} onClick={skipToView} data-testid="skip-link">
        Skip to the {label} view
      </a>
      <Sidebar view={view} collapsed={collapsed} onToggle={toggleSidebar} />
      <main className="main" id="main">
        {loadError && (
          <div className="banner error" role="alert" data-testid="config-load-error">
            The config file is invalid, so the app is running on the last good configuration. {loadError.message}
          </div>
        )}
        <ViewHost view={view} />
      </main>
      <StatusBar />
    </div>
  );
}
