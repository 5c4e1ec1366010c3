import { VIEWS, type ViewId } from '../views';

export function Sidebar({ view, collapsed, onToggle }: { view: ViewId; collapsed: boolean; onToggle: () => void }) {
  return (
    <nav className="nav" aria-label="Views" data-testid="sidebar" data-collapsed={collapsed}>
      <div className="nav-head">
        {!collapsed && <div className="brand">Factorio Control Room</div>}
        <button
          type="button"
          className="nav-toggle"
          aria-expanded={!collapsed}
          aria-controls="nav-links"
          aria-label="Sidebar"
          title={collapsed ? 'Expand the sidebar' : 'Collapse the sidebar'}
          onClick={onToggle}
          data-testid="sidebar-toggle"
        >
          <span aria-hidden="true">{collapsed ? '»' : '«'}</span>
        </button>
      </div>
      <div id="nav-links" className="nav-links">
        {VIEWS.map((v) => (
          <a
            key={v.id}
            href={`#/${v.id}`}
            className={v.id === view ? 'active' : ''}
            aria-current={v.id === view ? 'page' : undefined}
            data-testid={`nav-${v.id}`}
            title={collapsed ? v.label : undefined}
          >
            {collapsed ? (
              <>
                <span aria-hidden="true">{v.short}</span>
                <span className="sr-only">{v.label}</span>
              </>
            ) : (
              v.label
            )}
          </a>
        ))}
      </div>
    </nav>
  );
}
