/**
 * pgRouting as a peer of our walking kernels, on the Harbin sample:
 *
 *   correctness  network distance from every graph node to its nearest facility, ours (one
 *                multi-source Walker run) against pgr_withPointsDD with the facilities as points
 *                on their edges (min over facilities per node); the off-network snap distance is
 *                left out on both sides
 *   speed        pgr_drivingDistance from every facility's nearest vertex at 1000 m against our
 *                walksheds() over the demand cells and plain Walker loops at the same cutoff
 *
 * Run: npx tsx scripts/bench/peer-pgrouting.ts [--cutoff 3000] [--runs 7]
 * Needs Debian's postgresql-15 and postgresql-15-pgrouting; starts and removes its own cluster.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Graph } from '../../server/core/graph.ts';
import { groupByEdge, walkSeeds, walksheds, type Placed } from '../../server/core/reach.ts';
import { Walker } from '../../server/core/walk.ts';
import { startCluster, type Cluster } from './pg.ts';
import { harbinCity, type BenchCity } from './tile.ts';

/** Median and minimum of `runs` timed calls after `warmup` untimed ones (milliseconds). */
export function timeMedian(fn: () => unknown, runs = 7, warmup = 2): { median: number; min: number; all: number[] } {
  for (let i = 0; i < warmup; i++) fn();
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    all.push(performance.now() - t0);
  }
  return { median: median(all), min: Math.min(...all), all };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Print rows as a left-aligned table (first row: the header). */
export function printTable(rows: Array<Array<string | number>>): void {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  console.log(line(cells[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Seeds of one multi-source walk from all facilities: both ends of each facility's edge, access left out. */
export function facilitySeeds(g: Graph, p: Placed, facilities: ArrayLike<number> = [...p.edge.keys()]) {
  return walkSeeds(g, { ...p, access: new Float64Array(p.edge.length) }, facilities);
}

/** The edge end nearer along the edge: the start vertex of a facility's pgr_drivingDistance walk. */
export function nearestVertex(g: Graph, p: Placed, f: number): number {
  const e = p.edge[f];
  return p.offset[f] <= g.edgeLength[e] / 2 ? g.edgeFrom[e] : g.edgeTo[e];
}

/**
 * Load the graph and the facilities into the cluster (ids + 1: pgRouting reserves 0, and
 * negative ids name points). A facility at fraction exactly 0 or 1 starts from that vertex and is
 * kept out of the points table: pgRouting 3.4 otherwise drops the vertex from the graph, so
 * nothing reaches it or leaves it (pgRouting issues #2253, #2689).
 */
export function loadPg(pg: Cluster, g: Graph, p: Placed): { atVertex: number } {
  pg.psql(readFileSync(new URL('./pgrouting.sql', import.meta.url), 'utf8'));
  const chunks: string[] = [];
  for (let e0 = 0; e0 < g.edgeCount; e0 += 100_000) {
    const lines: string[] = [];
    for (let e = e0; e < Math.min(g.edgeCount, e0 + 100_000); e++) {
      // JS prints the shortest decimal that reads back as the same double: no metres lost on the way
      lines.push(`${e + 1},${g.edgeFrom[e] + 1},${g.edgeTo[e] + 1},${g.edgeLength[e]},${g.edgeLength[e]}\n`);
    }
    chunks.push(lines.join(''));
  }
  pg.psql('\\copy edges FROM pstdin WITH (FORMAT csv)', chunks.join(''));
  const points: string[] = [];
  const starts: string[] = [];
  const near: string[] = [];
  let atVertex = 0;
  for (let f = 0; f < p.edge.length; f++) {
    const e = p.edge[f];
    if (e < 0) continue;
    const fraction = Math.min(1, Math.max(0, p.offset[f] / g.edgeLength[e]));
    if (fraction === 0 || fraction === 1) {
      atVertex++;
      starts.push(`${f},${(fraction === 0 ? g.edgeFrom[e] : g.edgeTo[e]) + 1}\n`);
    } else {
      points.push(`${f + 1},${e + 1},${fraction},b\n`);
      starts.push(`${f},${-(f + 1)}\n`);
    }
    near.push(`${f},${nearestVertex(g, p, f) + 1}\n`);
  }
  pg.psql('\\copy points FROM pstdin WITH (FORMAT csv)', points.join(''));
  pg.psql('\\copy starts FROM pstdin WITH (FORMAT csv)', starts.join(''));
  pg.psql('\\copy near_vertex FROM pstdin WITH (FORMAT csv)', near.join(''));
  pg.psql('ANALYZE edges, points, starts, near_vertex');
  return { atVertex };
}

const EDGES_SQL = 'SELECT id, source, target, cost, reverse_cost FROM edges';

/** pgRouting's nearest-facility distance per node (Infinity beyond the cutoff). */
export function pgNearest(pg: Cluster, nodeCount: number, cutoff: number): Float64Array {
  const out = pg.psql(`
    SELECT node - 1, min(agg_cost)
    FROM pgr_withPointsDD(
      '${EDGES_SQL}', 'SELECT pid, edge_id, fraction, side FROM points',
      (SELECT array_agg(vid ORDER BY facility) FROM starts), ${cutoff},
      directed => true, driving_side => 'b', details => false, equicost => false)
    WHERE node > 0
    GROUP BY node`);
  const dist = new Float64Array(nodeCount).fill(Infinity);
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [u, d] = line.split('|');
    dist[Number(u)] = Number(d);
  }
  return dist;
}

/** Our nearest-facility distance per node: one multi-source walk. */
export function ourNearest(g: Graph, p: Placed, cutoff: number): Float64Array {
  const w = new Walker(g);
  const s = facilitySeeds(g, p);
  w.run(s.node, s.dist, s.label, cutoff);
  return Float64Array.from(w.dist);
}

export interface Comparison {
  compared: number;
  reachedOurs: number;
  reachedPeer: number;
  maxDiff: number;
  /** Nodes reached by one side only, farther than `tolerance` inside the cutoff: a real disagreement. */
  oneSided: number;
  ok: boolean;
}

/** Compare per-node distances; a node reached by one side only counts as agreement only right at the cutoff. */
export function compareDistances(ours: Float64Array, peer: Float64Array, cutoff: number, tolerance = 0.5): Comparison {
  let reachedOurs = 0;
  let reachedPeer = 0;
  let maxDiff = 0;
  let oneSided = 0;
  for (let u = 0; u < ours.length; u++) {
    const a = ours[u];
    const b = peer[u];
    if (a < Infinity) reachedOurs++;
    if (b < Infinity) reachedPeer++;
    if (a < Infinity && b < Infinity) maxDiff = Math.max(maxDiff, Math.abs(a - b));
    else if (Math.min(a, b) < cutoff - tolerance) oneSided++;
  }
  return { compared: ours.length, reachedOurs, reachedPeer, maxDiff, oneSided, ok: maxDiff <= tolerance && oneSided === 0 };
}

/**
 * Time pgr_drivingDistance from every facility's nearest vertex (timed inside the server, see
 * bench_ms in pgrouting.sql). Each call reads the edges and builds pgRouting's graph: that is how the
 * function is used, so it is part of the figure. Returns the median and the rows (node × start pairs).
 */
export function timePgDrivingDistance(pg: Cluster, distance: number, runs: number, warmup: number) {
  const q = `SELECT * FROM pgr_drivingDistance('${EDGES_SQL}', (SELECT array_agg(vid ORDER BY facility) FROM near_vertex), ${distance}, directed => true, equicost => false)`;
  const sql = Array.from({ length: warmup + runs }, () => `SELECT * FROM bench_ms($q$${q}$q$);`).join('\n');
  const rows = pg
    .psql(sql)
    .trim()
    .split('\n')
    .map((l) => l.split('|').map(Number));
  const timed = rows.slice(warmup);
  return { median: median(timed.map((r) => r[0])), min: Math.min(...timed.map((r) => r[0])), rows: timed[0][1] };
}

/** Our three ways of doing pgRouting's job at `cutoff`, each timed as a median. */
export function timeOurs(city: BenchCity, cutoff: number, runs: number, warmup: number) {
  const { graph: g, facilities: p, cells } = city;
  const walker = new Walker(g);
  const cellsOnEdge = groupByEdge(g.edgeCount, cells);
  const placed = [...p.edge.keys()].filter((f) => p.edge[f] >= 0);
  const sheds = timeMedian(() => walksheds(g, p, cells, cellsOnEdge, cutoff, walker), runs, warmup);
  let bothRows = 0;
  const both = timeMedian(() => {
    bothRows = 0;
    for (const f of placed) {
      const s = facilitySeeds(g, p, [f]);
      walker.run(s.node, s.dist, s.label, cutoff);
      bothRows += walker.touchedCount;
    }
  }, runs, warmup);
  let rows = 0;
  const nearestOnly = timeMedian(() => {
    rows = 0;
    for (const f of placed) {
      walker.run([nearestVertex(g, p, f)], [0], [f], cutoff);
      rows += walker.touchedCount;
    }
  }, runs, warmup);
  return { sheds, both, bothRows, nearestOnly, rows, starts: placed.length };
}

export interface PgRoutingReport {
  facilities: number;
  atVertex: number;
  cutoff: number;
  check: Comparison;
  pg: { median: number; min: number; rows: number };
  ours: ReturnType<typeof timeOurs>;
}

/** Run the whole peer comparison on a bench city in a fresh cluster. */
export function pgroutingPeer(city: BenchCity, { cutoff = 3000, runs = 7, warmup = 2 } = {}): PgRoutingReport {
  const pg = startCluster();
  try {
    const { atVertex } = loadPg(pg, city.graph, city.facilities);
    const check = compareDistances(ourNearest(city.graph, city.facilities, cutoff), pgNearest(pg, city.graph.nodeCount, cutoff), cutoff);
    const pgTime = timePgDrivingDistance(pg, 1000, runs, warmup);
    const ours = timeOurs(city, 1000, runs, warmup);
    return { facilities: city.facilities.edge.filter((e) => e >= 0).length, atVertex, cutoff, check, pg: pgTime, ours };
  } finally {
    pg.stop();
  }
}

/** Print the correctness and speed tables of a report. */
export function printPgRouting(r: PgRoutingReport): void {
  const c = r.check;
  console.log(`\nNearest-facility distance per node, ours vs pgr_withPointsDD (${r.facilities} facilities as points, ${r.atVertex} exactly on a vertex; cutoff ${r.cutoff} m; snap distance left out on both sides)`);
  printTable([
    ['nodes compared', 'reached by ours', 'reached by pgRouting', 'one side only', 'max |difference|', 'check (≤ 0.5 m)'],
    [c.compared, c.reachedOurs, c.reachedPeer, c.oneSided, `${c.maxDiff.toExponential(2)} m`, c.ok ? 'ok' : 'FAILED'],
  ]);
  const o = r.ours;
  console.log(`\nWalksheds at 1000 m from ${o.starts} facilities (median of runs after warm-up)`);
  printTable([
    ['', 'median', 'min', 'pgRouting ÷ this', 'node rows'],
    ['pgRouting pgr_drivingDistance (nearest vertex of each facility)', ms(r.pg.median), ms(r.pg.min), '1.0×', r.pg.rows],
    ['ours: walksheds() over the demand cells', ms(o.sheds.median), ms(o.sheds.min), `${(r.pg.median / o.sheds.median).toFixed(1)}×`, ''],
    ['ours: Walker from both ends of each facility edge', ms(o.both.median), ms(o.both.min), `${(r.pg.median / o.both.median).toFixed(1)}×`, o.bothRows],
    ['ours: Walker from the nearest vertex (pgRouting\'s job)', ms(o.nearestOnly.median), ms(o.nearestOnly.min), `${(r.pg.median / o.nearestOnly.median).toFixed(1)}×`, o.rows],
  ]);
  const ratio = r.pg.median / o.sheds.median;
  console.log(`target: walksheds() ≥ 3× faster than pgRouting: ${ratio >= 3 ? 'met' : 'MISSED'} (${ratio.toFixed(1)}×)`);
  if (o.rows !== r.pg.rows) console.log(`note: node rows differ (${o.rows} ours, ${r.pg.rows} pgRouting): not the same work`);
}

/** Read `--name value` from the command line. */
export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const city = harbinCity();
  console.log(`Harbin: ${city.graph.nodeCount} nodes, ${city.graph.edgeCount} edges, ${city.facilities.edge.length} facilities, ${city.cells.edge.length} cells (${city.cellSource})`);
  const report = pgroutingPeer(city, { cutoff: flag('cutoff', 3000), runs: flag('runs', 7) });
  printPgRouting(report);
  if (!report.check.ok) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
