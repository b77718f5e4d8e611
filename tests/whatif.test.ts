/**
 * What-if edits: the live coverage an edit updates incrementally must equal a full recompute.
 * The reference is the build's own coverage step (multi-source Dijkstra for each category's
 * nearest station, core/coverage.ts) rerun from scratch on the edited station set; the live
 * coverage instead keeps one walkshed per station and takes minima.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityContext } from '../server/context.ts';
import { computeCoverage } from '../server/core/coverage.ts';
import { LiveCoverage, sharesByCell } from '../server/core/whatif.ts';
import { readCity } from '../server/db/read.ts';
import { ScenarioModel, type Edit } from '../server/scenario.ts';
import { buildHarbin, seeded, type Built } from './helpers/harbin.ts';

describe('live coverage on a hand-built fixture', () => {
  // 4 cells; cell 2 is split between communities 0 and 1; one category; tiers 5 and 10 at 10 m/min
  // (reach 50 m and 100 m at both speeds)
  const demand = {
    residents: [10, 20, 30, 0],
    elderly: [1, 2, 3, 0],
    shareOffsets: Int32Array.from([0, 1, 2, 4, 4]),
    shareCommunity: [0, 0, 0, 1],
    shareResidents: [10, 20, 12, 18],
    shareElderly: [1, 2, 1, 2],
    communityCount: 2,
  };
  const shed = (cells: number[], dist: number[]) => ({ cells: Int32Array.from(cells), dist: Float64Array.from(dist) });

  it('counts who a new station covers, and who its removal loses, per tier and community', () => {
    const live = new LiveCoverage(['x'], demand, [5, 10], { general: 10, elderly: 10 });
    live.add(0, 0, shed([0, 1], [40, 90])); // cell 0 within 5 min, cell 1 within 10
    const d1 = live.takeDelta().filter((r) => r.speed === 'general');
    const at = (rows: typeof d1, tier: number, community: number) => rows.find((r) => r.tierMin === tier && r.community === community);
    expect(at(d1, 5, -1)).toMatchObject({ residentsGained: 10, elderlyGained: 1, residentsLost: 0 });
    expect(at(d1, 10, -1)).toMatchObject({ residentsGained: 30, elderlyGained: 3 });
    expect(at(d1, 10, 0)).toMatchObject({ residentsGained: 30, elderlyGained: 3 });
    expect(at(d1, 10, 1)).toBeUndefined();

    // a second station nearer to cell 1 and reaching cell 2 (both communities)
    live.add(1, 0, shed([1, 2], [20, 60]));
    const d2 = live.takeDelta().filter((r) => r.speed === 'general');
    expect(at(d2, 5, -1)).toMatchObject({ residentsGained: 20, elderlyGained: 2 });
    expect(at(d2, 10, -1)).toMatchObject({ residentsGained: 30, elderlyGained: 3 });
    expect(at(d2, 10, 0)).toMatchObject({ residentsGained: 12, elderlyGained: 1 });
    expect(at(d2, 10, 1)).toMatchObject({ residentsGained: 18, elderlyGained: 2 });

    // removing the first: cell 1 keeps station 1 (20 m), cell 0 is lost at both tiers
    live.remove(0);
    const d3 = live.takeDelta().filter((r) => r.speed === 'general');
    expect(at(d3, 5, -1)).toMatchObject({ residentsGained: 0, residentsLost: 10, elderlyLost: 1 });
    expect(at(d3, 10, -1)).toMatchObject({ residentsLost: 10, elderlyLost: 1 });
    expect(live.nearest(0, 1)).toBe(20);
    expect(live.nearest(0, 0)).toBe(Infinity);
  });

  it('reports no change when an edit leaves every cell on the same side of every tier', () => {
    const live = new LiveCoverage(['x'], demand, [5, 10], { general: 10, elderly: 10 });
    live.add(0, 0, shed([0], [40]));
    live.takeDelta();
    live.add(1, 0, shed([0], [30])); // nearer, but cell 0 was already within 5 min
    expect(live.takeDelta()).toEqual([]);
  });
});

describe('what-if edits on Harbin', () => {
  let h: Built;
  let city: CityContext;
  beforeAll(async () => {
    h = await buildHarbin();
    city = new CityContext(await readCity(h.db.conn));
  });
  afterAll(() => h?.dispose());

  type Key = string;
  const key = (category: string, tier: number, speed: string, community: number): Key => `${category}|${tier}|${speed}|${community}`;

  /** Full recompute: the build's coverage step on the model's open stations; per-cell metres per category. */
  function fullNearest(model: ScenarioModel): Float64Array[] {
    const open = [...model.stations.values()].filter((s) => s.open);
    const categories = city.stored.categories.map((c) => c.id);
    const reach = Math.max(...city.tiers) * Math.max(city.speeds.general, city.speeds.elderly);
    const out = computeCoverage(
      {
        graph: city.graph,
        facilities: {
          edge: Int32Array.from(open, (s) => s.snap.edge),
          offset: Float64Array.from(open, (s) => s.snap.offset),
          access: Float64Array.from(open, (s) => s.snap.access),
        },
        facilityCategory: Int32Array.from(open, (s) => categories.indexOf(s.category)),
        categories,
        cells: city.cellsPlaced,
      },
      { walkshedCutoffM: 0, nearestCutoffM: reach },
    );
    return out.nearest.map((n) => n.dist);
  }

  /** Gained and lost per row between two full recomputes, cell by cell. */
  function expectedDelta(before: Float64Array[], after: Float64Array[]): Map<Key, number[]> {
    const { cells, shares } = city.stored;
    const rows = new Map<Key, number[]>();
    const add = (k: Key, i: number, v: number) => {
      if (!v) return;
      let r = rows.get(k);
      if (!r) rows.set(k, (r = [0, 0, 0, 0]));
      r[i] += v;
    };
    const byCell = sharesByCell(cells.h3.length, shares.cell);
    city.stored.categories.forEach(({ id }, k) => {
      for (const speed of ['general', 'elderly'] as const) {
        for (const tier of city.tiers) {
          const reach = tier * city.speeds[speed];
          for (let c = 0; c < cells.h3.length; c++) {
            const a = before[k][c] <= reach;
            const b = after[k][c] <= reach;
            if (a === b) continue;
            const [ri, ei] = b ? [0, 2] : [1, 3];
            add(key(id, tier, speed, -1), ri, cells.residents[c]);
            add(key(id, tier, speed, -1), ei, cells.elderly[c]);
            for (let s = byCell[c]; s < byCell[c + 1]; s++) {
              add(key(id, tier, speed, shares.community[s]), ri, shares.residents[s]);
              add(key(id, tier, speed, shares.community[s]), ei, shares.elderly[s]);
            }
          }
        }
      }
    });
    return rows;
  }

  it('starts from the coverage the build stored, row for row', () => {
    const model = new ScenarioModel(city);
    const live = new Map(model.live.covered().map((r) => [key(r.category, r.tierMin, r.speed, r.community), r]));
    expect(live.size).toBe(city.stored.coverage.length);
    for (const r of city.stored.coverage) {
      const l = live.get(key(r.category, r.tierMin, r.speed, r.community))!;
      expect([l.residentsCovered, l.elderlyCovered]).toEqual([r.residentsCovered, r.elderlyCovered]);
    }
  });

  it('gives, for 100 random edits, exactly the delta of a full recompute before and after', () => {
    const rand = seeded(20261122);
    const model = new ScenarioModel(city);
    const categories = city.stored.categories.map((c) => c.id);
    const { cells } = city.stored;
    const [w, s, e, n] = city.bbox;
    // new stations where people live (so most edits change something), jittered off the cell centre
    const populated = cells.residents.reduce<number[]>((acc, r, i) => (r > 0 ? (acc.push(i), acc) : acc), []);
    const somewhere = () => {
      const c = populated[Math.floor(rand() * populated.length)];
      return { lon: Math.min(e, Math.max(w, cells.lon[c] + (rand() - 0.5) * 0.004)), lat: Math.min(n, Math.max(s, cells.lat[c] + (rand() - 0.5) * 0.003)) };
    };
    let before = fullNearest(model);
    const ops: Record<string, number> = {};
    let changed = 0;
    for (let seq = 0; seq < 100; seq++) {
      const ids = [...model.stations.keys()];
      const station = ids[Math.floor(rand() * ids.length)];
      const st = model.stations.get(station)!;
      const pick = rand();
      const edit: Edit =
        pick < 0.3 ? { op: 'add', category: categories[Math.floor(rand() * categories.length)], ...somewhere() }
        : pick < 0.5 ? { op: 'move', station, ...somewhere() }
        : pick < 0.65 ? { op: 'remove', station }
        : pick < 0.8 ? (st.open ? { op: 'close', station } : { op: 'reopen', station })
        : pick < 0.9 ? { op: 'category', station, category: categories[Math.floor(rand() * categories.length)] }
        : { op: 'capacity', station, capacity: Math.floor(rand() * 100) };
      let delta;
      try {
        delta = model.apply(edit, seq);
      } catch (err) {
        // a point with no street within the snapping limit: refused, nothing changed
        expect((err as Error).message).toMatch(/no walkable street/);
        continue;
      }
      ops[edit.op] = (ops[edit.op] ?? 0) + 1;
      const after = fullNearest(model);
      const expected = expectedDelta(before, after);
      const got = new Map(delta.map((r) => [key(r.category, r.tierMin, r.speed, r.community), [r.residentsGained, r.residentsLost, r.elderlyGained, r.elderlyLost]]));
      expect(got).toEqual(expected);
      if (got.size) changed++;
      before = after;
    }
    // the walk was varied and mostly changed something
    expect(Object.keys(ops).sort()).toEqual(['add', 'capacity', 'category', 'close', 'move', 'remove', 'reopen'].filter((o) => ops[o]).sort());
    expect(ops.add).toBeGreaterThan(20);
    expect(changed).toBeGreaterThan(40);
    // and the live coverage at the end equals the recompute's, including cells' metres
    const full = fullNearest(model);
    categories.forEach((_, k) => {
      for (let c = 0; c < cells.h3.length; c++) {
        const a = model.live.nearest(k, c);
        const b = full[k][c];
        if (Number.isFinite(a) || Number.isFinite(b)) expect(Math.abs(a - b)).toBeLessThan(1e-6);
      }
    });
  });

  it('undoes an edit back to exactly the coverage before it', () => {
    const model = new ScenarioModel(city);
    const start = model.live.covered();
    const c = city.stored.cells.residents.findIndex((r) => r > 500);
    const added = model.apply({ op: 'add', category: 'elderly_care', lon: city.stored.cells.lon[c], lat: city.stored.cells.lat[c] }, 0);
    expect(added.length).toBeGreaterThan(0);
    const undone = model.undo();
    // the undo's delta mirrors the edit's: gained becomes lost
    expect(undone.map((r) => [r.category, r.tierMin, r.speed, r.community, r.residentsLost, r.elderlyLost])).toEqual(
      added.map((r) => [r.category, r.tierMin, r.speed, r.community, r.residentsGained, r.elderlyGained]),
    );
    expect(model.live.covered()).toEqual(start);
  });
});
