/**
 * Community units: coarse boundaries split into contiguous units of a resident range, preferring
 * cuts along barriers. Checked on hand-built H3 fixtures (partition, contiguity, range, count) and
 * on Harbin (every cell with an owner in exactly one unit, contiguity by an independent flood
 * fill, sums against SQL, the API's outlines against the cells' own areas).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { area as turfArea } from '@turf/turf';
import { cellArea, cellToLatLng, gridDisk, latLngToCell } from 'h3-js';
import type { createApp } from '../server/app.ts';
import { deriveUnits, unitCount } from '../server/core/units.ts';
import { harbinApp, type Built } from './helpers/harbin.ts';

/** Flood fill over H3 adjacency (gridDisk), independent of the code under test. */
function contiguous(h3: string[]): boolean {
  const set = new Set(h3);
  const seen = new Set([h3[0]]);
  const stack = [h3[0]];
  while (stack.length) for (const n of gridDisk(stack.pop()!, 1)) if (set.has(n) && !seen.has(n)) (seen.add(n), stack.push(n));
  return seen.size === set.size;
}

describe('how many units', () => {
  it('takes the count nearest the middle of the range that keeps the average inside it', () => {
    expect(unitCount(6100, 1000, 2500)).toBe(3); // 6100 / 1750 = 3.5 → 3; 3 × 2500 ≥ 6100
    expect(unitCount(30000, 5000, 12000)).toBe(4); // 30000 / 8500 = 3.5 → 4
    expect(unitCount(13000, 5000, 12000)).toBe(2);
    expect(unitCount(3000, 5000, 12000)).toBe(1); // too small for the range: one unit
    expect(unitCount(11000, 5000, 5500)).toBe(2); // exactly fits 2 × 5500
  });
});

describe('deriving units on a hand-built disk of 61 cells', () => {
  const centre = latLngToCell(45.76, 126.63, 10);
  const cells = gridDisk(centre, 4);
  const index = new Map(cells.map((h, i) => [h, i]));
  const residents = cells.map(() => 100);
  const lonlat = cells.map((h) => cellToLatLng(h));
  const base = {
    cells: cells.map((_, i) => i),
    residents,
    x: lonlat.map(([, lon]) => lon),
    y: lonlat.map(([lat]) => lat),
    neighbours: (c: number) => gridDisk(cells[c], 1).map((n) => index.get(n)).filter((n): n is number => n !== undefined && n !== c),
    barrier: () => false,
  };

  it('partitions the cells into contiguous units inside the range', () => {
    const units = deriveUnits(base, { minResidents: 1000, maxResidents: 2500, barrierCost: 4 });
    expect(units).toHaveLength(3);
    expect(units.flat().sort((a, b) => a - b)).toEqual(cells.map((_, i) => i));
    for (const u of units) {
      expect(contiguous(u.map((c) => cells[c]))).toBe(true);
      expect(u.length * 100).toBeGreaterThanOrEqual(1000);
      expect(u.length * 100).toBeLessThanOrEqual(2500);
    }
  });

  it('cuts along a barrier where it can: fewer neighbours across it share a unit', () => {
    // a "road" due north–south through the disk's centre
    const [, lon0] = cellToLatLng(centre);
    const crosses = (a: number, b: number) => (base.x[a] - lon0) * (base.x[b] - lon0) < 0;
    const across = (units: number[][]) => {
      let same = 0;
      units.forEach((u) => {
        const mine = new Set(u);
        for (const a of u) for (const b of base.neighbours(a)) if (a < b && mine.has(b) && crosses(a, b)) same++;
      });
      return same;
    };
    const opts = { minResidents: 2000, maxResidents: 4000, barrierCost: 6 };
    const plain = deriveUnits(base, opts);
    const split = deriveUnits({ ...base, barrier: crosses }, opts);
    expect(split).toHaveLength(2);
    expect(across(split)).toBeLessThan(across(plain));
  });

  it('keeps a piece too small for the range whole, and each disconnected piece apart', () => {
    // two far-apart clusters of 7 cells: neither can hold 1000 residents
    const far = gridDisk(latLngToCell(45.9, 126.9, 10), 1);
    const all = [...gridDisk(centre, 1), ...far];
    const idx = new Map(all.map((h, i) => [h, i]));
    const units = deriveUnits(
      {
        cells: all.map((_, i) => i),
        residents: all.map(() => 100),
        x: all.map((h) => cellToLatLng(h)[1]),
        y: all.map((h) => cellToLatLng(h)[0]),
        neighbours: (c) => gridDisk(all[c], 1).map((n) => idx.get(n)).filter((n): n is number => n !== undefined && n !== c),
        barrier: () => false,
      },
      { minResidents: 1000, maxResidents: 2500, barrierCost: 4 },
    );
    expect(units.map((u) => u.length)).toEqual([7, 7]);
  });
});

describe('community units of Harbin', () => {
  let h: Built;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    ({ h, app } = await harbinApp());
  });
  afterAll(() => h?.dispose());

  it('puts every cell that has a community in exactly one unit, each unit contiguous', async () => {
    const owned = await h.rows<{ n: number }>('SELECT count(DISTINCT cell_idx) AS n FROM cell_community');
    const inUnits = await h.rows<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT cell_idx) AS d FROM cell_unit');
    expect(inUnits[0].n).toBe(owned[0].n);
    expect(inUnits[0].d).toBe(owned[0].n);
    const cells = await h.rows<{ unit_idx: number; h3_id: string }>('SELECT u.unit_idx, c.h3_id FROM cell_unit u JOIN cells c USING (cell_idx)');
    const byUnit = new Map<number, string[]>();
    for (const r of cells) (byUnit.get(r.unit_idx) ?? byUnit.set(r.unit_idx, []).get(r.unit_idx)!).push(r.h3_id);
    for (const list of byUnit.values()) expect(contiguous(list)).toBe(true);
  });

  it("sums residents and elderly per unit from its cells, splits sub-districts by the range, labels them derived", async () => {
    const bad = await h.rows('SELECT u.unit_idx FROM units u JOIN cell_unit cu USING (unit_idx) JOIN cells c USING (cell_idx) GROUP BY u.unit_idx, u.residents, u.elderly HAVING sum(c.residents) <> u.residents OR sum(c.elderly) <> u.elderly');
    expect(bad).toEqual([]);
    const units = await h.rows<{ derived: boolean; residents: number; name: string; unit_id: string }>('SELECT derived, residents, name, unit_id FROM units');
    expect(units.every((u) => u.derived)).toBe(true); // Harbin's communities are OSM sub-districts
    const inRange = units.filter((u) => u.residents >= 5000 && u.residents <= 12000).length;
    expect(inRange / units.length).toBeGreaterThan(0.85);
    // a sub-district of ~130,000 residents makes about 15 units named after it
    const big = await h.rows<{ name: string; community_id: string; population: number }>("SELECT name, community_id, population FROM communities WHERE name = '和兴路街道'");
    const mine = units.filter((u) => u.unit_id.startsWith(`${big[0].community_id}/`));
    expect(mine.length).toBeGreaterThanOrEqual(11);
    expect(mine.every((u) => u.name.startsWith('和兴路街道 '))).toBe(true);
  });

  it('serves the units as GeoJSON outlines whose areas are the sums of their cells', async () => {
    const res = await app.request('/api/units');
    const body = (await res.json()) as { features: Array<{ geometry: { type: 'MultiPolygon'; coordinates: number[][][][] }; properties: { id: string; residents: number; cells: number } }> };
    const units = await h.rows<{ unit_id: string; residents: number; cell_count: number }>('SELECT unit_id, residents, cell_count FROM units ORDER BY unit_idx');
    expect(body.features.map((f) => [f.properties.id, f.properties.residents, f.properties.cells])).toEqual(units.map((u) => [u.unit_id, u.residents, u.cell_count]));
    const cells = await h.rows<{ unit_id: string; h3_id: string }>('SELECT u.unit_id, c.h3_id FROM cell_unit JOIN units u USING (unit_idx) JOIN cells c USING (cell_idx)');
    const areaOf = new Map<string, number>();
    for (const c of cells) areaOf.set(c.unit_id, (areaOf.get(c.unit_id) ?? 0) + cellArea(c.h3_id, 'm2'));
    for (const f of body.features) {
      const a = turfArea({ type: 'Feature', properties: {}, geometry: f.geometry });
      expect(Math.abs(a / areaOf.get(f.properties.id)! - 1)).toBeLessThan(0.001);
    }
  });
});
