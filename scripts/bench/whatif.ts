/**
 * What-if edits on Harbin, server side: 200 random edits (add, move, remove, close, reopen,
 * category, capacity) through the HTTP app in process — validation, the incremental coverage
 * update, its delta, and the edit stored durably in DuckDB before the answer. Budget: p95 < 50 ms.
 * Also times undo and a cold scenario (the baseline rebuilt and its log replayed).
 *
 *   npx tsx scripts/bench/whatif.ts [--edits 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HARBIN_PBF } from '../../server/config.ts';
import { buildCity, defaultOptions } from '../../server/pipeline.ts';
import { openDb } from '../../server/db/connection.ts';
import { writeCity } from '../../server/db/city.ts';
import { readCity } from '../../server/db/read.ts';
import { CityContext } from '../../server/context.ts';
import { createApp } from '../../server/app.ts';
import { Scenarios } from '../../server/scenarios.ts';
import { seeded } from '../../server/core/random.ts';

const { values } = parseArgs({ options: { edits: { type: 'string', default: '200' } } });
const count = Number(values.edits);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const dir = mkdtempSync(join(tmpdir(), 'lifecircle-whatif-'));
const db = await openDb(join(dir, 'harbin.duckdb'));
try {
  await writeCity(db.conn, buildCity(defaultOptions(HARBIN_PBF)));
  const city = new CityContext(await readCity(db.conn));
  const app = createApp(city, { scenarios: await Scenarios.open(city, db.conn) });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, method === 'GET' ? { method } : { method, body: JSON.stringify(body ?? {}), headers: { 'Content-Type': 'application/json' } });
    const json = (await res.json()) as any;
    if (res.status >= 400 && res.status !== 422) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return { status: res.status, json };
  };
  const { id } = (await call('POST', '/api/scenarios', { name: 'bench' })).json;

  // a seeded walk so every run edits the same way
  const rand = seeded(7);
  const { cells, categories } = city.stored;
  const populated = [...cells.residents.keys()].filter((c) => cells.residents[c] > 0);
  const somewhere = () => {
    const c = populated[Math.floor(rand() * populated.length)];
    return { lon: cells.lon[c] + (rand() - 0.5) * 0.002, lat: cells.lat[c] + (rand() - 0.5) * 0.002 };
  };
  const cats = categories.map((c) => c.id);
  const stationIds = async () => ((await call('GET', `/api/scenarios/${id}/stations`)).json.features as any[]).map((f) => f.properties);

  let stations = await stationIds();
  const times: number[] = [];
  const byOp: Record<string, number[]> = {};
  for (let i = 0; i < count + 10; i++) {
    const st = stations[Math.floor(rand() * stations.length)];
    const p = rand();
    const edit =
      p < 0.35 ? { op: 'add', category: cats[Math.floor(rand() * cats.length)], ...somewhere() }
      : p < 0.6 ? { op: 'move', station: st.id, ...somewhere() }
      : p < 0.7 ? { op: 'remove', station: st.id }
      : p < 0.85 ? { op: st.open ? 'close' : 'reopen', station: st.id }
      : p < 0.95 ? { op: 'category', station: st.id, category: cats[Math.floor(rand() * cats.length)] }
      : { op: 'capacity', station: st.id, capacity: 20 };
    const t = performance.now();
    await call('POST', `/api/scenarios/${id}/edits`, { edit });
    const ms = performance.now() - t;
    if (i >= 10) {
      // the first 10 warm up the JIT
      times.push(ms);
      (byOp[edit.op] ??= []).push(ms);
    }
    if (edit.op === 'add' || edit.op === 'remove' || edit.op === 'close' || edit.op === 'reopen') stations = await stationIds();
  }
  const undo: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await call('POST', `/api/scenarios/${id}/undo`);
    undo.push(performance.now() - t);
  }
  // a cold model: the server restarted, the baseline rebuilt and the stored log replayed
  const cold = createApp(city, { scenarios: await Scenarios.open(city, db.conn) });
  const t = performance.now();
  await cold.request(`/api/scenarios/${id}/compare?category=elderly_care&tier=15&speed=elderly`);
  const coldMs = performance.now() - t;

  console.log(`What-if edits on Harbin through the API in process, ${times.length} random edits (each stored in DuckDB before the answer)`);
  console.log(`edit: median ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms; budget p95 50 ms; ratio ${(quantile(times, 0.95) / 50).toFixed(2)}`);
  for (const [op, xs] of Object.entries(byOp)) console.log(`  ${op.padEnd(9)} n=${String(xs.length).padStart(3)}  median ${quantile(xs, 0.5).toFixed(1)} ms  p95 ${quantile(xs, 0.95).toFixed(1)} ms`);
  console.log(`undo: median ${quantile(undo, 0.5).toFixed(1)} ms, p95 ${quantile(undo, 0.95).toFixed(1)} ms`);
  console.log(`cold scenario (baseline + ${count + 10 - 20} edits replayed) then compare: ${coldMs.toFixed(0)} ms`);
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
