export function PlannedView({ plan }: { plan: string }) {
  return (
    <section className="planned" data-testid="planned-view">
      <p>{plan}</p>
      <p className="muted">This view arrives with its service; the status bar below shows that service&apos;s state today.</p>
    </section>
  );
}
