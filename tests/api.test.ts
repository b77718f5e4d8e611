/**
 * The JSON API, in process (app.request) against the real Harbin database; every figure is
 * checked against the database with plain SQL.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latLngToCell } from 'h3-js';
import { createApp } from '../server/app.ts';
import { CityContext } from '../server/context.ts';
import { readCity } from '../server/db/read.ts';
import { buildHarbin, seeded, type Built } from './helpers/harbin.ts';

let h: Built;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  h = await buildHarbin();
  app = createApp(new CityContext(await readCity(h.db.conn)));
});
afterAll(() => h?.dispose());

async function get(path: string, init?: RequestInit) {
  const res = await app.request(path, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as any };
}

describe('the API on Harbin', () => {
  it('summarises the city with the totals the database holds', async () => {
    const { status, body } = await get('/api/city');
    expect(status).toBe(200);
    const [t] = await h.rows<{ r: number; e: number; c: number }>('SELECT sum(residents) AS r, sum(elderly) AS e, count(*) AS c FROM cells');
    expect(body.totals).toEqual({ residents: t.r, elderly: t.e, cells: t.c, communities: 78, facilities: 396 });
    expect(body.speeds).toEqual({ general: 67, elderly: 50 });
    expect(body.tiers).toEqual([5, 10, 15]);
    expect(body.categories.map((c: { id: string }) => c.id)).toEqual(['elderly_care', 'community_service', 'pharmacy', 'health', 'childcare', 'school', 'culture']);
    expect(body.coverage).toHaveLength(7 * 3 * 2);
    expect(body.attribution).toBe('© OpenStreetMap contributors');
    expect(body.name).toBe('哈尔滨市中心 Central Harbin');
  });

  it("gives each community's covered elderly as the sum over its cells", async () => {
    const { body } = await get('/api/communities?category=community_service&tier=10&speed=elderly');
    expect(body.type).toBe('FeatureCollection');
    expect(body.features).toHaveLength(78);
    const sums = await h.rows<{ community_idx: number; eld: number; res: number }>(`
      SELECT s.community_idx, coalesce(sum(s.elderly) FILTER (WHERE n.dist_m <= 10 * 50), 0) AS eld,
             coalesce(sum(s.residents) FILTER (WHERE n.dist_m <= 10 * 50), 0) AS res
      FROM cell_community s JOIN cell_nearest n USING (cell_idx) WHERE n.category = 'community_service' GROUP BY 1`);
    const byIdx = new Map(sums.map((r) => [r.community_idx, r]));
    let nonZero = 0;
    for (const f of body.features) {
      expect(f.properties.elderlyCovered).toBe(byIdx.get(f.id)?.eld ?? 0);
      expect(f.properties.residentsCovered).toBe(byIdx.get(f.id)?.res ?? 0);
      if (f.properties.elderlyCovered > 0) nonZero++;
    }
    expect(nonZero).toBeGreaterThan(10);
  });

  it('sends every cell column-wise with the stored nearest distances', async () => {
    const { body } = await get('/api/cells');
    const cells = await h.rows<{ h3_id: string; residents: number; elderly: number }>('SELECT h3_id, residents, elderly FROM cells ORDER BY cell_idx');
    expect(body.h3).toEqual(cells.map((c) => c.h3_id));
    expect(body.residents).toEqual(cells.map((c) => c.residents));
    expect(body.elderly).toEqual(cells.map((c) => c.elderly));
    const school = await h.rows<{ d: number | null }>("SELECT round(dist_m)::INTEGER AS d FROM cell_nearest WHERE category = 'school' ORDER BY cell_idx");
    expect(body.distM.school).toEqual(school.map((r) => r.d));
  });

  it('compresses the cells when the client accepts gzip', async () => {
    const res = await app.request('/api/cells', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
  });

  it('describes one cell with its communities and nearest facilities as the database has them', async () => {
    const rand = seeded(5);
    const cells = await h.rows<{ cell_idx: number; h3_id: string }>('SELECT cell_idx, h3_id FROM cells WHERE residents > 0 AND reachable ORDER BY cell_idx');
    for (let k = 0; k < 20; k++) {
      const cell = cells[Math.floor(rand() * cells.length)];
      const { status, body } = await get(`/api/cells/${cell.h3_id}`);
      expect(status).toBe(200);
      const near = await h.rows<{ category: string; dist_m: number | null; facility_id: string | null }>(`
        SELECT n.category, n.dist_m, f.facility_id FROM cell_nearest n LEFT JOIN facilities f USING (facility_idx)
        JOIN categories c ON c.category = n.category WHERE n.cell_idx = ${cell.cell_idx} ORDER BY c.ord`);
      expect(body.nearest.map((n: any) => n.category)).toEqual(near.map((n) => n.category));
      body.nearest.forEach((n: any, i: number) => {
        expect(n.facility?.id ?? null).toBe(near[i].facility_id);
        if (near[i].dist_m === null) expect(n.minElderly).toBeNull();
        else {
          expect(Math.abs(n.minGeneral - near[i].dist_m! / 67)).toBeLessThanOrEqual(0.005);
          expect(Math.abs(n.minElderly - near[i].dist_m! / 50)).toBeLessThanOrEqual(0.005);
        }
      });
      const shares = await h.rows<{ community_id: string; residents: number }>(
        `SELECT community_id, s.residents FROM cell_community s JOIN communities USING (community_idx) WHERE cell_idx = ${cell.cell_idx} ORDER BY community_idx`,
      );
      expect(body.communities.map((c: any) => [c.id, c.residents])).toEqual(shares.map((s) => [s.community_id, s.residents]));
    }
  });

  it('lists the facilities of a category', async () => {
    const { body } = await get('/api/facilities?category=school');
    const [n] = await h.rows<{ n: number }>("SELECT count(*) AS n FROM facilities WHERE category = 'school'");
    expect(body.features).toHaveLength(n.n);
    expect(body.features.every((f: any) => f.properties.category === 'school')).toBe(true);
    expect((await get('/api/facilities')).body.features).toHaveLength(396);
  });

  it("gives a facility's walkshed at the elderly speed as its stored cells within 15 minutes", async () => {
    const [f] = await h.rows<{ facility_idx: number; facility_id: string }>("SELECT facility_idx, facility_id FROM facilities WHERE category = 'health' AND reachable ORDER BY facility_idx LIMIT 1");
    const { body } = await get(`/api/facilities/${encodeURIComponent(f.facility_id)}/walkshed?speed=elderly`);
    const cells = await h.rows<{ h3_id: string }>(`SELECT h3_id FROM walksheds JOIN cells USING (cell_idx) WHERE facility_idx = ${f.facility_idx} AND dist_m <= 750 ORDER BY cell_idx`);
    expect(body.h3).toEqual(cells.map((c) => c.h3_id));
    expect(body.h3.length).toBeGreaterThan(0);
    expect(Math.max(...body.minutes)).toBeLessThanOrEqual(15);
  });

  it('walks from a clicked point exactly as from a facility standing there', async () => {
    const [f] = await h.rows<{ facility_idx: number; lon: number; lat: number }>("SELECT facility_idx, lon, lat FROM facilities WHERE category = 'school' AND reachable ORDER BY facility_idx LIMIT 1 OFFSET 7");
    const { status, body } = await get(`/api/walkshed?lon=${f.lon}&lat=${f.lat}&speed=general&minutes=15`);
    expect(status).toBe(200);
    const stored = await h.rows<{ h3_id: string; dist_m: number }>(`SELECT h3_id, dist_m FROM walksheds JOIN cells USING (cell_idx) WHERE facility_idx = ${f.facility_idx} ORDER BY cell_idx`);
    expect(body.h3).toEqual(stored.map((s) => s.h3_id));
    body.distM.forEach((d: number, i: number) => expect(Math.abs(d - stored[i].dist_m)).toBeLessThanOrEqual(0.05));
  });

  it('outlines gap clusters holding exactly the elderly of their cells', async () => {
    const { body } = await get('/api/gaps?category=health&tier=5&speed=elderly');
    const [t] = await h.rows<{ e: number; n: number }>(`
      SELECT sum(k.elderly) AS e, count(*) AS n FROM gap_clusters k WHERE category = 'health' AND tier_min = 5 AND speed = 'elderly' AND weight = 'elderly'`);
    expect(body.features).toHaveLength(t.n);
    expect(body.features.reduce((a: number, f: any) => a + f.properties.elderly, 0)).toBe(t.e);
    expect(body.features[0].geometry.type).toBe('MultiPolygon');
    const residents = await get('/api/gaps?category=health&tier=5&speed=elderly&weight=residents');
    const [r] = await h.rows<{ r: number; n: number }>(`
      SELECT sum(k.residents) AS r, count(*) AS n FROM gap_clusters k WHERE category = 'health' AND tier_min = 5 AND speed = 'elderly' AND weight = 'residents'`);
    expect(residents.body.features).toHaveLength(r.n);
    expect(residents.body.features.reduce((a: number, f: any) => a + f.properties.residents, 0)).toBe(r.r);
  });

  it('gives each community its tier and findings with the sources the database stores', async () => {
    const { status, body } = await get('/api/compliance');
    expect(status).toBe(200);
    expect(body.communities).toHaveLength(78);
    const stored = await h.rows<{ n: number; failing: number }>(`SELECT count(*) AS n, count(*) FILTER (WHERE NOT pass) AS failing FROM compliance`);
    const findings = body.communities.flatMap((c: any) => c.findings);
    expect(findings).toHaveLength(stored[0].n);
    expect(findings.filter((f: any) => !f.pass)).toHaveLength(stored[0].failing);
    expect(findings.every((f: any) => f.source.document && f.source.clause && /^[PSLDC]$/.test(f.source.label))).toBe(true);
    // no grids file in this build (grids-harbin.test.ts has one)
    expect(body.grids).toEqual([]);
  });

  it('gives the standards profile with the rules of data/standards/default.json', async () => {
    const file = JSON.parse(readFileSync(new URL('../data/standards/default.json', import.meta.url), 'utf8'));
    const { status, body } = await get('/api/profile');
    expect(status).toBe(200);
    expect(body.name).toBe(file.name);
    expect(body.note).toBe(file.note);
    // as loaded: the one default the file leaves out is a requirement's share, everyone (1)
    expect(body.rules).toEqual(file.rules.map((r: any) => (r.kind === 'facility_requirement' ? { minShare: 1, ...r } : r)));
    // every finding of /api/compliance names a rule the profile holds, with the same source
    const byId = new Map(body.rules.map((r: any) => [r.id, r]));
    for (const c of (await get('/api/compliance')).body.communities) {
      for (const f of c.findings) expect(f.source).toEqual((byId.get(f.rule) as any).source);
    }
  });

  it('publishes an OpenAPI document naming every route', async () => {
    const { body } = await get('/api/openapi.json');
    expect(Object.keys(body.paths).sort()).toEqual([
      '/cells', '/cells/{h3}', '/city', '/communities', '/compliance', '/facilities', '/facilities/{id}/walkshed', '/gaps', '/joint/check', '/joint/suggest', '/profile', '/units', '/walkshed',
    ]);
  });
});

describe('malformed requests get a 4xx JSON error naming the parameter', () => {
  const cases: Array<[string, string, number, string, RegExp]> = [
    ['an unknown category', '/api/communities?category=casino', 400, 'category', /unknown category; known: elderly_care, /],
    ['an out-of-range tier', '/api/gaps?tier=20', 400, 'tier', /must be one of 5, 10, 15/],
    ['a tier that is not a number', '/api/communities?tier=ten', 400, 'tier', /tier/],
    ['an unknown speed', '/api/communities?speed=running', 400, 'speed', /speed/],
    ['an unknown gap weighting', '/api/gaps?weight=children', 400, 'weight', /weight/],
    ['a bad cell id', '/api/cells/not-a-cell', 400, 'h3', /"not-a-cell" is not an H3 cell id/],
    ['a cell outside the grid', `/api/cells/${latLngToCell(39.9, 116.4, 10)}`, 404, 'h3', /not in this city's grid/],
    ['a cell of another resolution', `/api/cells/${latLngToCell(45.75, 126.63, 9)}`, 404, 'h3', /not in this city's grid/],
    ['an unknown facility', '/api/facilities/osm:n1/walkshed', 404, 'id', /no facility "osm:n1"/],
    ['a point outside the city', '/api/walkshed?lon=116.4&lat=39.9', 400, 'lon', /must lie in the city/],
    ['a latitude that is not a number', '/api/walkshed?lon=126.63&lat=north', 400, 'lat', /lat/],
    ['a walk of 90 minutes', '/api/walkshed?lon=126.63&lat=45.75&minutes=90', 400, 'minutes', /minutes/],
  ];
  for (const [what, path, status, param, message] of cases) {
    it(what, async () => {
      const r = await get(path);
      expect(r.status).toBe(status);
      expect(r.type).toMatch(/application\/json/);
      expect(r.body.error.param).toBe(param);
      expect(r.body.error.message).toMatch(message);
    });
  }

  it('an oversized body', async () => {
    const r = await get('/api/walkshed?lon=126.63&lat=45.75', { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024), headers: { 'Content-Type': 'text/plain' } });
    expect(r.status).toBe(413);
    expect(r.body.error.param).toBe('body');
  });

  it('an unknown route', async () => {
    const r = await get('/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.message).toBe('no API route GET /api/nothing-here');
  });

  it('still answers after all of them', async () => {
    expect((await get('/api/city')).status).toBe(200);
  });
});
