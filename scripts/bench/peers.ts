/**
 * Ours vs pgRouting vs networkx on the Harbin sample, in one run: the nearest-facility distance of
 * every node checked against both peers, and facility walksheds at 1000 m timed against both.
 *
 * Run: npx tsx scripts/bench/peers.ts [--cutoff 3000] [--runs 7] [--nx-runs 3]
 * Needs PostgreSQL 15 + pgRouting (see peer-pgrouting.ts) and python3 with networkx
 * (PYTHON overrides the interpreter; default Debian's /usr/bin/python3 with python3-networkx).
 * Exits 1 when a distance check fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compareDistances,
  facilitySeeds,
  flag,
  ms,
  ourNearest,
  pgroutingPeer,
  printPgRouting,
  printTable,
  type Comparison,
} from './peer-pgrouting.ts';
import { harbinCity, type BenchCity } from './tile.ts';

const PYTHON = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

interface NetworkxResult {
  networkx: string;
  python: string;
  walkshed_median_ms: number;
  walkshed_min_ms: number;
  walkshed_rows: number;
  facilities: number;
  nearest_ms: number;
  check: Comparison;
}

/** Write the graph and the facility seeds for peer_networkx.py, run it, compare its distances with ours. */
function networkxPeer(city: BenchCity, cutoff: number, runs: number): NetworkxResult {
  const { graph: g, facilities: p } = city;
  const dir = mkdtempSync(join(tmpdir(), 'lifecircle-nx-'));
  try {
    const edges: string[] = [];
    for (let e = 0; e < g.edgeCount; e++) edges.push(`${g.edgeFrom[e]} ${g.edgeTo[e]} ${g.edgeLength[e]}\n`);
    writeFileSync(join(dir, 'edges.tsv'), edges.join(''));
    const s = facilitySeeds(g, p);
    writeFileSync(join(dir, 'seeds.tsv'), s.node.map((u, i) => `${s.label[i]} ${u} ${s.dist[i]}\n`).join(''));
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ nodes: g.nodeCount, walkshed_cutoff: 1000, nearest_cutoff: cutoff, runs, warmup: 1 }));
    const script = fileURLToPath(new URL('./peer_networkx.py', import.meta.url));
    const r = spawnSync(PYTHON, [script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.error || r.status !== 0) throw new Error(`${PYTHON} peer_networkx.py failed (${r.error?.message ?? r.status})`);
    const out = JSON.parse(r.stdout);
    const theirs = new Float64Array(new Uint8Array(readFileSync(join(dir, 'nx_nearest.f64'))).buffer);
    return { ...out, check: compareDistances(ourNearest(g, p, cutoff), theirs, cutoff) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const cutoff = flag('cutoff', 3000);
  const city = harbinCity();
  console.log(`Harbin: ${city.graph.nodeCount} nodes, ${city.graph.edgeCount} edges, ${city.facilities.edge.length} facilities, ${city.cells.edge.length} cells (${city.cellSource})`);
  const pg = pgroutingPeer(city, { cutoff, runs: flag('runs', 7) });
  printPgRouting(pg);
  const nx = networkxPeer(city, cutoff, flag('nx-runs', 3));
  const c = nx.check;
  console.log(`\nNearest-facility distance per node, ours vs networkx ${nx.networkx} (python ${nx.python}; virtual source joined to both ends of every facility edge; cutoff ${cutoff} m; snap distance left out)`);
  printTable([
    ['nodes compared', 'reached by ours', 'reached by networkx', 'one side only', 'max |difference|', 'check (≤ 0.5 m)'],
    [c.compared, c.reachedOurs, c.reachedPeer, c.oneSided, `${c.maxDiff.toExponential(2)} m`, c.ok ? 'ok' : 'FAILED'],
  ]);

  const o = pg.ours;
  console.log(`\nOurs vs pgRouting vs networkx: walksheds at 1000 m from ${o.starts} facilities (medians)`);
  const vs = (t: number) => `${(t / o.sheds.median).toFixed(1)}×`;
  printTable([
    ['', 'median', 'this ÷ ours walksheds()', 'node rows', 'nearest check'],
    ['ours: walksheds() over the demand cells', ms(o.sheds.median), '1.0×', '', ''],
    ['ours: Walker from both ends of each facility edge', ms(o.both.median), vs(o.both.median), o.bothRows, ''],
    ['pgRouting 3.4 pgr_drivingDistance (nearest vertices)', ms(pg.pg.median), vs(pg.pg.median), pg.pg.rows, `max ${pg.check.maxDiff.toExponential(1)} m ${pg.check.ok ? 'ok' : 'FAILED'}`],
    [`networkx ${nx.networkx} single_source_dijkstra per facility`, ms(nx.walkshed_median_ms), vs(nx.walkshed_median_ms), nx.walkshed_rows, `max ${c.maxDiff.toExponential(1)} m ${c.ok ? 'ok' : 'FAILED'}`],
  ]);
  console.log(`(networkx: median of ${flag('nx-runs', 3)} after 1 warm-up; its one nearest-facility Dijkstra over the whole graph took ${ms(nx.nearest_ms)})`);
  if (!pg.check.ok || !c.ok) {
    console.error('a distance check FAILED');
    process.exitCode = 1;
  }
}

await main();
