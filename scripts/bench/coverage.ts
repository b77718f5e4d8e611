/**
 * Core budgets on the real Harbin sample (median of several runs, after a warm-up):
 *   - the coverage step (walksheds of every facility + nearest facility per category per cell, both speeds) < 300 ms
 *   - the whole import → coverage build, as the user runs it (a fresh process) < 20 s, peak memory < 1.5 GB
 *
 *   npx tsx scripts/bench/coverage.ts [--runs 7]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCity, defaultOptions } from '../../server/pipeline.ts';
import { computeCoverage } from '../../server/core/coverage.ts';
import { HARBIN_PBF } from '../../server/config.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const root = fileURLToPath(new URL('../..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

// 1. the coverage step, in process, on the built inputs
const options = defaultOptions(HARBIN_PBF);
const city = buildCity(options);
const categoryIds = city.categories.categories.map((c) => c.id);
const input = {
  graph: city.graph,
  facilities: { edge: city.facilitySnap.edge, offset: city.facilitySnap.offset, access: city.facilitySnap.distance },
  facilityCategory: Int32Array.from(city.facilities, (f) => categoryIds.indexOf(f.category)),
  categories: categoryIds,
  cells: { edge: city.cellSnap.edge, offset: city.cellSnap.offset, access: city.cellSnap.distance },
};
const cutoff = Math.max(...options.tiers) * Math.max(options.speeds.general, options.speeds.elderly);
computeCoverage(input, { walkshedCutoffM: cutoff, nearestCutoffM: Infinity }); // warm-up
const step: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  computeCoverage(input, { walkshedCutoffM: cutoff, nearestCutoffM: Infinity });
  step.push(performance.now() - t);
}

// 2. the whole build in a fresh process, as `npm run build:db` runs it
const dir = mkdtempSync(join(tmpdir(), 'lifecircle-bench-'));
const whole: number[] = [];
const rss: number[] = [];
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
for (let i = 0; i < Math.min(runs, 5); i++) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [tsx, 'scripts/build.ts', '--db', join(dir, `h${i}.duckdb`)], { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
  const m = r.stderr.match(/peak RSS (\d+) MB/);
  whole.push(ms);
  rss.push(Number(m?.[1]));
}
rmSync(dir, { recursive: true, force: true });

const rows: Array<[string, string, string, string]> = [
  ['what', 'median', 'budget', 'median / budget'],
  [`coverage step (${city.facilities.length} walksheds at ${cutoff} m + nearest of ${categoryIds.length} categories for ${city.demand.cells.length} cells)`, fmt(median(step)), '300 ms', (median(step) / 300).toFixed(3)],
  ['whole build, fresh process (read → store)', fmt(median(whole)), '20000 ms', (median(whole) / 20000).toFixed(3)],
  ['peak RSS of the whole build', `${median(rss)} MB (max ${Math.max(...rss)} MB)`, '1536 MB', (Math.max(...rss) / 1536).toFixed(3)],
];
console.log(`Harbin: ${city.network.nodeCount} junctions, ${city.network.edgeCount} edges, ${city.facilities.length} facilities, ${city.demand.cells.length} cells; ${runs} runs`);
console.log(`coverage step runs: ${step.map((s) => s.toFixed(1)).join(', ')} ms (min ${fmt(Math.min(...step))})`);
console.log(`whole build runs: ${whole.map((s) => (s / 1000).toFixed(2)).join(', ')} s; stage timings of the in-process build: ${JSON.stringify(city.timings)}`);
const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
