/**
 * Grid management units: the GeoJSON reader, and the grid-size check on hand-built grids whose
 * pass or fail is known by construction (tests/fixtures/grids/grids.geojson says in each feature's
 * `expect` why). Residents counted from cells are compared with a brute-force count by turf.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { booleanPointInPolygon } from '@turf/turf';
import gcoord from 'gcoord';
import { cellToLatLng, polygonToCells } from 'h3-js';
import { afterAll, describe, expect, it } from 'vitest';
import { haversine } from '../server/core/geo.ts';
import { checkGrids, type GridSizeRule } from '../server/core/grids.ts';
import type { Grid } from '../server/core/types.ts';
import { readGridsGeoJSON, type GridFileOptions } from '../server/ingest/geojson.ts';
import { DEFAULT_PROFILE_PATH, loadProfile, rulesOf } from '../server/ingest/profile.ts';
import { errorOf } from './helpers/errors.ts';
import { seeded } from './helpers/harbin.ts';

const text = (path: string) => readFileSync(`tests/fixtures/${path}`, 'utf8');
const options = (file: string): GridFileOptions => ({ file, nameField: 'name', householdsField: 'households', residentsField: 'residents', crs: 'wgs84' });
const read = (path: string, over: Partial<GridFileOptions> = {}) => readGridsGeoJSON(text(path), { ...options(path.split('/').pop()!), ...over });

const SOURCE = { document: 'grid management (网格化管理) practice', clause: 'docs/domain.md, spatial units', label: 'S' };
/** The default profile's rule, written out so the expected findings do not come from the loader. */
const RULE: GridSizeRule = { id: 'grid.size', households: [300, 500], maxResidents: 2500, source: SOURCE };

/** Cell centres placed by hand around the fixture's grids (see each feature's `expect`). */
const CELLS = [
  [126.613, 45.742, 5000], // in 二网格, which gives its own residents
  [126.641, 45.7405, 1500], // in 五网格
  [126.645, 45.7435, 1100], // in 五网格
  [126.643, 45.742, 999], // in 五网格's hole
  [126.648, 45.742, 777], // between 五网格 and 六网格
  [126.6515, 45.742, 400], // in 六网格's first part
  [126.6565, 45.742, 300], // in 六网格's second part
  [126.654, 45.742, 50], // between 六网格's parts
];
const cells = {
  lon: CELLS.map((c) => c[0]),
  lat: CELLS.map((c) => c[1]),
  residents: CELLS.map((c) => c[2]),
};

const tmp = mkdtempSync(join(tmpdir(), 'lifecircle-grids-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A profile beside a copy of the default that overrides the default's rules. */
function profileWith(rules: unknown[]): string {
  copyFileSync(DEFAULT_PROFILE_PATH, join(tmp, 'default.json'));
  const path = join(tmp, 'city.json');
  writeFileSync(path, JSON.stringify({ name: 'city', extends: 'default', rules }));
  return path;
}

describe('grid polygons from GeoJSON', () => {
  it('reads names, whole counts (also as text) and unknown counts as null', () => {
    const grids = read('grids/grids.geojson');
    expect(grids.map((g) => [g.id, g.name, g.households, g.residents])).toEqual([
      ['grids.geojson:1', '一网格', 250, 800],
      ['grids.geojson:2', '二网格', 400, 1200],
      ['grids.geojson:3', '三网格', 600, 1900],
      ['grids.geojson:4', '四网格', 450, 3000],
      ['grids.geojson:5', '五网格', null, null],
      ['grids.geojson:6', '六网格', null, null],
    ]);
    expect(grids[4].polygon[0].length).toBe(2); // outer ring and hole
    expect(grids[5].polygon.length).toBe(2); // two parts
  });

  it('takes ids and counts from the fields it is told', () => {
    const [first] = read('grids/harbin-grids.geojson', { idField: 'code', householdsField: 'hh', residentsField: 'people' });
    expect([first.id, first.households, first.residents]).toEqual(['harbin-grids.geojson:DL-01', 420, null]);
    const third = read('grids/harbin-grids.geojson', { householdsField: 'hh', residentsField: 'people' })[2];
    expect([third.id, third.households, third.residents]).toEqual(['harbin-grids.geojson:3', 280, 3100]);
  });

  it('converts GCJ-02 vertices to WGS84 the way gcoord does, within 0.5 m', () => {
    const [lon, lat] = read('grids/grids.geojson', { crs: 'gcj02' })[0].polygon[0][0][1];
    const [refLon, refLat] = gcoord.transform([126.606, 45.74], gcoord.GCJ02, gcoord.WGS84) as [number, number];
    expect(haversine(lon, lat, refLon, refLat)).toBeLessThan(0.5);
  });

  it('refuses households that are not a number, naming file, feature and field', () => {
    expect(errorOf(() => read('grids/grids-bad-households.geojson'))).toBe(
      'grids-bad-households.geojson, feature 2 ("二网格"), field "households": "约四百户" is not a number',
    );
  });

  it('refuses a fractional household count', () => {
    const t = text('grids/grids.geojson').replace('"households": 600', '"households": 600.5');
    expect(errorOf(() => readGridsGeoJSON(t, options('g.geojson')))).toBe('g.geojson, feature 3 ("三网格"), field "households": 600.5 is not a whole number');
  });

  it('refuses negative residents', () => {
    const t = text('grids/grids.geojson').replace('"residents": 3000', '"residents": -3000');
    expect(errorOf(() => readGridsGeoJSON(t, options('g.geojson')))).toBe('g.geojson, feature 4 ("四网格"), field "residents": -3000 is negative');
  });

  it('refuses a point where a grid polygon is expected', () => {
    expect(errorOf(() => read('grids/grids-point.geojson'))).toBe(
      'grids-point.geojson, feature 2 ("网格站"), field "geometry": geometry type Point is not supported; expected Polygon or MultiPolygon',
    );
  });

  it('refuses an empty file, naming it', () => {
    expect(errorOf(() => read('ingest/empty.geojson'))).toBe('empty.geojson: the file is empty');
  });
});

describe('grid size', () => {
  const grids = read('grids/grids.geojson');

  it('flags households below and above the range and residents above the maximum, each with its rule and source', () => {
    const checks = checkGrids(grids, cells, [RULE]);
    expect(checks.map((c) => [c.households, c.residents, c.residentsSource, c.findings])).toEqual([
      [250, 800, 'given', [{ rule: 'grid.size', problem: 'households_below', value: 250, threshold: 300, source: SOURCE }]],
      [400, 1200, 'given', []],
      [600, 1900, 'given', [{ rule: 'grid.size', problem: 'households_above', value: 600, threshold: 500, source: SOURCE }]],
      [450, 3000, 'given', [{ rule: 'grid.size', problem: 'residents_above', value: 3000, threshold: 2500, source: SOURCE }]],
      [null, 2600, 'cells', [{ rule: 'grid.size', problem: 'residents_above', value: 2600, threshold: 2500, source: SOURCE }]],
      [null, 700, 'cells', []],
    ]);
  });

  it('checks the default profile rule the same way', () => {
    const fromProfile = checkGrids(grids, cells, rulesOf(loadProfile(), 'grid_size'));
    expect(fromProfile).toEqual(checkGrids(grids, cells, [RULE]));
  });

  it('passes the bounds themselves: 300 and 500 households, 2,500 residents', () => {
    const square = grids[0].polygon;
    const grid = (households: number, residents: number): Grid => ({ id: 'g', name: 'g', households, residents, polygon: square });
    const problems = (households: number, residents: number) => checkGrids([grid(households, residents)], cells, [RULE])[0].findings.map((f) => f.problem);
    expect(problems(300, 2500)).toEqual([]);
    expect(problems(500, 2500)).toEqual([]);
    expect(problems(299, 2500)).toEqual(['households_below']);
    expect(problems(501, 2501)).toEqual(['households_above', 'residents_above']);
  });

  it('finds nothing when the profile disables the rule, and the city\'s own numbers and source when it overrides it', () => {
    const disabled = rulesOf(loadProfile(profileWith([{ id: 'grid.size', enabled: false }])), 'grid_size');
    expect(checkGrids(grids, cells, disabled).flatMap((c) => c.findings)).toEqual([]);

    const local = { document: '某市网格化管理办法', clause: '第八条', label: 'L' };
    const widened = rulesOf(loadProfile(profileWith([{ id: 'grid.size', households: [200, 600], maxResidents: 2800, source: local }])), 'grid_size');
    expect(checkGrids(grids, cells, widened).flatMap((c, k) => c.findings.map((f) => [k + 1, f.problem, f.threshold, f.source.label]))).toEqual([
      [4, 'residents_above', 2800, 'L'],
    ]);
  });

  it('counts a cell centre in two overlapping grids for the first only, and says so', () => {
    const square = (x0: number): Grid['polygon'] => [[[[x0, 45.74], [x0 + 0.006, 45.74], [x0 + 0.006, 45.744], [x0, 45.744], [x0, 45.74]]]];
    const overlapping: Grid[] = [
      { id: 'a', name: 'a', households: null, residents: null, polygon: square(126.640) },
      { id: 'b', name: 'b', households: null, residents: null, polygon: square(126.644) },
    ];
    // 126.645 lies in both squares; 126.648 in the second only
    const checks = checkGrids(overlapping, { lon: [126.645, 126.648], lat: [45.742, 45.742], residents: [100, 10] }, [RULE]);
    expect(checks.map((c) => [c.residents, c.cells, c.sharedCells])).toEqual([
      [100, 1, 0],
      [10, 1, 1],
    ]);
  });

  it('counts the residents of the H3 cells whose centre lies in each grid, as turf finds them one by one', () => {
    // every res-10 cell around the fixtures, with seeded residents
    const bbox = [[126.595, 45.735], [126.665, 45.735], [126.665, 45.765], [126.595, 45.765], [126.595, 45.735]];
    const ids = polygonToCells([bbox], 10, true);
    const rand = seeded(42);
    const lon = ids.map((h) => cellToLatLng(h)[1]);
    const lat = ids.map((h) => cellToLatLng(h)[0]);
    const residents = ids.map(() => Math.floor(rand() * 1000));
    // the fixtures' grids without their figures: the hand-built ones (holes, two parts) and the Harbin ones
    // (irregular), but not the last Harbin one, which is smaller than a cell
    const features = [...JSON.parse(text('grids/grids.geojson')).features, ...JSON.parse(text('grids/harbin-grids.geojson')).features.slice(0, 3)];
    const shapes: Grid[] = features.map((f: any, k: number) => ({ id: String(k), name: String(k), households: null, residents: null, polygon: f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates }));
    const checks = checkGrids(shapes, { lon, lat, residents }, [RULE]);
    features.forEach((f: any, k: number) => {
      let expected = 0;
      let count = 0;
      for (let i = 0; i < ids.length; i++) {
        if (booleanPointInPolygon([lon[i], lat[i]], f.geometry)) {
          expected += residents[i];
          count++;
        }
      }
      expect(count, `grid ${k + 1} holds cell centres`).toBeGreaterThan(0);
      expect([checks[k].residents, checks[k].cells]).toEqual([expected, count]);
      expect(checks[k].residentsSource).toBe('cells');
    });
  });
});
