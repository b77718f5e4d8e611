/**
 * Publishing through the API on Harbin: a snapshot's figures equal the API's (coverage of every
 * category × tier × speed from the build, per community, compliance), its folder holds every
 * download and reads back with independent readers (JSON.parse, a CSV split, hyparquet, unzip,
 * pdftotext), it keeps its figures and bytes when the scenario is edited afterwards and when the
 * server restarts, hostile names stay text in every output, path-like names are refused, and
 * unpublishing removes it with its files.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import { BasemapTiles } from '../server/core/tiles.ts';
import { readBasemap } from '../server/db/basemap.ts';
import { Publisher } from '../server/publish/publisher.ts';
import { acceptsGzip } from '../server/routes/static.ts';
import { Scenarios } from '../server/scenarios.ts';
import { harbinApp, type Built } from './helpers/harbin.ts';

let h: Built;
let app: ReturnType<typeof createApp>;
let city: Awaited<ReturnType<typeof harbinApp>>['city'];
let tmp: string;
beforeAll(async () => {
  ({ h, city, app } = await harbinApp({ publisher: true }));
  tmp = mkdtempSync(join(tmpdir(), 'lifecircle-publish-'));
});
afterAll(() => {
  h?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, on = app) {
  const res = await on.request(path, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as any };
}
async function file(path: string, on = app) {
  const res = await on.request(path);
  return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), bytes: new Uint8Array(await res.arrayBuffer()) };
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** Bytes compared by digest: vitest's deep equality walks a typed array element by element (minutes for MBs). */
const digest = (b: Uint8Array) => `${b.length}:${createHash('sha256').update(b).digest('hex')}`;
/** RFC 4180 rows of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function csvRows(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = s.charCodeAt(0) === 0xfeff ? 1 : 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += ch;
  }
  return rows;
}

const FILES = [
  'index.html', 'viewer.js', 'viewer.css', 'data.js', 'basemap.js', 'snapshot.json', 'ATTRIBUTION.txt',
  'cells.geojson', 'communities.geojson', 'joints.geojson', 'facilities.geojson', 'walksheds.geojson', 'gaps.geojson',
  'cells.csv', 'communities.csv', 'coverage.csv', 'facilities.csv', 'cells.parquet', 'map.png', 'report.pdf', 'report.html',
].sort();

describe('published maps', () => {
  const view = { category: 'elderly_care', tier: 15, speed: 'elderly' };

  it('publishes the baseline with the coverage, per community and compliance the API gives', async () => {
    const r = await call('POST', '/api/published', { name: 'harbin-baseline', title: '哈尔滨 社区服务 10 分钟覆盖', view: { ...view, category: 'community_service', tier: 10 } });
    expect(r.status).toBe(201);
    const snap = (await call('GET', '/api/published/harbin-baseline')).body;
    expect(snap.title).toBe('哈尔滨 社区服务 10 分钟覆盖');
    expect(snap.attribution[0]).toBe('© OpenStreetMap contributors');
    // city-wide: every category × tier × speed equals the build's rows in /api/city
    const cityRows = (await call('GET', '/api/city')).body.coverage;
    expect(snap.coverage).toHaveLength(cityRows.length);
    for (const row of cityRows) {
      const f = snap.coverage.find((x: any) => x.category === row.category && x.tier === row.tier && x.speed === row.speed);
      expect([f.residentsCovered, f.elderlyCovered, f.residents, f.elderly]).toEqual([row.residentsCovered, row.elderlyCovered, row.residents, row.elderly]);
    }
    // per community, for two selections
    for (const q of ['category=community_service&tier=10&speed=elderly', 'category=health&tier=15&speed=general']) {
      const p = new URLSearchParams(q);
      for (const f of (await call('GET', `/api/communities?${q}`)).body.features) {
        const m = snap.communities.find((c: any) => c.id === f.properties.id);
        const fig = m.coverage.find((x: any) => x.category === p.get('category') && x.tier === Number(p.get('tier')) && x.speed === p.get('speed'));
        expect([fig.residentsCovered, fig.elderlyCovered]).toEqual([f.properties.residentsCovered, f.properties.elderlyCovered]);
      }
    }
    // compliance recomputed at the baseline's stations equals the build's findings
    const compliance = (await call('GET', '/api/compliance')).body.communities;
    for (const c of compliance) {
      const m = snap.communities.find((x: any) => x.id === c.id);
      if (c.population === null) {
        expect(m.compliance).toBeNull();
        continue;
      }
      expect(m.compliance.pass).toBe(c.pass);
      expect(m.compliance.findings.map((f: any) => [f.rule, f.pass, f.share ?? f.value])).toEqual(c.findings.map((f: any) => [f.rule, f.pass, f.share ?? f.value]));
      expect(m.compliance.findings.map((f: any) => f.source)).toEqual(c.findings.map((f: any) => ({ document: f.source.document, clause: f.source.clause, label: f.source.label })));
    }
    // gap clusters of the view equal /api/gaps
    const gaps = (await call('GET', '/api/gaps?category=community_service&tier=10&speed=elderly&weight=elderly')).body.features;
    expect(snap.gaps.map((g: any) => [g.cells, g.residents, g.elderly])).toEqual(gaps.map((g: any) => [g.properties.cells, g.properties.residents, g.properties.elderly]));
  });

  it('serves its folder under /p/<name>/ with every download, each reading back as the snapshot says', async () => {
    const list = (await call('GET', '/api/published/harbin-baseline/files')).body;
    expect(list.files.map((f: any) => f.path)).toEqual(FILES);
    const snap = (await call('GET', '/api/published/harbin-baseline')).body;
    const apiCells = (await call('GET', '/api/cells')).body;

    const index = await file('/p/harbin-baseline/');
    expect([index.status, index.type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(index.csp).toContain("script-src 'self' blob:");
    expect(text(index.bytes)).toContain('哈尔滨 社区服务 10 分钟覆盖');
    expect((await file('/p/harbin-baseline/viewer.js')).type).toBe('text/javascript; charset=utf-8');

    const cells = JSON.parse(text((await file('/p/harbin-baseline/cells.geojson')).bytes));
    expect(cells.features).toHaveLength(apiCells.h3.length);
    const i = apiCells.residents.indexOf(Math.max(...apiCells.residents));
    const props = cells.features[i].properties;
    expect([props.h3, props.residents, props.elderly, props.health_m]).toEqual([apiCells.h3[i], apiCells.residents[i], apiCells.elderly[i], apiCells.distM.health[i]]);
    expect(props.health_min_elderly).toBe(apiCells.distM.health[i] === null ? null : Math.round((10 * apiCells.distM.health[i]) / 50) / 10);
    const communities = JSON.parse(text((await file('/p/harbin-baseline/communities.geojson')).bytes));
    expect(communities.features.map((f: any) => f.properties.name)).toEqual(snap.communities.map((c: any) => c.name));
    const facilities = JSON.parse(text((await file('/p/harbin-baseline/facilities.geojson')).bytes));
    expect(facilities.features).toHaveLength((await call('GET', '/api/facilities')).body.features.length);
    const walksheds = JSON.parse(text((await file('/p/harbin-baseline/walksheds.geojson')).bytes));
    expect(walksheds.features.length).toBe(snap.walksheds.length);
    expect(walksheds.features.length).toBeGreaterThan(0);

    // CSV: one row per cell, the header names the columns, the values are the API's
    const rows = csvRows(text((await file('/p/harbin-baseline/cells.csv')).bytes));
    expect(rows).toHaveLength(apiCells.h3.length + 1);
    const col = (name: string) => rows[0].indexOf(name);
    expect([rows[i + 1][col('h3')], Number(rows[i + 1][col('residents')]), rows[i + 1][col('school_m')]]).toEqual([apiCells.h3[i], apiCells.residents[i], String(apiCells.distM.school[i] ?? '')]);
    const coverage = csvRows(text((await file('/p/harbin-baseline/coverage.csv')).bytes));
    const cityRow = coverage.find((r) => r[0] === 'city' && r[3] === 'school' && r[4] === '15' && r[5] === 'general')!;
    const apiRow = (await call('GET', '/api/city')).body.coverage.find((r: any) => r.category === 'school' && r.tier === 15 && r.speed === 'general');
    expect(Number(cityRow[7])).toBe(apiRow.residentsCovered);

    // Parquet read by hyparquet (not DuckDB, which wrote it): H3 ids and values equal /api/cells
    const pq = (await file('/p/harbin-baseline/cells.parquet')).bytes;
    const objects = await parquetReadObjects({ file: pq.buffer.slice(pq.byteOffset, pq.byteOffset + pq.byteLength) as ArrayBuffer });
    expect(objects.map((o) => o.h3)).toEqual(apiCells.h3);
    expect(objects.map((o) => o.residents)).toEqual(apiCells.residents);
    expect(objects.map((o) => o.community_service_m)).toEqual(apiCells.distM.community_service);

    // PNG and PDF signatures (their content is tested in their own suites)
    expect(Array.from((await file('/p/harbin-baseline/map.png')).bytes.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(text((await file('/p/harbin-baseline/report.pdf')).bytes.subarray(0, 5))).toBe('%PDF-');
  });

  it("writes the API's coverage figures and the Chinese title into the PDF", async () => {
    const pdf = join(tmp, 'report.pdf');
    writeFileSync(pdf, (await file('/p/harbin-baseline/report.pdf')).bytes);
    const words = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(words).toContain('哈尔滨 社区服务 10 分钟覆盖');
    expect(words).toContain('© OpenStreetMap contributors');
    const cityRows = (await call('GET', '/api/city')).body.coverage;
    for (const r of cityRows.filter((x: any) => x.category === 'community_service')) {
      expect(words, `${r.tier} ${r.speed}`).toContain(r.residentsCovered.toLocaleString('en'));
      expect(words, `${r.tier} ${r.speed}`).toContain(`${((100 * r.elderlyCovered) / r.elderly).toFixed(1)}%`);
    }
    // pdftoppm renders the first page
    execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', pdf, join(tmp, 'page')]);
    expect(readFileSync(join(tmp, 'page-1.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('zips the folder: unzip gives the served bytes back', async () => {
    const zip = await file('/api/published/harbin-baseline/export.zip');
    expect([zip.status, zip.type]).toEqual([200, 'application/zip']);
    writeFileSync(join(tmp, 'x.zip'), zip.bytes);
    execFileSync('unzip', ['-q', join(tmp, 'x.zip'), '-d', join(tmp, 'unzipped')]);
    for (const name of ['index.html', 'data.js', 'cells.parquet', 'report.pdf']) {
      expect(digest(readFileSync(join(tmp, 'unzipped/harbin-baseline', name))), name).toBe(digest((await file(`/p/harbin-baseline/${name}`)).bytes));
    }
  });

  it('keeps a scenario snapshot as it was when the scenario is edited later, and across a restart', async () => {
    const sid = (await call('POST', '/api/scenarios', { name: '方案' })).body.id;
    const { cells } = city.stored;
    const c = cells.elderly.indexOf(Math.max(...cells.elderly));
    await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: cells.lon[c], lat: cells.lat[c], name: '<script>alert(1)</script>' } });
    await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: cells.lon[c] + 0.02, lat: cells.lat[c], name: "=cmd|' /C calc'!A0" } });
    expect((await call('POST', '/api/published', { name: 'plan-a', title: '方案 A "试行" \'b\' & <c>', scenario: sid, view })).status).toBe(201);
    const before = (await call('GET', '/api/published/plan-a')).body;
    expect(before.scenario).toMatchObject({ id: sid, version: 2 });
    const compare = (await call('GET', `/api/scenarios/${sid}/compare?category=elderly_care&tier=15&speed=elderly`)).body.rows.find((r: any) => r.community === null);
    const fig = before.coverage.find((f: any) => f.category === 'elderly_care' && f.tier === 15 && f.speed === 'elderly');
    expect([fig.residentsCovered, fig.elderlyCovered]).toEqual([compare.after.residentsCovered, compare.after.elderlyCovered]);
    expect(before.stations.filter((s: any) => s.added).map((s: any) => s.name)).toEqual(['<script>alert(1)</script>', "=cmd|' /C calc'!A0"]);
    const bytesBefore = await Promise.all(FILES.map(async (f) => digest((await file(`/p/plan-a/${f}`)).bytes)));
    // edit the scenario afterwards: neither the snapshot nor any file moves
    await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: cells.lon[c] + 0.01, lat: cells.lat[c] } });
    expect((await call('GET', '/api/published/plan-a')).body).toEqual(before);
    // a restarted server (new app on the same database) serves the same snapshot and files
    const scenarios = await Scenarios.open(city, h.db.conn);
    const basemap = await readBasemap(h.db.conn);
    const publisher = await Publisher.open(city, await h.db.instance.connect(), scenarios, { features: basemap, tiles: new BasemapTiles(basemap) });
    const restarted = createApp(city, { scenarios, publisher });
    expect((await call('GET', '/api/published/plan-a', undefined, restarted)).body).toEqual(before);
    const bytesAfter = await Promise.all(FILES.map(async (f) => digest((await file(`/p/plan-a/${f}`, restarted)).bytes)));
    expect(bytesAfter).toEqual(bytesBefore);
    expect((await call('GET', '/api/published', undefined, restarted)).body.published.map((p: any) => p.name)).toEqual(['harbin-baseline', 'plan-a']);
  });

  it('keeps hostile names as text in every output: no markup in the pages, no formula in the CSV', async () => {
    const page = text((await file('/p/plan-a/index.html')).bytes);
    const report = text((await file('/p/plan-a/report.html')).bytes);
    const data = text((await file('/p/plan-a/data.js')).bytes);
    for (const html of [page, report]) {
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).not.toContain('<c>');
      // the only script elements are the page's own files
      for (const m of html.matchAll(/<script\b[^>]*>/gi)) expect(m[0]).toMatch(/^<script\b[^>]*\bsrc="[a-z0-9-]+\.js"[^>]*>$/);
    }
    expect(page).toContain('方案 A &quot;试行&quot; &#39;b&#39; &amp; &lt;c&gt;');
    expect(data).not.toMatch(/<\/?script/i);
    expect(data).toContain('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
    const facilities = JSON.parse(text((await file('/p/plan-a/facilities.geojson')).bytes));
    expect(facilities.features.filter((f: any) => f.properties.added).map((f: any) => f.properties.name)).toEqual(['<script>alert(1)</script>', "=cmd|' /C calc'!A0"]);
    const pdf = join(tmp, 'plan-a.pdf');
    writeFileSync(pdf, (await file('/p/plan-a/report.pdf')).bytes);
    const words = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    expect(words).toContain('方案 A "试行" \'b\' & <c>');
    expect(words).toContain('<script>alert(1)</script>');
  });

  it('writes no formula into a CSV', async () => {
    // a name a spreadsheet would run: written with an apostrophe in front, so it stays text
    const snap = (await call('GET', '/api/published/plan-a')).body;
    expect(snap.stations.some((s: any) => s.name.startsWith('='))).toBe(true);
    const stations = csvRows(text((await file('/p/plan-a/facilities.csv')).bytes));
    const name = stations[0].indexOf('name');
    expect(stations.filter((r) => r[stations[0].indexOf('added')] === 'true').map((r) => r[name])).toEqual(['<script>alert(1)</script>', "'=cmd|' /C calc'!A0"]);
    for (const name of ['cells.csv', 'communities.csv', 'coverage.csv', 'facilities.csv']) {
      const formulas = csvRows(text((await file(`/p/plan-a/${name}`)).bytes)).flat().filter((field) => /^[=+@]/.test(field));
      expect(formulas, name).toEqual([]);
    }
  });

  it('refuses names that try to be paths, a taken name and an unknown scenario; nothing is stored', async () => {
    for (const name of ['../etc/passwd', 'a/b', '..', 'UPPER', '', '%2e%2e', 'x'.repeat(64)]) {
      const r = await call('POST', '/api/published', { name, title: 't', view });
      expect([r.status, r.body.error.param], name).toEqual([400, 'name']);
    }
    expect((await call('GET', '/api/published/..%2F..%2Fetc')).status).toBe(400);
    for (const path of ['/p/..%2F..%2Fetc/index.html', '/p/plan-a/..%2F..%2Fpackage.json', '/p/plan-a/%2e%2e%2fsnapshot.json', '/p/plan-a/.hidden', '/p/plan-a/a%5Cb.js']) {
      const r = await file(path);
      expect(r.status, path).toBe(400);
    }
    expect((await file('/p/plan-a/nope.js')).status).toBe(404);
    expect((await call('POST', '/api/published', { name: 'plan-a', title: 't', view })).status).toBe(409);
    expect((await call('POST', '/api/published', { name: 'plan-b', title: 't', scenario: 'nope', view })).status).toBe(404);
    expect((await call('GET', '/api/published')).body.published).toHaveLength(2);
  });

  it('unpublishes: the snapshot and its files are gone', async () => {
    expect((await call('DELETE', '/api/published/plan-a')).status).toBe(200);
    expect((await call('GET', '/api/published/plan-a')).status).toBe(404);
    expect((await file('/p/plan-a/')).status).toBe(404);
    expect((await call('GET', '/api/published/plan-a/files')).status).toBe(404);
    expect((await call('DELETE', '/api/published/plan-a')).status).toBe(404);
    expect(await h.rows("SELECT count(*)::INTEGER AS n FROM snapshot_files WHERE name = 'plan-a'")).toEqual([{ n: 0 }]);
  });

  it('sends large files gzipped, made once, equal to the stored bytes; a name published again sends its new content', async () => {
    const get = async (path: string, gzip: boolean) => {
      const res = await app.request(path, { headers: gzip ? { 'Accept-Encoding': 'gzip, deflate, br' } : {} });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { encoding: res.headers.get('content-encoding'), vary: res.headers.get('vary'), bytes: res.headers.get('content-encoding') === 'gzip' ? new Uint8Array(gunzipSync(bytes)) : bytes };
    };
    for (const [round, title] of [[1, '甲版地图'], [2, '乙版地图']] as const) {
      expect((await call('POST', '/api/published', { name: 'zipped', title, view })).status).toBe(201);
      const plain = await get('/p/zipped/data.js', false);
      const first = await get('/p/zipped/data.js', true);
      const again = await get('/p/zipped/data.js', true);
      expect([plain.encoding, first.encoding, again.encoding, first.vary]).toEqual([null, 'gzip', 'gzip', 'Accept-Encoding']);
      expect([digest(first.bytes), digest(again.bytes)]).toEqual([digest(plain.bytes), digest(plain.bytes)]);
      const other = round === 1 ? '乙版地图' : '甲版地图';
      expect([text(plain.bytes).includes(title), text(plain.bytes).includes(other)]).toEqual([true, false]);
      const png = await get('/p/zipped/map.png', true);
      expect([png.encoding, Array.from(png.bytes.subarray(0, 4))]).toEqual([null, [0x89, 0x50, 0x4e, 0x47]]);
      expect((await call('DELETE', '/api/published/zipped')).status).toBe(200);
      expect((await file('/p/zipped/data.js')).status).toBe(404);
    }
    const cells = [await get('/api/cells', false), await get('/api/cells', true)];
    expect(cells.map((c) => c.encoding)).toEqual([null, 'gzip']);
    expect(digest(cells[1].bytes)).toBe(digest(cells[0].bytes));
    expect(JSON.parse(text(cells[0].bytes)).h3).toHaveLength(city.stored.cells.h3.length);
  });

  it('reads Accept-Encoding as RFC 9110 does: gzip named or by *, with a q above 0', () => {
    const cases: Array<[string | undefined, boolean]> = [
      ['gzip', true], ['GZIP', true], ['br, gzip;q=0.5', true], ['gzip;q=0', false], ['gzip; q=0.000', false], ['*', true], ['*;q=0', false],
      ['identity', false], ['gzip;q=0, *', false], ['deflate, *;q=0.1', true], ['', false], [undefined, false],
    ];
    expect(cases.map(([h]) => acceptsGzip(h))).toEqual(cases.map(([, want]) => want));
  });
});
