/**
 * The build command end to end: exit codes, messages, and a database that a failed build or a
 * failed write leaves exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../scripts/build.ts';
import { cityNameOf } from '../server/config.ts';
import { openDb } from '../server/db/connection.ts';
import { writeCity } from '../server/db/city.ts';
import { HARBIN_PBF, queryRows } from './helpers/harbin.ts';
import { fingerprint } from './helpers/fingerprint.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => join(root, 'tests/fixtures/ingest', name);
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
let dir: string;
let dbPath: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [tsx, 'scripts/build.ts', '--db', dbPath, ...args], { cwd: root, encoding: 'utf8' });
  // progress lines come first; the error is the last line
  return { code: r.status, lastLine: r.stderr.trim().split('\n').pop() ?? '', stdout: r.stdout };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifecircle-cli-'));
  dbPath = join(dir, 'city.duckdb');
  await runBuild(['--db', dbPath, '--quiet']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the build command', () => {
  it('rebuilds to exactly the same database', async () => {
    const before = await fingerprint(dbPath);
    await runBuild(['--db', dbPath, '--quiet']);
    expect(await fingerprint(dbPath)).toEqual(before);
  });

  it('names the city as told, or after its file', async () => {
    const named = join(dir, 'named.duckdb');
    await runBuild(['--db', named, '--quiet', '--city-name', ' 冰城 Harbin ']);
    const db = await openDb(named);
    try {
      const r = await db.conn.runAndReadAll("SELECT value FROM meta WHERE key = 'city_name'");
      expect(r.getRows()).toEqual([['冰城 Harbin']]);
    } finally {
      db.close();
    }
    expect(['a/harbin.osm.pbf', 'C:\\x\\Shenyang.PBF', 'dalian.pbf', '.osm.pbf', 'plain'].map(cityNameOf)).toEqual(['harbin', 'Shenyang', 'dalian', 'city', 'plain']);
  });

  it('rolls back a write that fails half-way, keeping the previous city', async () => {
    const before = await fingerprint(dbPath);
    const city = await runBuild(['--db', join(dir, 'other.duckdb'), '--quiet']);
    // the second facility takes the first one's id: the UNIQUE constraint fails after several tables are written
    city.facilities[1] = { ...city.facilities[1], id: city.facilities[0].id };
    const db = await openDb(dbPath);
    try {
      await expect(writeCity(db.conn, city)).rejects.toThrow();
    } finally {
      db.close();
    }
    expect(await fingerprint(dbPath)).toEqual(before);
  });

  describe('refuses bad input with exit code 2, a message naming file, feature and field, and no change', () => {
    let before: Record<string, string>;
    beforeAll(async () => {
      before = await fingerprint(dbPath);
      writeFileSync(join(dir, 'cut.osm.pbf'), readFileSync(HARBIN_PBF).subarray(0, 1_000_000));
      writeFileSync(join(dir, 'empty.osm.pbf'), '');
    });
    afterAll(async () => {
      expect(await fingerprint(dbPath)).toEqual(before);
    });

    const cases: Array<[string, () => string[], RegExp]> = [
      ['a truncated PBF', () => ['--pbf', join(dir, 'cut.osm.pbf')], /^error: cut\.osm\.pbf: truncated: blob \d+ \(OSMData\) needs \d+ bytes at byte \d+, file ends at 1000000$/],
      ['an empty PBF', () => ['--pbf', join(dir, 'empty.osm.pbf')], /^error: empty\.osm\.pbf: the file is empty$/],
      ['a self-intersecting community polygon', () => ['--communities', fixture('communities-self-intersecting.geojson'), '--population-field', 'pop'], /^error: communities-self-intersecting\.geojson, feature \d \(.+\), field "geometry": .*crosses itself.*$/],
      ['community coordinates in projected metres', () => ['--communities', fixture('communities-projected.geojson'), '--population-field', 'pop'], /^error: communities-projected\.geojson, feature 1 \(.+\), field "geometry": .*projected metres.*$/],
      ['a CSV row without lon', () => ['--facilities', fixture('facilities-missing-lon.csv'), '--facility-category-field', 'kind'], /^error: facilities-missing-lon\.csv, row 3, field "lon": the coordinate is missing$/],
      ['a CSV row with a non-numeric lat', () => ['--facilities', fixture('facilities-bad-lat.csv'), '--facility-category-field', 'kind'], /^error: facilities-bad-lat\.csv, row 3, field "lat": "45\.76\.30" is not a number$/],
      ['an unknown category', () => ['--facilities', fixture('facilities-unknown-category.csv'), '--facility-category-field', 'kind'], /^error: facilities-unknown-category\.csv, row 3, field "kind": unknown category "hospital"; .+$/],
      ['an empty CSV', () => ['--facilities', fixture('empty.csv'), '--facility-category', 'health'], /^error: empty\.csv: .*empty.*$/],
      ['an empty GeoJSON', () => ['--communities', fixture('empty.geojson')], /^error: empty\.geojson: .*empty.*$/],
      ['a missing file', () => ['--facilities', join(dir, 'nowhere.csv'), '--facility-category', 'health'], /^error: .*nowhere\.csv: cannot read the file \(ENOENT\)$/],
      ['an empty city name', () => ['--city-name', '  '], /^error: field "city-name": must be 1–100 characters of plain text, got "  "$/],
      ['a city name with a line break', () => ['--city-name', '哈尔滨\n道里'], /^error: field "city-name": must be 1–100 characters of plain text, got "哈尔滨\\n道里"$/],
      ['a resolution that is not a number', () => ['--resolution', 'ten'], /^error: field "resolution": must be a number, got "ten"$/],
      ['an elderly speed of zero', () => ['--speed-elderly', '0'], /^error: field "speed-elderly": must be a walking speed in m\/min above 0 and below 300, got 0$/],
      ['a unit range upside down', () => ['--unit-residents', '6000,3000'], /^error: field "unit-residents": must be two whole numbers, the smaller first, got 6000,3000$/],
      ['an unknown option', () => ['--colour', 'red'], /^error: Unknown option '--colour'/],
    ];
    for (const [what, args, message] of cases) {
      it(what, () => {
        const r = cli(...args());
        expect(r.lastLine).toMatch(message);
        expect(r.code).toBe(2);
      });
    }
  });

  it('takes other inputs: community polygons and a facility list instead of the OSM ones', async () => {
    const other = join(dir, 'custom.duckdb');
    const r = spawnSync(
      process.execPath,
      [tsx, 'scripts/build.ts', '--db', other, '--communities', fixture('communities.geojson'), '--population-field', 'pop', '--elderly-field', 'elderly60',
        '--facilities', fixture('facilities.csv'), '--facility-category-field', 'kind', '--facility-capacity-field', 'beds',
        '--no-osm-facilities', '--resolution', '9', '--speed-elderly', '45'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^\[read\] /m);
    expect(r.stdout).toMatch(/^Walking coverage: /);
    const db = await openDb(other);
    try {
      const facilities = await queryRows<{ source: string }>(db, 'SELECT DISTINCT source FROM facilities');
      expect(facilities).toEqual([{ source: 'facilities.csv' }]);
      const [meta] = await queryRows<{ value: string }>(db, "SELECT value FROM meta WHERE key = 'h3_resolution'");
      expect(meta.value).toBe('9');
      const communities = await queryRows<{ source: string }>(db, 'SELECT DISTINCT source FROM communities');
      expect(communities).toEqual([{ source: 'import' }]);
    } finally {
      db.close();
    }
  });
});
