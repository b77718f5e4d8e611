import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../server/config.ts';
import { DEFAULT_PROFILE_PATH, loadProfile, rulesOf } from '../server/ingest/profile.ts';
import { errorOf } from './helpers/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'lifecircle-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CATEGORIES = ['elderly_care', 'community_service', 'pharmacy', 'health', 'childcare', 'school', 'culture'];

/** Write a profile that extends the default with these rules. */
function profile(name: string, rules: unknown[], extra: Record<string, unknown> = {}) {
  const path = join(dir, `${name}.json`);
  copyFileSync(DEFAULT_PROFILE_PATH, join(dir, 'default.json'));
  writeFileSync(path, JSON.stringify({ name, extends: 'default', rules, ...extra }));
  return path;
}
const tier5 = { id: 'tier.5b', kind: 'tier', minutes: 5, distanceM: 300, residents: [5000, 12000], dwellings: null, source: { document: 'GB 50180-2018', clause: '4.0.1', label: 'S' }, enabled: true };

describe('the standards profile', () => {
  it('holds the default tiers, speeds and norms of domain.md, each with its source', () => {
    const p = loadProfile(undefined, CATEGORIES);
    expect(rulesOf(p, 'tier').map((t) => [t.minutes, t.distanceM, t.residents])).toEqual([[5, 300, [5000, 12000]], [10, 500, [15000, 25000]], [15, 1000, [50000, 100000]]]);
    expect(rulesOf(p, 'walking_speed').map((s) => [s.group, s.mPerMin])).toEqual([['general', 67], ['elderly', 50]]);
    expect(rulesOf(p, 'supply_norm').find((n) => n.id === 'supply.nursing_beds')).toMatchObject({ amount: 40, per: 'elderly', perCount: 1000, source: { clause: '3.2.1', label: 'P' } });
    expect(rulesOf(p, 'grid_size')[0]).toMatchObject({ households: [300, 500], maxResidents: 2500 });
    expect(p.rules.every((r) => r.source.document && r.source.clause && r.source.label)).toBe(true);
  });

  it('agrees with the build defaults on speeds and tiers', () => {
    const p = loadProfile();
    expect(rulesOf(p, 'walking_speed').map((s) => s.mPerMin)).toEqual([DEFAULTS.speeds.general, DEFAULTS.speeds.elderly]);
    expect(rulesOf(p, 'tier').map((t) => t.minutes)).toEqual([...DEFAULTS.tiers]);
  });

  it("keeps the file's note on the source labels; a city's own note replaces it", () => {
    const file = JSON.parse(readFileSync(DEFAULT_PROFILE_PATH, 'utf8'));
    expect(loadProfile().note).toBe(file.note);
    expect(loadProfile(profile('inherits', [])).note).toBe(file.note);
    expect(loadProfile(profile('own-note', [], { note: 'Harbin: L rules from the city plan' })).note).toBe('Harbin: L rules from the city plan');
    expect(errorOf(() => loadProfile(profile('bad-note', [], { note: 3 })))).toBe('bad-note.json, field "note": must be text');
  });

  it("lets a city override a rule by id, disable one and add its own", () => {
    const path = profile('harbin', [
      { id: 'speed.elderly', mPerMin: 45, source: { document: 'Harbin survey', clause: 'table 2', label: 'L' } },
      { id: 'grid.size', enabled: false },
      { ...tier5, id: 'tier.3', minutes: 3, distanceM: 200 },
    ]);
    const p = loadProfile(path, CATEGORIES);
    expect(rulesOf(p, 'walking_speed').find((s) => s.group === 'elderly')).toMatchObject({ mPerMin: 45, source: { label: 'L' } });
    expect(rulesOf(p, 'grid_size')).toEqual([]);
    expect(rulesOf(p, 'tier').map((t) => t.minutes)).toEqual([5, 10, 15, 3]);
    expect(p.files.map((f) => f.split('/').pop())).toEqual(['default.json', 'harbin.json']);
  });

  it('refuses an unknown rule kind, naming the rule', () => {
    const path = profile('bad-kind', [{ ...tier5, kind: 'parking' }]);
    expect(errorOf(() => loadProfile(path))).toBe(
      'bad-kind.json, rule 1 ("tier.5b"), field "kind": unknown rule kind "parking"; known: tier, walking_speed, facility_requirement, supply_norm, joint_community, grid_size',
    );
  });

  it('refuses a negative radius, naming the rule and field', () => {
    const path = profile('bad-radius', [{ ...tier5, distanceM: -300 }]);
    expect(errorOf(() => loadProfile(path))).toBe('bad-radius.json, rule 1 ("tier.5b"), field "distanceM": must be a number above 0');
  });

  it('refuses a rule without its source', () => {
    const { source: _s, ...noSource } = tier5;
    const path = profile('no-source', [noSource]);
    expect(errorOf(() => loadProfile(path))).toMatch(/^no-source\.json, rule 1 \("tier\.5b"\), field "source": /);
    const path2 = profile('no-label', [{ ...tier5, source: { document: 'GB 50180-2018', clause: '4.0.1' } }]);
    expect(errorOf(() => loadProfile(path2))).toBe('no-label.json, rule 1 ("tier.5b"), field "source.label": must be P (official text), S (secondary summary), L (local rule), D (derived) or C (conjecture)');
  });

  it('refuses a range the wrong way round, a misspelt field, a repeated id and an unknown category', () => {
    expect(errorOf(() => loadProfile(profile('r1', [{ ...tier5, residents: [12000, 5000] }])))).toBe('r1.json, rule 1 ("tier.5b"), field "residents": the first number must not exceed the second');
    expect(errorOf(() => loadProfile(profile('r2', [{ ...tier5, minuts: 5 }])))).toMatch(/^r2\.json, rule 1 \("tier\.5b"\): .*minuts/);
    expect(errorOf(() => loadProfile(profile('r3', [tier5, tier5])))).toBe('r3.json, rule 2 ("tier.5b"), field "id": the id appears twice in the file');
    const req = { id: 'require.x', kind: 'facility_requirement', category: 'casino', tierMinutes: 5, for: 'residents', source: tier5.source, enabled: true };
    expect(errorOf(() => loadProfile(profile('r4', [req]), CATEGORIES))).toBe(`r4.json, rule 1 ("require.x"), field "category": unknown category "casino"; known: ${CATEGORIES.join(', ')}`);
  });

  it('refuses a requirement whose tier does not exist', () => {
    const req = { id: 'require.y', kind: 'facility_requirement', category: 'health', tierMinutes: 20, for: 'residents', source: tier5.source, enabled: true };
    expect(errorOf(() => loadProfile(profile('r5', [req])))).toBe('r5.json, rule "require.y", field "tierMinutes": no enabled tier of 20 minutes; tiers: 5, 10, 15');
  });

  it('refuses a file that is not JSON or has no rules list', () => {
    writeFileSync(join(dir, 'broken.json'), '{ "name": "x", ');
    expect(errorOf(() => loadProfile(join(dir, 'broken.json')))).toMatch(/^broken\.json: not JSON: /);
    writeFileSync(join(dir, 'norules.json'), '{ "name": "x" }');
    expect(errorOf(() => loadProfile(join(dir, 'norules.json')))).toBe('norules.json, field "rules": "rules" must be a list');
  });
});

describe('the profile sets the build\'s walking speeds and tiers', () => {
  const speed = (group: string, mPerMin: number) => ({ id: `speed.${group}`, kind: 'walking_speed', group, mPerMin, source: { document: 'city survey', clause: '2.1', label: 'L' }, enabled: true });

  it('takes speeds and tiers from the profile, overrides from the options', async () => {
    const { defaultOptions } = await import('../server/pipeline.ts');
    const path = profile('slow', [speed('elderly', 45), { ...tier5, id: 'tier.30', minutes: 30, distanceM: 2000, residents: [100001, 200000] }]);
    const o = defaultOptions('x.osm.pbf', path);
    expect(o.speeds).toEqual({ general: 67, elderly: 45 });
    expect(o.tiers).toEqual([5, 10, 15, 30]);
    expect(o.profileFile).toBe(path);
    // the default profile gives the documented defaults
    const d = defaultOptions('x.osm.pbf');
    expect([d.speeds, d.tiers]).toEqual([DEFAULTS.speeds, DEFAULTS.tiers]);
  });

  it('the CLI: --profile sets the speeds unless --speed-elderly is given, and a bad profile exits 2', async () => {
    const { runBuild } = await import('../scripts/build.ts');
    const path = profile('cli', [speed('elderly', 45)]);
    const db = join(dir, 'p.duckdb');
    const built = await runBuild(['--db', db, '--quiet', '--profile', path]);
    expect(built.options.speeds.elderly).toBe(45);
    expect(built.profile.rules.find((r) => r.id === 'speed.elderly')).toMatchObject({ mPerMin: 45, source: { label: 'L' } });
    const explicit = await runBuild(['--db', db, '--quiet', '--profile', path, '--speed-elderly', '40']);
    expect(explicit.options.speeds.elderly).toBe(40);
    const bad = profile('bad', [{ ...speed('elderly', -3) }]);
    await expect(runBuild(['--db', db, '--quiet', '--profile', bad])).rejects.toThrow(/bad\.json.*speed\.elderly/);
  });
});
