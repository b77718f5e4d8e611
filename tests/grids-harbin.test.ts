/**
 * Grids on the real Harbin extract, through the build command: the grid table it prints, stored
 * rows equal to the core's check of the stored cells, residents from cells equal to a turf count,
 * findings re-derived in SQL from the rule's numbers, the API, a disabled rule, and bad grids
 * files that leave the database as it was.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanPointInPolygon } from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import { CityContext } from '../server/context.ts';
import { checkGrids } from '../server/core/grids.ts';
import { openDb } from '../server/db/connection.ts';
import { readCity } from '../server/db/read.ts';
import { readGridsGeoJSON } from '../server/ingest/geojson.ts';
import { DEFAULT_PROFILE_PATH, loadProfile, rulesOf } from '../server/ingest/profile.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { buildHarbin, queryRows } from './helpers/harbin.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const GRIDS = join(root, 'tests/fixtures/grids/harbin-grids.geojson');
const FIELDS = { idField: 'code', nameField: 'name', householdsField: 'hh', residentsField: 'people' };
const GRID_ARGS = ['--grids', GRIDS, '--grid-id-field', 'code', '--households-field', 'hh', '--grid-residents-field', 'people'];
/** The fixture as plain JSON, for turf: DL-01 and DL-02 give no residents, DL-03 gives 3,100, DL-04 is smaller than a cell. */
const FEATURES: Array<{ properties: Record<string, unknown>; geometry: any }> = JSON.parse(readFileSync(GRIDS, 'utf8')).features;

let dir: string;
let dbPath: string;
let build: { code: number | null; stdout: string; stderr: string };

function cli(db: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [tsx, 'scripts/build.ts', '--db', db, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function rows<T>(sql: string, path = dbPath): Promise<T[]> {
  const db = await openDb(path);
  try {
    return await queryRows<T>(db, sql);
  } finally {
    db.close();
  }
}

async function compliance(path: string) {
  const db = await openDb(path);
  const stored = await readCity(db.conn).finally(() => db.close());
  const res = await createApp(new CityContext(stored)).request('/api/compliance');
  return (await res.json()) as any;
}

/** Residents of the stored cells whose centre turf finds inside each fixture grid. */
async function turfResidents(path = dbPath): Promise<number[]> {
  const cells = await rows<{ lon: number; lat: number; residents: number }>('SELECT lon, lat, residents FROM cells', path);
  return FEATURES.map((f) => cells.reduce((sum, c) => sum + (booleanPointInPolygon([c.lon, c.lat], f.geometry) ? c.residents : 0), 0));
}

interface GridRow { grid_id: string; name: string; households: number | null; residents: number; residents_source: string }
const GRID_SQL = 'SELECT grid_id, name, households, residents, residents_source FROM grids ORDER BY grid_idx';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lifecircle-grids-'));
  dbPath = join(dir, 'city.duckdb');
  build = cli(dbPath, '--quiet', ...GRID_ARGS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Harbin build with a grids file', () => {
  it('prints the grid table after the compliance table: 4 grids, 2 flagged, with their problems', async () => {
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const [fromCells] = await turfResidents();
    const n = fromCells.toLocaleString('en');
    const table = build.stdout.slice(build.stdout.indexOf('\nGrid size: ') + 1).trimEnd().split('\n');
    expect(build.stdout.indexOf('Compliance with')).toBeLessThan(build.stdout.indexOf('Grid size: '));
    expect(table[0]).toBe('Grid size: 4 grids, 2 flagged (grid.size: 300–500 households, ≤ 2,500 residents, source S)');
    expect(table.slice(1).map((line) => line.split(/ {2,}/))).toEqual([
      ['grid', 'households', 'residents', 'problems'],
      ['经纬一网格', '420', `${n} from cells`, `✗ residents ${n} > 2,500 (grid.size)`],
      ['安静网格', '280', '3,100 given', '✗ households 280 < 300 (grid.size)', '✗ residents 3,100 > 2,500 (grid.size)'],
    ]);
  });

  it('stores every grid and its findings as the core checks the stored cells', async () => {
    const cells = await rows<{ lon: number; lat: number; residents: number }>('SELECT lon, lat, residents FROM cells ORDER BY cell_idx');
    const grids = readGridsGeoJSON(readFileSync(GRIDS, 'utf8'), { file: 'harbin-grids.geojson', ...FIELDS, crs: 'wgs84' });
    const checks = checkGrids(
      grids,
      { lon: cells.map((c) => c.lon), lat: cells.map((c) => c.lat), residents: cells.map((c) => c.residents) },
      rulesOf(loadProfile(), 'grid_size'),
    );
    const stored = await rows<GridRow>(GRID_SQL);
    expect(stored).toEqual(grids.map((g, k) => ({
      grid_id: g.id, name: g.name, households: checks[k].households, residents: checks[k].residents, residents_source: checks[k].residentsSource,
    })));
    const findings = await rows<Record<string, unknown>>('SELECT * FROM grid_findings ORDER BY grid_idx, problem');
    expect(findings).toEqual(checks.flatMap((c, k) => c.findings.map((f) => ({
      grid_idx: k, rule_id: f.rule, problem: f.problem, value: f.value, threshold: f.threshold,
      source_document: f.source.document, source_clause: f.source.clause, source_label: f.source.label,
    }))).sort((a, b) => a.grid_idx - b.grid_idx || a.problem.localeCompare(b.problem)));
    // and what the fixture says by construction
    expect(stored.map((g) => [g.grid_id, g.households, g.residents_source])).toEqual([
      ['harbin-grids.geojson:DL-01', 420, 'cells'],
      ['harbin-grids.geojson:DL-02', null, 'cells'],
      ['harbin-grids.geojson:DL-03', 280, 'given'],
      ['harbin-grids.geojson:DL-04', null, 'cells'],
    ]);
    expect(stored[2].residents).toBe(3100);
  });

  it('counts the residents of grids without a figure as turf counts the stored cell centres inside them', async () => {
    const expected = await turfResidents();
    const stored = await rows<GridRow>(GRID_SQL);
    expect([0, 1, 3].map((k) => stored[k].residents)).toEqual([0, 1, 3].map((k) => expected[k]));
    expect(expected[0]).toBeGreaterThan(2500);
    expect(expected[1]).toBeGreaterThan(0);
    // the grid smaller than a cell holds no centre, and the build says so
    expect(expected[3]).toBe(0);
    const notes = await rows<{ kind: string; subject: string }>("SELECT kind, subject FROM import_notes WHERE kind LIKE 'grid%'");
    expect(notes).toEqual([{ kind: 'grid_no_cells', subject: 'harbin-grids.geojson:DL-04' }]);
  });

  it("flags exactly the grids the rule's numbers flag, re-derived in SQL", async () => {
    const problems = `
      SELECT grid_idx, 'households_below' AS problem, households AS value, 300 AS threshold FROM grids WHERE households < 300
      UNION ALL SELECT grid_idx, 'households_above', households, 500 FROM grids WHERE households > 500
      UNION ALL SELECT grid_idx, 'residents_above', residents, 2500 FROM grids WHERE residents > 2500`;
    const [r] = await rows<{ expected: number; stored: number; differ: number }>(`
      WITH e AS (${problems}), s AS (SELECT grid_idx, problem, value, threshold FROM grid_findings)
      SELECT (SELECT count(*) FROM e) AS expected, (SELECT count(*) FROM s) AS stored,
             (SELECT count(*) FROM ((SELECT * FROM e EXCEPT SELECT * FROM s) UNION ALL (SELECT * FROM s EXCEPT SELECT * FROM e))) AS differ`);
    expect(r).toEqual({ expected: 3, stored: 3, differ: 0 });
  });

  it('answers /api/compliance with the grids as the database holds them', async () => {
    const body = await compliance(dbPath);
    const stored = await rows<GridRow>(GRID_SQL);
    const findings = await rows<{ grid_idx: number; rule_id: string; problem: string; value: number; threshold: number; source_document: string; source_clause: string; source_label: string }>(
      'SELECT * FROM grid_findings ORDER BY grid_idx, rule_id, problem',
    );
    expect(body.grids).toEqual(stored.map((g, k) => {
      const own = findings.filter((f) => f.grid_idx === k).map((f) => ({
        rule: f.rule_id, problem: f.problem, value: f.value, threshold: f.threshold,
        source: { document: f.source_document, clause: f.source_clause, label: f.source_label },
      }));
      return { id: g.grid_id, name: g.name, households: g.households, residents: g.residents, residentsSource: g.residents_source, pass: own.length === 0, findings: own };
    }));
    expect(body.grids.map((g: { pass: boolean }) => g.pass)).toEqual([false, true, false, true]);
  });

  it('stores the grids unchecked when the profile disables the grid-size rule', async () => {
    copyFileSync(DEFAULT_PROFILE_PATH, join(dir, 'default.json'));
    const profileFile = join(dir, 'no-grid-size.json');
    writeFileSync(profileFile, JSON.stringify({ name: 'no grid size', extends: 'default', rules: [{ id: 'grid.size', enabled: false }] }));
    const h = await buildHarbin((o) => {
      o.profileFile = profileFile;
      o.grids = { path: GRIDS, ...FIELDS };
    });
    try {
      const stored = await h.rows<GridRow>(GRID_SQL);
      expect(stored).toEqual(await rows<GridRow>(GRID_SQL));
      expect(await h.rows('SELECT * FROM grid_findings')).toEqual([]);
      expect(await h.rows("SELECT kind FROM import_notes WHERE subject = 'grid_size'")).toEqual([{ kind: 'rule_skipped' }]);
      const body = await compliance(h.dbPath);
      expect(body.grids.map((g: { pass: boolean; findings: unknown[] }) => [g.pass, g.findings])).toEqual([[true, []], [true, []], [true, []], [true, []]]);
    } finally {
      h.dispose();
    }
  });

  describe('refuses a bad grids file with exit code 2, a message naming file, feature and field, and no change', () => {
    let before: Record<string, string>;
    beforeAll(async () => {
      before = await fingerprint(dbPath);
      expect(before.grids).toMatch(/^4:/);
    });
    afterAll(async () => {
      expect(await fingerprint(dbPath)).toEqual(before);
    });

    const bad = (name: string) => join(root, 'tests/fixtures', name);
    const cases: Array<[string, string[], string]> = [
      ['households that are not a number', ['--grids', bad('grids/grids-bad-households.geojson')],
        'error: grids-bad-households.geojson, feature 2 ("二网格"), field "households": "约四百户" is not a number'],
      ['a point among the grid polygons', ['--grids', bad('grids/grids-point.geojson')],
        'error: grids-point.geojson, feature 2 ("网格站"), field "geometry": geometry type Point is not supported; expected Polygon or MultiPolygon'],
      ['an empty grids file', ['--grids', bad('ingest/empty.geojson')], 'error: empty.geojson: the file is empty'],
      ['an unknown coordinate system', [...GRID_ARGS, '--grids-crs', 'utm'], 'error: field "grids-crs": must be wgs84, gcj02 or bd09, got "utm"'],
    ];
    for (const [what, args, message] of cases) {
      it(what, () => {
        const r = cli(dbPath, ...args);
        expect(r.stderr.trim().split('\n').pop()).toBe(message);
        expect(r.code).toBe(2);
      });
    }
  });
});
