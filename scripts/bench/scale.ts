/**
 * The coverage step at metropolitan scale: Harbin tiled 8 × 8 (≈ 1.2 million junctions, ≈ 25,000
 * facilities, ≈ 0.9 million demand cells), computeCoverage timed as a median with its two parts
 * (walksheds, per-category nearest) and the process's peak memory; then pgr_drivingDistance at
 * 1000 m from the tiled facilities on the same graph, for the ratio.
 *
 * Budgets (Core issue): coverage step < 5 s and < 4 GB.
 * Run: npx tsx scripts/bench/scale.ts [--tiles 8] [--runs 3] [--nearest-cutoff metres] [--pg-runs 1] [--no-pg]
 * Exits 1 when a correctness check fails, 2 when a budget is missed.
 */
import { DEFAULTS } from '../../server/config.ts';
import { components } from '../../server/core/graph.ts';
import { computeCoverage, type CoverageInput, type CoverageResult } from '../../server/core/coverage.ts';
import { groupByEdge, nearest, walksheds } from '../../server/core/reach.ts';
import { Walker } from '../../server/core/walk.ts';
import { startCluster } from './pg.ts';
import { flag, loadPg, ms, printTable, timeMedian, timePgDrivingDistance } from './peer-pgrouting.ts';
import { harbinCity, tileCity, type BenchCity } from './tile.ts';

const WALKSHED_M = 1005; // 15 min × 67 m/min: the pipeline's walkshed cutoff with the default speeds
const BUDGET_MS = 5000;
const BUDGET_BYTES = 4 * 1024 ** 3;
const GB = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;
/** Peak resident set of this process so far (what /usr/bin/time -v reports as maximum resident set size). */
const maxRss = () => process.resourceUsage().maxRSS * 1024;

async function main() {
  const n = flag('tiles', 8);
  const runs = flag('runs', 3);
  const nearestCutoffM = flag('nearest-cutoff', DEFAULTS.nearestCutoffM);
  const harbin = harbinCity();
  const t0 = performance.now();
  const city = tileCity(harbin, n, n);
  const tileMs = performance.now() - t0;
  const g = city.graph;
  const { size } = components(g);
  const largest = Math.max(...size);
  const baseLargest = Math.max(...components(harbin.graph).size);
  // Stitching must join the main network of every tile into one.
  const joined = largest >= city.tiling.tiles * baseLargest;
  console.log(`Harbin ${n} × ${n}: ${g.nodeCount.toLocaleString('en')} nodes, ${g.edgeCount.toLocaleString('en')} edges (${city.tiling.stitchCount.toLocaleString('en')} seam stitches), ` +
    `${city.facilities.edge.length.toLocaleString('en')} facilities, ${city.cells.edge.length.toLocaleString('en')} cells (${city.cellSource}); tiled in ${ms(tileMs)}`);
  console.log(`largest connected component: ${largest.toLocaleString('en')} nodes (${((100 * largest) / g.nodeCount).toFixed(1)} %; Harbin's own: ${baseLargest.toLocaleString('en')} × ${city.tiling.tiles} tiles = ${(baseLargest * city.tiling.tiles).toLocaleString('en')}), ${size.length.toLocaleString('en')} components: ${joined ? 'all tiles joined' : 'TILES NOT JOINED'}`);

  const input: CoverageInput = { graph: g, facilities: city.facilities, facilityCategory: city.facilityCategory, categories: city.categories, cells: city.cells };
  const rssBefore = process.memoryUsage().rss;
  let result: CoverageResult | undefined;
  const step = timeMedian(() => {
    result = computeCoverage(input, { walkshedCutoffM: WALKSHED_M, nearestCutoffM });
  }, runs, 1);
  const peak = maxRss();
  const check = againstHarbin(harbin, result!, city.tiling.tiles, nearestCutoffM);

  // The same work in its parts, to say where the time goes.
  const walker = new Walker(g);
  const cellsOnEdge = groupByEdge(g.edgeCount, city.cells);
  const group = timeMedian(() => groupByEdge(g.edgeCount, city.cells), runs, 1);
  const sheds = timeMedian(() => walksheds(g, city.facilities, city.cells, cellsOnEdge, WALKSHED_M, walker), runs, 1);
  const members = city.categories.map((_, c) => Int32Array.from([...city.facilityCategory.keys()].filter((f) => city.facilityCategory[f] === c)));
  const near = members.map((m) => timeMedian(() => nearest(g, city.facilities, m, city.cells, nearestCutoffM, walker), runs, 1));
  const sheds1000 = timeMedian(() => walksheds(g, city.facilities, city.cells, cellsOnEdge, 1000, walker), runs, 1);

  const nearestCut = nearestCutoffM === Infinity ? 'no cutoff (the whole network, the default)' : `cutoff ${nearestCutoffM} m`;
  console.log(`\ncomputeCoverage (walksheds at ${WALKSHED_M} m; nearest per category, ${nearestCut}): median of ${runs} after 1 warm-up`);
  printTable([
    ['', 'median', 'min', 'budget', ''],
    ['coverage step', ms(step.median), ms(step.min), ms(BUDGET_MS), step.median < BUDGET_MS ? 'met' : 'MISSED'],
    ['peak RSS of the process (whole run so far)', GB(peak), '', GB(BUDGET_BYTES), peak < BUDGET_BYTES ? 'met' : 'MISSED'],
    ['RSS before the coverage step (city loaded and tiled)', GB(rssBefore), '', '', ''],
    ['walkshed rows (facility × cell)', result!.walksheds.target.length.toLocaleString('en'), '', '', ''],
  ]);
  console.log(`check against Harbin alone: ${check.worse} cell × category distances longer than in Harbin (must be 0), ` +
    `${(100 * check.same).toFixed(2)} % the same, ${(100 * check.shorter).toFixed(2)} % shorter across a seam; ` +
    `walkshed rows ${check.rowsTiled.toLocaleString('en')} ≥ ${check.rowsBase.toLocaleString('en')} × ${city.tiling.tiles}: ${check.rowsOk ? 'ok' : 'FAILED'}`);
  console.log('\nwhere the time goes (each part timed alone)');
  printTable([
    ['part', 'median', 'share of step'],
    ['groupByEdge(cells)', ms(group.median), `${((100 * group.median) / step.median).toFixed(0)} %`],
    [`walksheds() at ${WALKSHED_M} m, ${city.facilities.edge.length} facilities`, ms(sheds.median), `${((100 * sheds.median) / step.median).toFixed(0)} %`],
    ...city.categories.map((c, k) => [`nearest(): ${c} (${members[k].length} facilities)`, ms(near[k].median), `${((100 * near[k].median) / step.median).toFixed(0)} %`]),
  ]);

  if (!process.argv.includes('--no-pg')) {
    const pgRuns = flag('pg-runs', 1);
    const pg = startCluster();
    try {
      const t1 = performance.now();
      loadPg(pg, g, city.facilities);
      const loadMs = performance.now() - t1;
      const t = timePgDrivingDistance(pg, 1000, pgRuns, 0);
      console.log(`\npgr_drivingDistance at 1000 m from the nearest vertex of each of ${city.facilities.edge.length} facilities on the tiled graph (loaded in ${ms(loadMs)}; ${pgRuns} run, no warm-up)`);
      printTable([
        ['', 'median', 'pgRouting ÷ this'],
        ['pgRouting pgr_drivingDistance', ms(t.median), '1.0×'],
        ['ours: walksheds() at 1000 m over the cells', ms(sheds1000.median), `${(t.median / sheds1000.median).toFixed(1)}×`],
        ['ours: whole coverage step', ms(step.median), `${(t.median / step.median).toFixed(1)}×`],
      ]);
      console.log(`pgRouting node rows: ${t.rows.toLocaleString('en')}`);
    } finally {
      pg.stop();
    }
  }
  console.log(`\npeak RSS of the process at exit: ${GB(maxRss())}`);
  if (step.median >= BUDGET_MS || peak >= BUDGET_BYTES) process.exitCode = 2;
  if (!joined || check.worse > 0 || !check.rowsOk) {
    console.error('a correctness check FAILED');
    process.exitCode = 1;
  }
}

/**
 * Tiles only add streets, so no cell copy may be farther from a facility than its original in
 * Harbin alone, and every Harbin walkshed row must reappear in every tile.
 */
function againstHarbin(harbin: BenchCity, tiled: CoverageResult, tiles: number, nearestCutoffM: number) {
  const base = computeCoverage(harbin, { walkshedCutoffM: WALKSHED_M, nearestCutoffM });
  const k = harbin.cells.edge.length;
  let worse = 0;
  let same = 0;
  let shorter = 0;
  let total = 0;
  base.nearest.forEach((b, c) => {
    const t = tiled.nearest[c];
    for (let tile = 0; tile < tiles; tile++) {
      for (let i = 0; i < k; i++) {
        const d = t.dist[tile * k + i];
        if (d === Infinity && b.dist[i] === Infinity) continue;
        total++;
        if (d > b.dist[i] + 1e-9) worse++;
        else if (d === b.dist[i]) same++;
        else shorter++;
      }
    }
  });
  const rowsBase = base.walksheds.target.length;
  const rowsTiled = tiled.walksheds.target.length;
  return { worse, same: same / total, shorter: shorter / total, rowsBase, rowsTiled, rowsOk: rowsTiled >= rowsBase * tiles };
}

await main();
