// The app keeps history from its event cache, and a new app on the same data folder reads it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parseEventLine, type PipeEvent } from '../../shared/events';
import { ControlRoomApp } from '../app';
import { ConfigStore } from '../config';
import { silentLogger } from '../log';
import { SecretStore } from '../secrets';
import { iconStrip } from './png.fixture';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function makeApp(dir: string, config: object = {}) {
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({ dataDir: join(dir, 'data'), pipe: { path: join(dir, 'no-factorio', 'events.pipe') }, ...config }),
  );
  const secrets = new SecretStore({}, dir);
  const store = new ConfigStore({ path, env: {}, secrets, appHome: dir, keepLastGood: false });
  store.load();
  // No services: only the cache and the history are exercised.
  return new ControlRoomApp({
    mode: 'headless',
    version: 't',
    configStore: store,
    secrets,
    logger: silentLogger(),
    services: {},
  });
}

const client = { markReady() {}, reset() {}, detach() {}, dropped: 0 };
const ctx = { client } as never;

function event(seq: number, line: string): PipeEvent {
  const r = parseEventLine(line);
  if (!r.ok) throw new Error(r.message);
  return { seq, receivedAt: seq, line, event: r.event };
}

it('stats lines reach the history through the cache and outlive the app', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-history-app-'));
  dirs.push(dir);
  const first = makeApp(dir);
  await first.start();
  first.events.push(
    event(1, JSON.stringify({ type: 'session_init', session_id: 's1', tick: 0, level_name: 'nauvis' })),
  );
  for (let c = 1; c <= 20; c++)
    first.events.push(
      event(
        c + 1,
        JSON.stringify({
          type: 'stats',
          session_id: 's1',
          cycle: c,
          tick: c * 120,
          products_production: { 'iron-plate': c * 1.5 },
          materials_consumption: {},
        }),
      ),
    );
  await first.stop();

  const second = makeApp(dir);
  await second.start();
  try {
    expect(await second.handlers['history.sessions'](undefined, ctx)).toEqual([
      { id: 's1', level: 'nauvis', first: 2, last: 40, items: ['iron-plate'] },
    ]);
    const ans = await second.handlers['history.query']({ session: 's1', items: ['iron-plate'] }, ctx);
    expect(ans.series[0].p).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 1.5));
  } finally {
    await second.stop();
  }
});

it('history turned off answers unavailable, and the rest of the app runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-history-app-'));
  dirs.push(dir);
  const app = makeApp(dir, { history: { enabled: false } });
  await app.start();
  try {
    expect(await app.handlers['history.status'](undefined, ctx)).toBeNull();
    await expect(Promise.resolve().then(() => app.handlers['history.sessions'](undefined, ctx))).rejects.toMatchObject({
      code: 'unavailable',
    });
  } finally {
    await app.stop();
  }
});

it('/metrics text carries the newest line per item, the tick and every service state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-history-app-'));
  dirs.push(dir);
  const app = makeApp(dir);
  await app.start();
  try {
    app.events.push(
      event(
        1,
        JSON.stringify({
          type: 'stats',
          session_id: 's9',
          cycle: 1,
          tick: 120,
          products_production: { 'iron-plate': 10 },
          materials_consumption: {},
        }),
      ),
    );
    app.events.push(
      event(
        2,
        JSON.stringify({
          type: 'stats',
          session_id: 's9',
          cycle: 2,
          tick: 240,
          products_production: { 'iron-plate': 12.5 },
          materials_consumption: { 'iron-ore': 3.25 },
        }),
      ),
    );
    const text = await app.metrics();
    expect(text).toContain('factorio_item_production_per_minute{session="s9",item="iron-plate"} 12.5');
    expect(text).toContain('factorio_item_consumption_per_minute{session="s9",item="iron-ore"} 3.25');
    expect(text).toContain('factorio_game_tick{session="s9"} 240');
    expect(text).toContain('controlroom_service_state{service="wandb",state="disabled"} 1');
    expect(text).toMatch(/controlroom_history_bytes \d+/);
    // A 1.1-style line has no surfaces and no fluids: those gauges have no samples.
    expect(text).not.toMatch(/^factorio_surface_item_production_per_minute\{/m);
    expect(text).not.toMatch(/^factorio_fluid_production_per_minute\{/m);

    // A 2.0 line: fluids, and each surface's own rates beside the force totals.
    app.events.push(
      event(
        3,
        JSON.stringify({
          type: 'stats',
          session_id: 's9',
          cycle: 3,
          tick: 360,
          products_production: { 'iron-plate': 30, 'tungsten-plate': 2 },
          materials_consumption: { 'iron-ore': 31 },
          fluids_production: { water: 1200, 'molten-iron': 150 },
          fluids_consumption: { water: 900 },
          surfaces: {
            nauvis: { products_production: { 'iron-plate': 18 }, materials_consumption: { 'iron-ore': 19 } },
            vulcanus: {
              products_production: { 'iron-plate': 12, 'tungsten-plate': 2 },
              materials_consumption: { 'iron-ore': 12 },
              fluids_production: { 'molten-iron': 150 },
            },
          },
        }),
      ),
    );
    const later = await app.metrics();
    expect(later).toContain('factorio_item_production_per_minute{session="s9",item="iron-plate"} 30');
    expect(later).toContain('factorio_fluid_production_per_minute{session="s9",fluid="molten-iron"} 150');
    expect(later).toContain('factorio_fluid_consumption_per_minute{session="s9",fluid="water"} 900');
    expect(later).toContain(
      'factorio_surface_item_production_per_minute{session="s9",surface="vulcanus",item="tungsten-plate"} 2',
    );
    expect(later).toContain(
      'factorio_surface_item_consumption_per_minute{session="s9",surface="nauvis",item="iron-ore"} 19',
    );
    expect(later).toContain(
      'factorio_surface_fluid_production_per_minute{session="s9",surface="vulcanus",fluid="molten-iron"} 150',
    );
    // Only what the newest line says: the first line's iron-plate 10 is gone.
    expect(later).not.toContain('item="iron-plate"} 10\n');
  } finally {
    await app.stop();
  }
});

it("history.icons serves from history.factorioDir, else from a user data folder that holds the game's files", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-history-app-'));
  dirs.push(dir);
  // A standalone install keeps the game's data/ and the user data (mods/, saves/) in one folder.
  const standalone = join(dir, 'factorio');
  const install = join(dir, 'steam-factorio');
  const plate = iconStrip(32, 2, [200, 0, 0], [0, 0, 200]);
  const gear = iconStrip(32, 2, [0, 200, 0], [0, 0, 200]);
  for (const [root, item, png] of [
    [standalone, 'iron-plate', plate],
    [install, 'iron-gear-wheel', gear],
  ] as const) {
    mkdirSync(join(root, 'data', 'base', 'graphics', 'icons'), { recursive: true });
    mkdirSync(join(root, 'saves'), { recursive: true });
    writeFileSync(join(root, 'data', 'base', 'graphics', 'icons', `${item}.png`), png);
  }
  const items = { items: ['iron-plate', 'iron-gear-wheel', '../../../etc/passwd'] };
  const fromUserData = makeApp(dir, { factorio: { userDataDir: standalone } });
  await fromUserData.start();
  try {
    const icons = await fromUserData.handlers['history.icons'](items, ctx);
    expect(icons.map((i) => i.item)).toEqual(['iron-plate']);
    expect(Buffer.from(icons[0].dataUrl.slice('data:image/png;base64,'.length), 'base64').equals(plate)).toBe(true);
  } finally {
    await fromUserData.stop();
  }
  const configured = makeApp(dir, { factorio: { userDataDir: standalone }, history: { factorioDir: install } });
  await configured.start();
  try {
    expect((await configured.handlers['history.icons'](items, ctx)).map((i) => i.item)).toEqual(['iron-gear-wheel']);
  } finally {
    await configured.stop();
  }
});
