/**
 * Publishing through the API on Harbin: a snapshot keeps its figures when the scenario is edited
 * afterwards and when the server restarts (a new app on the same database), its coverage equals
 * the API's, names that try to be paths are refused, and unpublishing removes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import { Publisher } from '../server/publish.ts';
import { Scenarios } from '../server/scenarios.ts';
import { harbinApp, type Built } from './helpers/harbin.ts';

let h: Built;
let app: ReturnType<typeof createApp>;
let city: Awaited<ReturnType<typeof harbinApp>>['city'];
beforeAll(async () => {
  ({ h, city, app } = await harbinApp({ publisher: true }));
});
afterAll(() => h?.dispose());

async function call(method: string, path: string, body?: unknown, on = app) {
  const res = await on.request(path, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as any };
}

describe('published maps', () => {
  const view = { category: 'elderly_care', tier: 15, speed: 'elderly' };

  it('publishes the baseline with the coverage the API gives', async () => {
    const r = await call('POST', '/api/published', { name: 'harbin-baseline', title: '哈尔滨 养老服务 15 分钟覆盖', view: { ...view, category: 'community_service', tier: 10 } });
    expect(r.status).toBe(201);
    const snap = (await call('GET', '/api/published/harbin-baseline')).body;
    expect(snap.title).toBe('哈尔滨 养老服务 15 分钟覆盖');
    expect(snap.attribution).toBe('© OpenStreetMap contributors');
    const communities = (await call('GET', '/api/communities?category=community_service&tier=10&speed=elderly')).body.features;
    for (const f of communities) {
      const row = snap.communities.find((c: any) => c.id === f.properties.id);
      expect([row.residentsCovered, row.elderlyCovered]).toEqual([f.properties.residentsCovered, f.properties.elderlyCovered]);
    }
    const cityRow = (await call('GET', '/api/city')).body.coverage.find((r: any) => r.category === 'community_service' && r.tier === 10 && r.speed === 'elderly');
    expect(snap.coverage.elderlyCovered).toBe(cityRow.elderlyCovered);
  });

  it('keeps a scenario snapshot as it was when the scenario is edited later, and across a restart', async () => {
    const sid = (await call('POST', '/api/scenarios', { name: '方案' })).body.id;
    const { cells } = city.stored;
    const c = cells.elderly.indexOf(Math.max(...cells.elderly));
    await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: cells.lon[c], lat: cells.lat[c], name: '<script>alert(1)</script>' } });
    expect((await call('POST', '/api/published', { name: 'plan-a', title: '方案 A "试行"', scenario: sid, view })).status).toBe(201);
    const before = (await call('GET', '/api/published/plan-a')).body;
    expect(before.scenario).toMatchObject({ id: sid, version: 1 });
    const compare = (await call('GET', `/api/scenarios/${sid}/compare?category=elderly_care&tier=15&speed=elderly`)).body.rows.find((r: any) => r.community === null);
    expect(before.coverage.elderlyCovered).toBeCloseTo(compare.after.elderlyCovered, 6);
    expect(before.stations.find((s: any) => s.added).name).toBe('<script>alert(1)</script>');
    // edit the scenario afterwards: the snapshot does not move
    await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: cells.lon[c] + 0.01, lat: cells.lat[c] } });
    expect((await call('GET', '/api/published/plan-a')).body).toEqual(before);
    // a restarted server (new app on the same database) serves the same snapshot
    const scenarios = await Scenarios.open(city, h.db.conn);
    const restarted = createApp(city, { scenarios, publisher: await Publisher.open(city, h.db.conn, scenarios) });
    expect((await call('GET', '/api/published/plan-a', undefined, restarted)).body).toEqual(before);
    expect((await call('GET', '/api/published', undefined, restarted)).body.published.map((p: any) => p.name)).toEqual(['harbin-baseline', 'plan-a']);
  });

  it('refuses names that try to be paths, a taken name and an unknown scenario; nothing is stored', async () => {
    for (const name of ['../etc/passwd', 'a/b', '..', 'UPPER', '', '%2e%2e', 'x'.repeat(64)]) {
      const r = await call('POST', '/api/published', { name, title: 't', view });
      expect([r.status, r.body.error.param], name).toEqual([400, 'name']);
    }
    expect((await call('GET', '/api/published/..%2F..%2Fetc')).status).toBe(400);
    expect((await call('POST', '/api/published', { name: 'plan-a', title: 't', view })).status).toBe(409);
    expect((await call('POST', '/api/published', { name: 'plan-b', title: 't', scenario: 'nope', view })).status).toBe(404);
    expect((await call('GET', '/api/published')).body.published).toHaveLength(2);
  });

  it('unpublishes: the snapshot is gone', async () => {
    expect((await call('DELETE', '/api/published/plan-a')).status).toBe(200);
    expect((await call('GET', '/api/published/plan-a')).status).toBe(404);
    expect((await call('DELETE', '/api/published/plan-a')).status).toBe(404);
  });
});
