/**
 * Joint communities on Harbin: community units derived for the whole extract (the build's units
 * stage: every sub-district's cells split into contiguous units of 5,000–12,000 residents) and a
 * suggestion over all of them (the walk of every populated cell at 15 min × 50 m/min, then the
 * seeded region growing). Budget: both together under 5 s.
 *
 *   npx tsx scripts/bench/joint.ts [--runs 5] [--restarts 8]
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
import { JointContext } from '../../server/joint.ts';
import { Barriers, barrierSegments } from '../../server/core/barriers.ts';
import { cellNeighbours } from '../../server/core/gaps.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, restarts: { type: 'string', default: '8' } } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'lifecircle-joint-'));
const db = await openDb(join(dir, 'harbin.duckdb'));
try {
  const unitsMs: number[] = [];
  let built = buildCity(defaultOptions(HARBIN_PBF));
  for (let i = 0; i < Number(values.runs); i++) {
    built = buildCity(defaultOptions(HARBIN_PBF));
    unitsMs.push(built.timings.units);
  }
  await writeCity(db.conn, built);
  // do units meet along barriers? share of neighbouring cell pairs (within one sub-district) that cross
  // a major road, railway or water: among pairs split between two units, and among all pairs
  const barriers = new Barriers(barrierSegments(built.basemap));
  const nb = cellNeighbours(built.demand.cells);
  const owner = (c: number) => (built.cellUnit[c] >= 0 ? built.units[built.cellUnit[c]].community : -1);
  let pairs = 0, pairsCross = 0, cut = 0, cutCross = 0;
  for (let a = 0; a < built.demand.cells.length; a++) {
    for (let k = nb.offsets[a]; k < nb.offsets[a + 1]; k++) {
      const b = nb.items[k];
      if (b < a || owner(a) < 0 || owner(a) !== owner(b)) continue;
      const x = barriers.crosses(built.cellLon[a], built.cellLat[a], built.cellLon[b], built.cellLat[b]);
      pairs++;
      if (x) pairsCross++;
      if (built.cellUnit[a] !== built.cellUnit[b]) {
        cut++;
        if (x) cutCross++;
      }
    }
  }
  const city = new CityContext(await readCity(db.conn));
  const reachMs: number[] = [];
  const suggestMs: number[] = [];
  let last;
  let joint!: JointContext;
  for (let i = 0; i < Number(values.runs); i++) {
    let t = performance.now();
    joint = new JointContext(city);
    reachMs.push(performance.now() - t);
    t = performance.now();
    last = joint.suggest([...city.stored.units.keys()], { seed: 1, restarts: Number(values.restarts) });
    suggestMs.push(performance.now() - t);
  }
  const total = median(unitsMs) + median(reachMs) + median(suggestMs);
  const reasons: Record<string, number> = {};
  for (const u of last!.unplaced) reasons[u.reason] = (reasons[u.reason] ?? 0) + 1;
  const sizes = last!.groups.map((g) => g.length);
  console.log(`Joint communities on Harbin: ${city.stored.units.length} community units from ${city.stored.communities.length} sub-districts; rule ${joint.rule.residents.join('–')} residents, ${joint.rule.tierMinutes} min at ${city.speeds[joint.rule.speed]} m/min`);
  console.log(`units derived (build stage): median ${median(unitsMs).toFixed(0)} ms; ${built.units.filter((u) => u.residents >= 5000 && u.residents <= 12000).length} of ${built.units.length} within 5,000–12,000 residents`);
  console.log(`  unit borders along barriers: ${((100 * cutCross) / cut).toFixed(1)} % of neighbouring cells split between units cross a major road, railway or water, against ${((100 * pairsCross) / pairs).toFixed(1)} % of all neighbouring cells`);
  console.log(`walk of every populated cell: median ${median(reachMs).toFixed(0)} ms; suggestion (${values.restarts} seeded restarts): median ${median(suggestMs).toFixed(0)} ms`);
  console.log(`together: ${total.toFixed(0)} ms; budget 5000 ms; ratio ${(total / 5000).toFixed(2)}`);
  console.log(`  ${last!.groups.length} joint communities (members: ${Math.min(...sizes)}–${Math.max(...sizes)} units), ${last!.unplaced.length} units not placed (${Object.entries(reasons).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`);
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
