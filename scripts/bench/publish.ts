/**
 * Publishing Harbin through the HTTP app in process, as the web app's "Publish" does: the snapshot,
 * the offline page with its embedded basemap, the GeoJSON / CSV / Parquet downloads, the PNG map,
 * the PDF report, and the one transaction that stores them. The baseline and a scenario with three
 * added stations and a joint community, `--runs` times each (each a new name); median and min
 * of the whole request, the median of each step, and the size of the folder. Budget: < 10 s.
 *
 *   npx tsx scripts/bench/publish.ts [--runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../../server/app.ts';
import { HARBIN_PBF } from '../../server/config.ts';
import { CityContext } from '../../server/context.ts';
import { BasemapTiles } from '../../server/core/tiles.ts';
import { readBasemap } from '../../server/db/basemap.ts';
import { writeCity } from '../../server/db/city.ts';
import { openDb } from '../../server/db/connection.ts';
import { readCity } from '../../server/db/read.ts';
import { buildCity, defaultOptions } from '../../server/pipeline.ts';
import { Publisher } from '../../server/publish/publisher.ts';
import { Scenarios } from '../../server/scenarios.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'lifecircle-bench-publish-'));
const db = await openDb(join(dir, 'harbin.duckdb'));
try {
  await writeCity(db.conn, buildCity(defaultOptions(HARBIN_PBF)));
  const city = new CityContext(await readCity(db.conn));
  const scenarios = await Scenarios.open(city, db.conn);
  const basemap = await readBasemap(db.conn);
  const steps = new Map<string, number[]>();
  const publisher = await Publisher.open(city, await db.instance.connect(), scenarios, { features: basemap, tiles: new BasemapTiles(basemap) }, (step, ms) => {
    if (!steps.has(step)) steps.set(step, []);
    steps.get(step)!.push(ms);
  });
  const app = createApp(city, { scenarios, publisher });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const json = (await res.json()) as any;
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { id } = await call('POST', '/api/scenarios', { name: '方案 A' });
  const { cells, units } = city.stored;
  const order = [...cells.elderly.keys()].sort((a, b) => cells.elderly[b] - cells.elderly[a]);
  for (const c of [order[0], order[40], order[300]]) await call('POST', `/api/scenarios/${id}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: cells.lon[c], lat: cells.lat[c] } });
  await call('POST', `/api/scenarios/${id}/edits`, { edit: { op: 'merge', units: [units[0].id, units[1].id], override: true } });

  const view = { category: 'elderly_care', tier: 15, speed: 'elderly' };
  const report: string[] = [];
  for (const [label, scenario] of [['baseline', null], ['scenario', id]] as const) {
    steps.clear();
    const times: number[] = [];
    for (let r = 0; r <= runs; r++) {
      const t = performance.now();
      await call('POST', '/api/published', { name: `${label}-${r}`, title: '哈尔滨 养老服务 15 分钟覆盖', scenario, view });
      // run 0 warms up (module loading, the font, the first tile cuts); not counted
      if (r > 0) times.push(performance.now() - t);
    }
    const files = (await call('GET', `/api/published/${label}-1/files`)).files as Array<{ path: string; bytes: number }>;
    const total = files.reduce((a, f) => a + f.bytes, 0);
    report.push(`publish ${label}: median ${(median(times) / 1000).toFixed(2)} s, min ${(Math.min(...times) / 1000).toFixed(2)} s over ${runs} runs (budget 10 s: ${(median(times) / 10_000).toFixed(2)} of it)`);
    report.push(`  steps (median ms): ${[...steps].map(([s, ms]) => `${s} ${Math.round(median(ms.slice(1)))}`).join(', ')}`);
    report.push(`  folder: ${files.length} files, ${(total / 1e6).toFixed(1)} MB (${files.map((f) => `${f.path} ${(f.bytes / 1e6).toFixed(2)}`).join(', ')})`);
  }
  console.log(report.join('\n'));
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
