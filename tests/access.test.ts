/**
 * Who may change what, on Harbin through the HTTP app with tokens on: reading is open, every change
 * needs a valid token (none, malformed, unknown and revoked → 401), stale versions get 409 with the
 * current one, bodies and uploads have size limits (413), names that look like paths are refused
 * (400), other sites' pages may not change anything (CORS and Origin), and facility-list imports
 * land whole or not at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tokens } from '../server/auth.ts';
import { harbinApp, type Built } from './helpers/harbin.ts';

let h: Built;
let app: Awaited<ReturnType<typeof harbinApp>>['app'];
let city: Awaited<ReturnType<typeof harbinApp>>['city'];
let tokens: Tokens;
let token: string;
let sid: string;
beforeAll(async () => {
  const made = await harbinApp({ publisher: true, tokens: true, corsOrigins: ['https://plan.example.org'], maxBodyBytes: 64 * 1024, maxUploadBytes: 256 * 1024, maxUploadFeatures: 50 });
  ({ h, app, city } = made);
  tokens = made.tokens!;
  token = (await tokens.create('tests')).token;
});
afterAll(() => h?.dispose());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await app.request(path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
}
const auth = (t = token) => ({ Authorization: `Bearer ${t}` });

describe('access', () => {
  it('opens every read to everyone, tokens or not', async () => {
    for (const path of ['/api/city', '/api/cells', '/api/communities', '/api/scenarios', '/api/published', '/api/compliance']) {
      expect((await call('GET', path)).status, path).toBe(200);
    }
    // a read-only check may be asked by anyone too
    const units = city.stored.units.slice(0, 2).map((u) => u.id);
    expect((await call('POST', '/api/joint/check', { units })).status).toBe(200);
  });

  it('refuses every change without a valid token (401), and lets the same change through with one', async () => {
    const changes: Array<[string, string, unknown]> = [
      ['POST', '/api/scenarios', { name: 'x' }],
      ['POST', '/api/published', { name: 'p', title: 't', view: { category: 'elderly_care', tier: 15, speed: 'elderly' } }],
      ['DELETE', '/api/published/p', undefined],
      ['POST', '/api/tokens', { label: 'x' }],
      ['GET', '/api/tokens', undefined],
    ];
    const forged = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    for (const [method, path, body] of changes) {
      for (const headers of [{}, { Authorization: 'Bearer nonsense' }, { Authorization: token }, auth(forged), auth('lc_000000000000_' + 'x'.repeat(43))]) {
        const r = await call(method, path, body, headers);
        expect([r.status, r.body.error?.param], `${method} ${path} ${JSON.stringify(headers)}`).toEqual([401, 'authorization']);
        expect(r.headers.get('www-authenticate')).toBe('Bearer realm="lifecircle"');
      }
    }
    expect((await call('GET', '/api/scenarios')).body.scenarios).toEqual([]);
    const made = await call('POST', '/api/scenarios', { name: '方案' }, auth());
    expect(made.status).toBe(201);
    sid = made.body.id;
  });

  it('refuses a revoked token from the next request on; others keep working', async () => {
    const other = await call('POST', '/api/tokens', { label: '王工' }, auth());
    expect(other.status).toBe(201);
    expect(other.body.token).toMatch(/^lc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const list = (await call('GET', '/api/tokens', undefined, auth())).body.tokens;
    expect(list.map((t: any) => t.label)).toEqual(['tests', '王工']);
    // The secret is everything after 'lc_<id>_'; it may itself hold '_', so cut by position, not by '_'.
    expect(JSON.stringify(list)).not.toContain(other.body.token.slice('lc_000000000000_'.length));
    expect((await call('PATCH', `/api/scenarios/${sid}`, { name: '改名' }, auth(other.body.token))).status).toBe(200);
    expect((await call('DELETE', `/api/tokens/${other.body.id}`, undefined, auth())).status).toBe(200);
    expect((await call('PATCH', `/api/scenarios/${sid}`, { name: '再改' }, auth(other.body.token))).status).toBe(401);
    expect((await call('DELETE', `/api/tokens/${other.body.id}`, undefined, auth())).status).toBe(404);
    expect((await call('PATCH', `/api/scenarios/${sid}`, { name: '方案' }, auth())).status).toBe(200);
  });

  it('answers a change based on a stale version with 409 and the current version, changing nothing', async () => {
    const { cells } = city.stored;
    const c = cells.residents.indexOf(Math.max(...cells.residents));
    const edit = { op: 'add', category: 'elderly_care', lon: cells.lon[c], lat: cells.lat[c] };
    const current = (await call('GET', `/api/scenarios/${sid}`)).body.version;
    expect((await call('POST', `/api/scenarios/${sid}/edits`, { edit, baseVersion: current }, auth())).status).toBe(200);
    // a second planner still holding `current`
    const stale = await call('POST', `/api/scenarios/${sid}/edits`, { edit, baseVersion: current }, auth());
    expect([stale.status, stale.body.error.param, stale.body.error.currentVersion]).toEqual([409, 'baseVersion', current + 1]);
    expect((await call('GET', `/api/scenarios/${sid}`)).body).toMatchObject({ version: current + 1, editCount: 1 });
  });

  it('refuses bodies over the limit with 413, before reading them', async () => {
    const big = { name: 'x'.repeat(70 * 1024) };
    const r = await call('POST', '/api/scenarios', big, auth());
    expect([r.status, r.body.error.param]).toEqual([413, 'body']);
    expect(r.body.error.message).toBe(`request body larger than ${64 * 1024} bytes`);
  });

  it('refuses names that try to be paths with 400', async () => {
    for (const [method, path] of [
      ['GET', '/api/scenarios/..%2F..%2Fetc'], ['POST', '/api/scenarios/..%2Fx/edits'], ['GET', '/api/published/..%2F..%2Fetc'],
      ['DELETE', '/api/tokens/..%2Fx'], ['GET', '/p/..%2F..%2Fpackage.json/index.html'], ['GET', '/p/x/..%2Fsecret'],
    ] as const) {
      const r = await call(method, path, method === 'POST' ? { edit: { op: 'remove', station: 'x' } } : undefined, auth());
      expect(r.status, `${method} ${path}`).toBe(400);
    }
    const r = await call('POST', `/api/scenarios/${sid}/import?file=..%2F..%2Fetc%2Fpasswd&category=elderly_care`, 'lon,lat\n126.6,45.7\n', { ...auth(), 'Content-Type': 'text/csv' });
    expect([r.status, r.body.error.param]).toEqual([400, 'file']);
  });

  it("lets other sites' pages change nothing: no CORS grant, and their changes are refused (403)", async () => {
    const pre = await app.request('/api/scenarios', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const evil = await call('POST', '/api/scenarios', { name: 'x' }, { ...auth(), Origin: 'https://evil.example' });
    expect([evil.status, evil.body.error.param]).toEqual([403, 'origin']);
    // the app's own origin and a configured one may
    expect((await call('PATCH', `/api/scenarios/${sid}`, { name: '方案' }, { ...auth(), Origin: 'http://localhost' })).status).toBe(200);
    const ok = await app.request('/api/city', { headers: { Origin: 'https://plan.example.org' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://plan.example.org');
    expect((await call('PATCH', `/api/scenarios/${sid}`, { name: '方案' }, { ...auth(), Origin: 'https://plan.example.org' })).status).toBe(200);
  });
});

describe('facility-list imports', () => {
  const { lonOf, latOf } = { lonOf: (i: number) => city.stored.cells.lon[i], latOf: (i: number) => city.stored.cells.lat[i] };
  const populated = () => [...city.stored.cells.residents.keys()].filter((c) => city.stored.cells.residents[c] > 200).slice(0, 30);
  const upload = (query: string, body: string | Uint8Array<ArrayBuffer>, type: string, headers: Record<string, string> = auth()) =>
    Promise.resolve(app.request(`/api/scenarios/${sid}/import?${query}`, { method: 'POST', body, headers: { ...headers, 'Content-Type': type } })).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const editCount = async () => (await call('GET', `/api/scenarios/${sid}`)).body.editCount;

  it('adds a CSV list as one edit: every row a station, one undo removes them all', async () => {
    const rows = populated().slice(0, 12);
    const csv = ['名称,lon,lat,床位', ...rows.map((c, i) => `"日间照料中心 ${i + 1}",${lonOf(c)},${latOf(c)},${10 + i}`)].join('\r\n');
    const before = await editCount();
    const r = await upload('file=daycare.csv&category=elderly_care&nameField=%E5%90%8D%E7%A7%B0&capacityField=%E5%BA%8A%E4%BD%8D', csv, 'text/csv');
    expect([r.status, r.body.imported]).toEqual([200, 12]);
    expect(await editCount()).toBe(before + 1);
    const stations = (await call('GET', `/api/scenarios/${sid}/stations`)).body.features.map((f: any) => f.properties).filter((p: any) => r.body.stations.includes(p.id));
    expect(stations.map((p: any) => [p.name, p.capacity])).toEqual(rows.map((_, i) => [`日间照料中心 ${i + 1}`, 10 + i]));
    expect((await call('POST', `/api/scenarios/${sid}/undo`, {}, auth())).status).toBe(200);
    const after = (await call('GET', `/api/scenarios/${sid}/stations`)).body.features.filter((f: any) => r.body.stations.includes(f.properties.id));
    expect(after).toEqual([]);
  });

  it('adds a GeoJSON list the same way', async () => {
    const fc = { type: 'FeatureCollection', features: populated().slice(0, 3).map((c, i) => ({ type: 'Feature', properties: { name: `站 ${i}`, kind: 'elderly_care' }, geometry: { type: 'Point', coordinates: [lonOf(c), latOf(c)] } })) };
    const r = await upload('file=stations.geojson&categoryField=kind', JSON.stringify(fc), 'application/geo+json');
    expect([r.status, r.body.imported]).toEqual([200, 3]);
  });

  it('refuses a bad list whole, naming the row and field, and stores nothing', async () => {
    const rows = populated().slice(0, 5);
    const lines = ['lon,lat', ...rows.map((c) => `${lonOf(c)},${latOf(c)}`)];
    lines[4] = `${lonOf(rows[3])},NaN`; // spreadsheet row 5: the header is row 1
    const before = await editCount();
    const bad = await upload('file=list.csv&category=elderly_care', lines.join('\n'), 'text/csv');
    expect([bad.status, bad.body.error.message]).toEqual([400, 'list.csv, row 5, field "lat": "NaN" is not a number']);
    const outside = await upload('file=list.csv&category=elderly_care', 'lon,lat\n120.1,30.2\n', 'text/csv');
    expect([outside.status, outside.body.error.param]).toEqual([400, 'edit.stations.0.lon']);
    const latin1 = await upload('file=list.csv&category=elderly_care', Uint8Array.from([0x6c, 0x6f, 0x6e, 0x2c, 0x6c, 0x61, 0x74, 0x0a, 0xe9, 0x2c, 0x31, 0x0a]), 'text/csv');
    expect([latin1.status, latin1.body.error.message]).toEqual([400, 'list.csv: the file is not UTF-8 text']);
    expect((await upload('file=x&category=elderly_care', 'hello', 'application/pdf')).status).toBe(415);
    expect(await editCount()).toBe(before);
  });

  it('refuses lists over the size or feature limit (413) and without a token (401)', async () => {
    const c = populated()[0];
    const many = ['lon,lat', ...Array.from({ length: 51 }, () => `${lonOf(c)},${latOf(c)}`)].join('\n');
    const tooMany = await upload('file=many.csv&category=elderly_care', many, 'text/csv');
    expect([tooMany.status, tooMany.body.error.message]).toEqual([413, 'many.csv: 51 facilities, more than the 50 one import may add']);
    const huge = 'lon,lat\n' + `${lonOf(c)},${latOf(c)}\n`.repeat(20_000);
    expect((await upload('file=huge.csv&category=elderly_care', huge, 'text/csv')).status).toBe(413);
    expect((await upload('file=a.csv&category=elderly_care', `lon,lat\n${lonOf(c)},${latOf(c)}\n`, 'text/csv', {})).status).toBe(401);
  });
});
