import { readFileSync } from 'node:fs';
import * as turf from '@turf/turf';
import { cellToLatLng, greatCircleDistance, gridDisk, latLngToCell, polygonToCells } from 'h3-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemand, largestRemainder, type Demand } from '../server/core/grid.ts';
import type { Building, Community } from '../server/core/types.ts';
import { InputError } from '../server/errors.ts';
import { osmBoundaries } from '../server/ingest/boundaries.ts';
import { osmResidentialBuildings, parseLevels } from '../server/ingest/buildings.ts';
import { readPbf } from '../server/ingest/pbf.ts';
import { osmFixture, wayMembers } from './fixtures/osm/build.ts';

/** A closed ring approximating a circle of `r` metres around (lon, lat). */
function circle(lon: number, lat: number, r: number, sides = 64): number[][] {
  const dLat = r / 111_195;
  const dLon = dLat / Math.cos((lat * Math.PI) / 180);
  return Array.from({ length: sides + 1 }, (_, i) => {
    const t = (2 * Math.PI * (i % sides)) / sides;
    return [lon + dLon * Math.cos(t), lat + dLat * Math.sin(t)];
  });
}

const community = (id: string, population: number | null, ring: number[][], elderly: number | null = null): Community => ({
  id,
  name: id,
  source: 'import',
  population,
  elderly,
  polygon: [[ring]],
});

/** { "cell|community id": [residents, elderly] } for every pair with residents or elderly. */
function nonZeroShares(d: Demand, communities: Community[]): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (let k = 0; k < d.shareCell.length; k++) {
    if (d.shareResidents[k] || d.shareElderly[k]) out[`${d.cells[d.shareCell[k]]}|${communities[d.shareCommunity[k]].id}`] = [d.shareResidents[k], d.shareElderly[k]];
  }
  return out;
}

// Buildings are the input the grid spreads residents over; their selection rules are tested here, next to their use.
describe('osmResidentialBuildings', () => {
  // Squares of 0.001° near the equator: 111.3195 m × 110.5743 m (a·π/180000 by a(1 − e²)·π/180000) = 12,309.1 m².
  const SQUARE_M2 = 111.3195 * 110.5743;
  let nextNode = 1;
  const nodes: Array<[number, number, number]> = [];
  /** Node ids of a closed square ring with its south-west corner at (x, y) and side `s` degrees. */
  const square = (x: number, y: number, s = 0.001) => {
    const ids = [[x, y], [x + s, y], [x + s, y + s], [x, y + s]].map(([lon, lat]) => {
      nodes.push([nextNode, lon, lat]);
      return nextNode++;
    });
    return [...ids, ids[0]];
  };
  const osm = osmFixture({
    nodes,
    ways: [
      { id: 1, refs: square(0, 0, 0.01), tags: { landuse: 'residential' } },
      { id: 2, refs: square(0.002, 0.002), tags: { building: 'yes' } }, // in the residential area: counts
      { id: 3, refs: square(0.02, 0.002), tags: { building: 'yes' } }, // outside: does not
      { id: 4, refs: square(0.04, 0.002), tags: { building: 'apartments', 'building:levels': '6;7' } }, // counts anywhere
      { id: 5, refs: square(0.004, 0.004), tags: { building: 'industrial' } }, // not a home
      { id: 6, refs: square(0.1, 0, 0.01) }, // outer of a residential multipolygon
      { id: 7, refs: square(0.103, 0.003, 0.004) }, // its hole
      { id: 8, refs: square(0.104, 0.004), tags: { building: 'yes' } }, // in the hole: does not count
      { id: 9, refs: square(0.101, 0.001), tags: { building: 'yes', 'building:levels': '3' } }, // in the multipolygon: counts
      { id: 10, refs: square(0.06, 0.002), tags: { building: 'yes' } }, // outer of a building relation, drawn by it
      { id: 11, refs: [...square(0.08, 0.002).slice(0, 4), 9999], tags: { building: 'apartments' } }, // cut by the extract edge
    ],
    relations: [
      { id: 1, tags: { type: 'multipolygon', landuse: 'residential' }, members: [...wayMembers('outer', 6), ...wayMembers('inner', 7)] },
      { id: 2, tags: { type: 'multipolygon', building: 'residential' }, members: wayMembers('outer', 10) },
    ],
  });

  it('counts explicit homes anywhere and building=yes only inside residential areas, holes excluded', () => {
    const found = osmResidentialBuildings(osm).map((b) => [Math.round(b.lon * 1e4) / 1e4, Math.round(b.lat * 1e4) / 1e4]);
    expect(found).toEqual([
      [0.0025, 0.0025],
      [0.0405, 0.0025],
      [0.1015, 0.0015],
      [0.0605, 0.0025],
    ]);
  });

  it('weighs a building by footprint m² times levels, 1 where unknown', () => {
    const weights = osmResidentialBuildings(osm).map((b) => b.weight / SQUARE_M2);
    expect(weights.map((w) => Math.round(w * 1e4) / 1e4)).toEqual([1, 6.5, 3, 1]);
  });

  it('follows the options: without conditional types only explicit homes count, and unknown levels take the default', () => {
    const found = osmResidentialBuildings(osm, { typesInResidentialAreas: [], defaultLevels: 2 });
    expect(found.map((b) => Math.round((b.weight / SQUARE_M2) * 1e4) / 1e4)).toEqual([6.5, 2]);
  });

  it('reads building:levels as a number, the mean of several, or nothing', () => {
    expect(['6', ' 7 ', '6.5', '6;7', '2;3;7'].map(parseLevels)).toEqual([6, 7, 6.5, 6.5, 4]);
    expect([undefined, '', '0', '-1', 'six', '6;x'].map(parseLevels)).toEqual([null, null, null, null, null, null]);
  });
});

describe('largestRemainder', () => {
  it('gives leftover units to the largest remainders, ties to the earlier index', () => {
    expect(Array.from(largestRemainder(10, [1, 1, 1]))).toEqual([4, 3, 3]);
    expect(Array.from(largestRemainder(7, [0.5, 0.25, 0.25]))).toEqual([3, 2, 2]);
    expect(Array.from(largestRemainder(5, [0, 3, 0, 1]))).toEqual([0, 4, 0, 1]);
  });

  it('always sums to the total, here for 1,000 seeded random splits', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 1000; run++) {
      const weights = Array.from({ length: 1 + Math.floor(random() * 50) }, () => random() * 1e4);
      const total = Math.floor(random() * 200_000);
      expect(largestRemainder(total, weights).reduce((s, n) => s + n, 0)).toBe(total);
    }
  });

  it('refuses weights that sum to nothing', () => {
    expect(() => largestRemainder(3, [0, 0])).toThrow('largestRemainder needs weights with a positive sum');
  });

  it('refuses a total its 32-bit parts cannot hold, rather than looping over the leftover forever', () => {
    expect(Array.from(largestRemainder(2 ** 31 - 1, [1]))).toEqual([2 ** 31 - 1]);
    expect(() => largestRemainder(2 ** 31, [1, 1])).toThrow('largestRemainder needs a total from 0 to 2^31 - 1, not 2147483648');
    expect(() => largestRemainder(NaN, [1])).toThrow('not NaN');
  });
});

describe('buildDemand on a hand-built town', () => {
  // Cell c0 in central Harbin, its neighbour c1 and the distance d between neighbouring cell centres.
  const c0 = latLngToCell(45.75, 126.63, 10);
  const [lat0, lon0] = cellToLatLng(c0);
  const c1 = gridDisk(c0, 1).filter((c) => c !== c0)[0];
  const [lat1, lon1] = cellToLatLng(c1);
  const d = greatCircleDistance([lat0, lon0], [lat1, lon1], 'm');
  const eastOf = (lon: number, lat: number, m: number) => lon + m / (111_195 * Math.cos((lat * Math.PI) / 180));

  // A: the seven cells around c0; D: a small circle around c1's centre, inside A; E: a sliver east of the centre of
  // a cell 3 km away, holding no cell centre; C: no population, with a building.
  const cE = latLngToCell(45.75, 126.67, 10);
  const [latE, lonE] = cellToLatLng(cE);
  const cC = latLngToCell(45.78, 126.63, 10);
  const [latC, lonC] = cellToLatLng(cC);
  const sliver = [
    [eastOf(lonE, latE, 15), latE],
    [eastOf(lonE, latE, 35), latE],
    [eastOf(lonE, latE, 25), latE + 0.0001],
    [eastOf(lonE, latE, 15), latE],
  ];
  const communities = [
    community('A', 10, circle(lon0, lat0, 1.35 * d)),
    community('D', 4, circle(lon1, lat1, 0.2 * d), 3),
    community('E', 7, sliver),
    community('C', null, circle(lonC, latC, 1.35 * d)),
  ];
  const buildings: Building[] = [
    { lon: lon0, lat: lat0, weight: 1 },
    { lon: lon1, lat: lat1, weight: 2 },
    // inside both A and D: goes to A, the first
    { lon: eastOf(lon1, lat1, 0.05 * d), lat: lat1, weight: 2 },
    { lon: lonC, lat: latC, weight: 50 },
    // in no community
    { lon: 126.7, lat: 45.7, weight: 9 },
  ];

  it('starts from a fixture whose cells are as designed', () => {
    expect(new Set(polygonToCells(communities[0].polygon[0], 10, true))).toEqual(new Set(gridDisk(c0, 1)));
    expect(polygonToCells(communities[1].polygon[0], 10, true)).toEqual([c1]);
    expect(polygonToCells(communities[2].polygon[0], 10, true)).toEqual([]);
    expect(latLngToCell(lat1, eastOf(lon1, lat1, 0.05 * d), 10)).toBe(c1);
  });

  it('spreads residents and elderly over buildings, area and interior point as computed by hand', () => {
    const demand = buildDemand(communities, buildings);
    // A: weights c0 1, c1 2 + 2 → residents 10·1/5 = 2 and 8; elderly round(10 × 0.2198) = 2 over [2, 8]: quotas
    // 0.4 and 1.6, floors 0 and 1, the leftover unit to the larger remainder 0.6 → 0 and 2.
    // D: no building of its own (the shared one went to A) → its one cell c1 holds 4 residents and its 3 elderly.
    // E: the cell of its interior point holds 7 residents and round(7 × 0.2198) = round(1.54) = 2 elderly.
    expect(nonZeroShares(demand, communities)).toEqual({
      [`${c0}|A`]: [2, 0],
      [`${c1}|A`]: [8, 2],
      [`${c1}|D`]: [4, 3],
      [`${cE}|E`]: [7, 2],
    });
    expect(demand.method).toEqual(['buildings', 'area', 'area', 'none']);
    expect(Array.from(demand.buildingShare)).toEqual([1, 0, 0, 0]);
    expect(demand.withoutPopulation).toEqual(['C']);
    expect(demand.buildingsOutside).toBe(1);
  });

  it('covers every community polygon with cells, empty ones included, sorted and unique', () => {
    const demand = buildDemand(communities, buildings);
    const expected = new Set([...gridDisk(c0, 1), c1, cE, ...polygonToCells(communities[3].polygon[0], 10, true)]);
    expect(demand.cells).toEqual([...expected].sort());
    const at = (cell: string) => demand.cells.indexOf(cell);
    expect([demand.residents[at(c0)], demand.residents[at(c1)], demand.residents[at(cE)], demand.residents[at(cC)]]).toEqual([2, 12, 7, 0]);
    expect([demand.elderly[at(c0)], demand.elderly[at(c1)], demand.elderly[at(cE)], demand.elderly[at(cC)]]).toEqual([0, 5, 2, 0]);
    expect(demand.residents.reduce((s, n) => s + n, 0)).toBe(21);
  });

  it('lists each pair once, sorted by cell then community, and names the community of every empty cell', () => {
    const demand = buildDemand(communities, buildings);
    const pairs = Array.from(demand.shareCell, (cell, k) => [cell, demand.shareCommunity[k]]);
    expect(pairs).toEqual([...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    const communitiesOf = (cell: string) => pairs.filter(([c]) => demand.cells[c] === cell).map(([, ci]) => communities[ci].id);
    expect(communitiesOf(c1)).toEqual(['A', 'D']);
    expect(communitiesOf(cC)).toEqual(['C']);
    expect(communitiesOf(gridDisk(c0, 1).find((c) => c !== c0 && c !== c1)!)).toEqual(['A']);
  });

  it('places only part of the residents by buildings when the buildings hold less weight per resident than the full mapping', () => {
    // 14 residents, one building of weight 7, full mapping at 1 per resident → half by building, half over 7 cells:
    // the building's cell 14 × (1/2 + 1/14) = 8, the six others 1 each. Elderly round(14 × 0.2198) = 3 over those:
    // quotas 1.71 and 0.21 × 6, floors 1 and 0, leftovers to the building cell and the first of the others by id.
    const town = [community('B', 14, circle(lon0, lat0, 1.35 * d))];
    const demand = buildDemand(town, [{ lon: lon0, lat: lat0, weight: 7 }], { fullBuildingWeightPerResident: 1 });
    const others = gridDisk(c0, 1).filter((c) => c !== c0).sort();
    expect(nonZeroShares(demand, town)).toEqual({
      [`${c0}|B`]: [8, 2],
      [`${others[0]}|B`]: [1, 1],
      ...Object.fromEntries(others.slice(1).map((c) => [`${c}|B`, [1, 0]])),
    });
    expect(Array.from(demand.buildingShare)).toEqual([0.5]);
  });

  it('refuses a fractional population and elderly above the population, naming the community', () => {
    const ring = circle(lon0, lat0, 100);
    expect(() => buildDemand([community('F', 2.5, ring)], [])).toThrow(new InputError('population must be a whole number ≥ 0, got 2.5', { feature: 'F', field: 'population' }));
    expect(() => buildDemand([community('G', 10, ring, 11)], [])).toThrow('feature G, field "elderly": elderly must be a whole number from 0 to the population (10), got 11');
  });
});

describe('buildDemand on the Harbin sample', () => {
  let communities: Community[];
  let buildings: Building[];
  let demand: Demand;
  beforeAll(() => {
    const osm = readPbf(readFileSync(new URL('../data/harbin/harbin.osm.pbf', import.meta.url)));
    communities = osmBoundaries(osm).communities;
    buildings = osmResidentialBuildings(osm);
    demand = buildDemand(communities, buildings);
  });

  const perCommunity = (values: Int32Array) => {
    const sums = new Array<number>(communities.length).fill(0);
    for (let k = 0; k < demand.shareCommunity.length; k++) sums[demand.shareCommunity[k]] += values[k];
    return sums;
  };

  it('conserves every community population exactly', () => {
    expect(perCommunity(demand.shareResidents)).toEqual(communities.map((c) => c.population ?? 0));
    expect(demand.residents.reduce((s, n) => s + n, 0)).toBe(3_347_851);
  });

  it('conserves elderly exactly at 21.98 % of each population, rounded', () => {
    expect(perCommunity(demand.shareElderly)).toEqual(communities.map((c) => Math.round((c.population ?? 0) * 0.2198)));
  });

  it('never puts more elderly than residents in a cell', () => {
    expect(demand.elderly.every((e, i) => e <= demand.residents[i])).toBe(true);
  });

  it('gives every community with population at least one cell with residents', () => {
    const populated = new Set<number>();
    for (let k = 0; k < demand.shareCommunity.length; k++) if (demand.shareResidents[k] > 0) populated.add(demand.shareCommunity[k]);
    expect(communities.filter((c, i) => c.population && !populated.has(i))).toEqual([]);
  });

  it('adds the shares of each cell up to its residents and elderly', () => {
    const residents = new Int32Array(demand.cells.length);
    const elderly = new Int32Array(demand.cells.length);
    demand.shareCell.forEach((cell, k) => {
      residents[cell] += demand.shareResidents[k];
      elderly[cell] += demand.shareElderly[k];
    });
    expect(residents).toEqual(demand.residents);
    expect(elderly).toEqual(demand.elderly);
  });

  it('falls back to area weighting exactly for the communities that turf finds without a residential building', () => {
    const withoutBuildings = communities
      .filter((c) => {
        const shape = turf.multiPolygon(c.polygon);
        const [x0, y0, x1, y1] = turf.bbox(shape);
        return !buildings.some((b) => b.lon >= x0 && b.lon <= x1 && b.lat >= y0 && b.lat <= y1 && turf.booleanPointInPolygon([b.lon, b.lat], shape));
      })
      .filter((c) => c.population !== null)
      .map((c) => c.id);
    expect(communities.filter((_, i) => demand.method[i] === 'area').map((c) => c.id)).toEqual(withoutBuildings);
    expect(withoutBuildings.length).toBe(5);
    expect(demand.withoutPopulation).toEqual(communities.filter((c) => c.population === null).map((c) => c.id));
  });
});
