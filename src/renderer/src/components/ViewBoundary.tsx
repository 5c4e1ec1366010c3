// A view that throws while rendering shows its error here instead of unmounting the whole app
// (navigation and the status bar stay usable); choosing another view resets it.
import { Component, type ReactNode } from 'react';

export class ViewBoundary extends Component<{ view: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidUpdate(prev: { view: string }) {
    if (prev.view !== this.props.view && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="banner error" role="alert" data-testid="view-error">
        This view failed to render: {this.state.error.message}
      </div>
    );
  }
}
