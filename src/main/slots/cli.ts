// `npm run slots -- status|deploy|join-test [--slot ID] [--config FILE] [--data-dir DIR] [--json]`:
// the Slots view's actions for shells and CI. Exit codes: 0 all good, 1 a slot failed (unreachable,
// deploy or join test failed), 2 bad usage or config.
import { parseArgs } from 'node:util';
import { ConfigError, loadToolConfig } from '../config';
import { createLogger } from '../log';
import { bundledScenarioDir, slotOps } from './ops-impl';
import { SlotsService } from './service';

const USAGE = 'usage: npm run slots -- status|deploy|join-test [--slot ID] [--config FILE] [--data-dir DIR] [--json]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        slot: { type: 'string' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (!['status', 'deploy', 'join-test'].includes(action ?? '') || positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  let loaded;
  try {
    loaded = loadToolConfig({ config: values.config, dataDir: values['data-dir'] });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const { store, secrets, path: configPath } = loaded;
  const config = store.effective;
  const ids = values.slot ? [values.slot] : config.slots.map((s) => s.id);
  if (!config.slots.length) {
    console.error(`no slots configured in ${configPath} (slots[])`);
    return 2;
  }
  if (values.slot && !config.slots.some((s) => s.id === values.slot)) {
    console.error(
      `no slot "${values.slot}" in ${configPath} (configured: ${config.slots.map((s) => s.id).join(', ')})`,
    );
    return 2;
  }
  const logger = createLogger('slots', process.env.LOG_LEVEL ?? 'warn');
  const svc = new SlotsService({
    slots: config.slots,
    joinTest: config.joinTest,
    dataDir: config.dataDir,
    scenarioDir: bundledScenarioDir(),
    secret: (ref, path) => secrets.resolve(ref, path),
    ops: slotOps(secrets, logger),
    logger,
    statusChanged() {},
    push() {},
    poll: false,
  });
  await svc.start();
  let failed = false;
  const out: unknown[] = [];
  try {
    for (const id of ids) {
      if (action === 'status') {
        await svc.pollNow(id);
        const s = svc.snapshot().slots.find((x) => x.id === id)!;
        out.push(s);
        const ok =
          s.state === 'reachable' &&
          s.version === s.expectedVersion &&
          s.saveVersion === s.expectedVersion &&
          s.registrationsMatch === true;
        failed ||= !ok;
        if (!values.json)
          console.log(
            `${ok ? 'ok  ' : 'FAIL'} ${id}  ${s.host}:${s.gamePort}  ${s.state}  ${s.message}` +
              (s.state === 'reachable'
                ? `  (rtt ${s.rttMs} ms, tick ${s.tick}, ${s.players.length} players, queue ${s.queueLength})`
                : ''),
          );
      } else if (action === 'deploy') {
        const cfg = config.slots.find((s) => s.id === id)!;
        if (!cfg.deploy) {
          if (values.slot) {
            console.error(`slot ${id} has no deploy target (slots[].deploy)`);
            failed = true;
          }
          continue;
        }
        const r = await svc.deploy(id);
        out.push({ id, ...r });
        failed ||= !r.ok;
        if (!values.json) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${id}  ${r.message}`);
      } else {
        const run = await svc.joinTest(id);
        out.push(run);
        failed ||= !run.ok;
        if (!values.json) {
          console.log(`${run.ok ? 'ok  ' : 'FAIL'} ${id}  join test`);
          for (const st of run.steps)
            console.log(
              `     ${st.state.replace('_', ' ').padEnd(7)} ${st.name}${st.detail ? `: ${st.detail.split('\n').join('\n              ')}` : ''}`,
            );
        }
      }
    }
  } finally {
    await svc.stop();
  }
  if (values.json) console.log(JSON.stringify(out, null, 2));
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`slots: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
