/**
 * Crash safety with the real server as a child process on a Harbin database: killed with SIGKILL in
 * the middle of a burst of edits, in the middle of a facility-list import, and the city build killed
 * in the middle of rewriting the city. Each time the database opens again (the server restarts on
 * it), every acknowledged edit is there, and no half-done import or build is visible.
 */
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellToLatLng } from 'h3-js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/harness.ts';
import { buildHarbin, seeded, type Built } from './helpers/harbin.ts';
import { fingerprint } from './helpers/fingerprint.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
let h: Built;
let server: RunningServer;
let token: string;
/** Centres of populated cells on the walking network: points every add accepts. */
let points: Array<[number, number]>;

beforeAll(async () => {
  h = await buildHarbin();
  const { demand, cellSnap } = h.city;
  const { cells, residents } = demand;
  const rand = seeded(11);
  const ok = cells.flatMap((c, i) => (residents[i] > 0 && cellSnap.edge[i] >= 0 ? [c] : []));
  points = Array.from({ length: 400 }, () => {
    const [lat, lon] = cellToLatLng(ok[Math.floor(rand() * ok.length)]);
    return [lon, lat] as [number, number];
  });
  h.db.close(); // the server opens the file itself
  server = await startServer(h.dbPath);
  token = server.token!;
}, 300_000);
afterAll(async () => {
  await server?.stop();
  h?.dispose();
});

const headers = () => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
async function send(method: string, path: string, body?: unknown, type = 'application/json') {
  const res = await fetch(new URL(path, server.url), { method, headers: { ...headers(), 'content-type': type }, body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

/** SIGKILL the server, wait for it to die, start it again on the same file. */
async function crashAndRestart() {
  const dead = new Promise((done) => server.process.once('exit', done));
  server.process.kill('SIGKILL');
  await dead;
  server = await startServer(h.dbPath);
  // tokens survive: the restarted server makes none and prints none
  expect(server.token).toBeUndefined();
}

describe('crash safety', () => {
  it('keeps every acknowledged edit of a burst cut short by SIGKILL', async () => {
    const sid = (await send('POST', '/api/scenarios', { name: '连发' })).body.id;
    const acked: string[] = [];
    let next = 0;
    let killing = false;
    // four planners editing at once; the kill comes while edits are in flight
    const planner = async () => {
      while (!killing) {
        const name = `burst-${next++}`;
        const [lon, lat] = points[next % points.length];
        try {
          const r = await send('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', lon, lat, name } });
          if (r.status === 200) acked.push(name);
          else throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
        } catch (err) {
          if (!killing) throw err; // after the kill, a refused connection is the expected end
        }
      }
    };
    const planners = Array.from({ length: 4 }, planner);
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 5));
    killing = true;
    await crashAndRestart();
    await Promise.allSettled(planners);

    const scenario = (await send('GET', `/api/scenarios/${sid}`)).body;
    const stations = (await send('GET', `/api/scenarios/${sid}/stations`)).body.features.map((f: any) => f.properties).filter((p: any) => p.added);
    const names = new Set(stations.map((s: any) => s.name));
    expect(acked.filter((n) => !names.has(n))).toEqual([]);
    // what is stored is whole: one edit, one station; at most the requests in flight beyond the acknowledged
    expect(stations).toHaveLength(scenario.editCount);
    expect(scenario.editCount).toBeGreaterThanOrEqual(acked.length);
    expect(scenario.editCount).toBeLessThanOrEqual(acked.length + 4);
    // and the scenario goes on: the next edit, based on the version it reports, is accepted
    const [lon, lat] = points[0];
    expect((await send('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', lon, lat }, baseVersion: scenario.version })).status).toBe(200);
  });

  it('shows an import killed midway either whole or not at all', async () => {
    const sid = (await send('POST', '/api/scenarios', { name: '导入' })).body.id;
    const csv = ['name,lon,lat', ...points.map(([lon, lat], i) => `站点 ${i},${lon},${lat}`)].join('\n');
    const query = `/api/scenarios/${sid}/import?file=list.csv&category=community_service&nameField=name`;
    // how long a whole import takes here, then undo it
    let t = performance.now();
    expect((await send('POST', query, csv, 'text/csv')).status).toBe(200);
    const whole = performance.now() - t;
    expect((await send('POST', `/api/scenarios/${sid}/undo`, {})).status).toBe(200);
    for (const share of [0.3, 0.6, 0.95]) {
      const before = (await send('GET', `/api/scenarios/${sid}`)).body;
      const pending = send('POST', query, csv, 'text/csv').catch(() => null);
      t = performance.now();
      await new Promise((r) => setTimeout(r, whole * share));
      await crashAndRestart();
      const acked = (await pending)?.status === 200;
      const after = (await send('GET', `/api/scenarios/${sid}`)).body;
      const added = (await send('GET', `/api/scenarios/${sid}/stations`)).body.features.filter((f: any) => f.properties.added).length;
      // whole or nothing; and whole when it was acknowledged
      expect([0, points.length], `killed at ${Math.round(performance.now() - t)} ms`).toContain(added);
      // head, not editCount: the undone import before it sits in the redo stack, which a new edit replaces
      expect(after.head - before.head).toBe(added ? 1 : 0);
      if (acked) expect(added).toBe(points.length);
      if (added) expect((await send('POST', `/api/scenarios/${sid}/undo`, {})).status).toBe(200);
    }
  });

  it('leaves the old city or the new one when the build is killed while rewriting it, never a mix', async () => {
    await server.stop(); // the build needs the file to itself
    const build = (db: string) => spawn(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--db', db, '--speed-elderly', '45', '--quiet'], { cwd: root, stdio: 'ignore' });
    const finished = (p: ReturnType<typeof build>) => new Promise<number | null>((done) => p.once('exit', (code) => done(code)));
    const old = JSON.stringify(await fingerprint(h.dbPath));
    // the new city, built whole into a copy, and how long that takes
    const copy = join(h.dir, 'copy.duckdb');
    copyFileSync(h.dbPath, copy);
    let t = performance.now();
    expect(await finished(build(copy))).toBe(0);
    const whole = performance.now() - t;
    const rebuilt = JSON.stringify(await fingerprint(copy));
    expect(rebuilt).not.toBe(old);
    // killed late in the build: while it writes the city (its last second or two), and just before
    for (const share of [0.6, 0.8, 0.9, 0.97]) {
      const p = build(h.dbPath);
      t = performance.now();
      const timer = setTimeout(() => p.kill('SIGKILL'), whole * share);
      const code = await finished(p);
      clearTimeout(timer);
      const now = JSON.stringify(await fingerprint(h.dbPath));
      expect([old, rebuilt], `killed after ${Math.round(performance.now() - t)} ms of ${Math.round(whole)}`).toContain(now);
      if (code === 0) expect(now).toBe(rebuilt);
    }
    // the server opens what is there, scenarios and all
    server = await startServer(h.dbPath);
    expect((await send('GET', '/api/city')).status).toBe(200);
    expect((await send('GET', '/api/scenarios')).body.scenarios.map((x: any) => x.name)).toEqual(['连发', '导入']);
  });
});
