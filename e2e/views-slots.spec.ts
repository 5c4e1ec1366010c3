// An unreachable slot: every live figure is "—" (not Players 0), Deploy and Restart say why they
// are disabled, the join test's steps that never checked anything say "not run", and the table
// fits a 1024 px window.
import { createServer } from 'node:net';
import { expect, test } from './fixtures';

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test.describe('Slots view, slot offline', () => {
  test.use({
    // eslint-disable-next-line no-empty-pattern
    appConfig: async ({}, use) =>
      use({ slots: [{ id: 'down', name: 'Down', rconPort: await closedPort(), rconPassword: 'x', pollSeconds: 1 }] }),
  });

  test('dashes, disabled reasons and "not run" steps', async ({ ui }) => {
    await ui.setViewportSize({ width: 1024, height: 700 });
    await ui.getByTestId('nav-slots').click();
    const slot = ui.getByTestId('slot-down');
    await expect(slot).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
    for (const id of ['slot-players', 'slot-tick', 'slot-queue', 'slot-rtt', 'slot-registrations'])
      await expect(slot.getByTestId(id)).toHaveText('—');
    await expect(slot.getByTestId('slot-deploy-button')).toBeDisabled();
    await expect(slot.getByTestId('slot-deploy-button-reason')).toHaveText(/No deploy target/);
    await expect(slot.getByTestId('slot-restart-button-reason')).toHaveText(/No restart command/);
    const overflow = await ui.getByTestId('view-slots').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await slot.getByTestId('slot-join-button').click();
    const run = ui.getByTestId('slot-join-run').first();
    await expect(run).toHaveAttribute('data-ok', 'false', { timeout: 30_000 });
    const steps = run.getByTestId('slot-join-step');
    await expect(steps.nth(1)).toHaveAttribute('data-shown', 'failed');
    for (const i of [2, 3, 4]) await expect(steps.nth(i)).toHaveAttribute('data-shown', 'not run');
    await expect(steps.nth(2)).toContainText('not run');
  });
});
