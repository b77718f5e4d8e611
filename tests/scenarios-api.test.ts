/**
 * The /api/scenarios routes in process on the real Harbin database: edits answered with their
 * delta, compare against the baseline, undo and redo, versions, a restart replaying the stored
 * log, and bad edits refused with the scenario unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import { CityContext } from '../server/context.ts';
import { Scenarios } from '../server/scenarios.ts';
import { harbinApp, type Built } from './helpers/harbin.ts';

let h: Built;
let city: CityContext;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  ({ h, city, app } = await harbinApp({ scenarios: true }));
});
afterAll(() => h?.dispose());

async function call(method: string, path: string, body?: unknown, on = app) {
  const res = await on.request(path, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as any };
}

/** A populated cell's centre (the densest one), where a new elderly-care station gains people. */
function densest(): { lon: number; lat: number } {
  const { cells } = city.stored;
  let best = 0;
  for (let c = 1; c < cells.h3.length; c++) if (cells.elderly[c] > cells.elderly[best]) best = c;
  return { lon: cells.lon[best], lat: cells.lat[best] };
}

describe('scenarios over the API', () => {
  let id: string;

  it('creates a scenario at version 0 with nothing to undo', async () => {
    const { status, body } = await call('POST', '/api/scenarios', { name: '道里区养老站 第一稿' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: '道里区养老站 第一稿', version: 0, head: 0, editCount: 0, canUndo: false, canRedo: false });
    id = body.id;
    const list = await call('GET', '/api/scenarios');
    expect(list.body.scenarios.map((s: { id: string }) => s.id)).toContain(id);
  });

  it('adds a station and answers with the delta that compare then shows', async () => {
    const { status, body } = await call('POST', `/api/scenarios/${id}/edits`, { edit: { op: 'add', category: 'elderly_care', ...densest(), name: '<b>新站</b>', capacity: 30 }, baseVersion: 0 });
    expect(status).toBe(200);
    expect(body.scenario).toMatchObject({ version: 1, head: 1, canUndo: true });
    const city15 = body.delta.find((r: any) => r.category === 'elderly_care' && r.tier === 15 && r.speed === 'elderly' && r.community === null);
    // Harbin has no elderly care at all: everything is a gain
    expect(city15.elderlyGained).toBeGreaterThan(0);
    expect(city15.elderlyLost).toBe(0);
    const cmp = await call('GET', `/api/scenarios/${id}/compare?category=elderly_care&tier=15&speed=elderly`);
    const row = cmp.body.rows.find((r: any) => r.community === null);
    expect(row.before.elderlyCovered).toBe(0);
    expect(row.after.elderlyCovered).toBeCloseTo(city15.elderlyGained, 1);
    // per community: the gains add up to the city's
    const perCommunity = body.delta.filter((r: any) => r.category === 'elderly_care' && r.tier === 15 && r.speed === 'elderly' && r.community !== null);
    const sum = perCommunity.reduce((a: number, r: any) => a + r.elderlyGained, 0);
    expect(sum).toBeCloseTo(city15.elderlyGained, 0);
    // the station is listed, its name as given (text, not markup)
    const st = await call('GET', `/api/scenarios/${id}/stations`);
    const added = st.body.features.find((f: any) => f.properties.added);
    expect(added.properties).toMatchObject({ id: 'new-1', name: '<b>新站</b>', category: 'elderly_care', capacity: 30, open: true });
    expect(st.body.features).toHaveLength(city.stored.facilities.length + 1);
  });

  it('refuses a stale version with 409 and the current one, changing nothing', async () => {
    const { status, body } = await call('POST', `/api/scenarios/${id}/edits`, { edit: { op: 'remove', station: 'new-1' }, baseVersion: 0 });
    expect(status).toBe(409);
    expect(body.error.param).toBe('baseVersion');
    expect(body.error.message).toMatch(/version 1/);
    expect((await call('GET', `/api/scenarios/${id}`)).body).toMatchObject({ version: 1, head: 1, editCount: 1 });
  });

  it('refuses bad edits naming the problem, scenario unchanged', async () => {
    const [w, s] = city.bbox;
    const cases: Array<[unknown, number, string]> = [
      [{ op: 'remove', station: 'node/0' }, 404, 'edit.station'],
      [{ op: 'add', category: 'elderly_care', lon: w - 1, lat: s + 0.01 }, 400, 'edit.lon'],
      [{ op: 'add', category: 'casino', ...densest() }, 400, 'edit.category'],
      [{ op: 'add', category: 'elderly_care', lon: 'x', lat: 45.7 }, 400, 'edit.lon'],
      [{ op: 'teleport', station: 'new-1' }, 400, 'edit.op'],
      [{ op: 'capacity', station: 'new-1', capacity: -5 }, 400, 'edit.capacity'],
      [{ op: 'reopen', station: 'new-1' }, 409, 'edit.station'],
    ];
    for (const [edit, status, param] of cases) {
      const res = await call('POST', `/api/scenarios/${id}/edits`, { edit });
      expect([res.status, res.body.error?.param], JSON.stringify(edit)).toEqual([status, param]);
    }
    expect((await call('POST', `/api/scenarios/nope-404/edits`, { edit: { op: 'remove', station: 'x' } })).status).toBe(404);
    expect((await call('GET', `/api/scenarios/${id}`)).body).toMatchObject({ version: 1, head: 1, editCount: 1 });
  });

  it('undoes and redoes with mirrored deltas', async () => {
    const undo = await call('POST', `/api/scenarios/${id}/undo`, {});
    expect(undo.status).toBe(200);
    expect(undo.body.scenario).toMatchObject({ version: 2, head: 0, canUndo: false, canRedo: true });
    const lost = undo.body.delta.find((r: any) => r.category === 'elderly_care' && r.tier === 15 && r.speed === 'elderly' && r.community === null);
    const cmp = await call('GET', `/api/scenarios/${id}/compare?category=elderly_care&tier=15&speed=elderly`);
    expect(cmp.body.rows.find((r: any) => r.community === null).after.elderlyCovered).toBe(0);
    expect((await call('POST', `/api/scenarios/${id}/undo`, {})).status).toBe(409);
    const redo = await call('POST', `/api/scenarios/${id}/redo`, {});
    expect(redo.body.scenario).toMatchObject({ version: 3, head: 1, canRedo: false });
    const gained = redo.body.delta.find((r: any) => r.category === 'elderly_care' && r.tier === 15 && r.speed === 'elderly' && r.community === null);
    expect(gained.elderlyGained).toBe(lost.elderlyLost);
  });

  it('previews an edit without applying it', async () => {
    const p = await call('POST', `/api/scenarios/${id}/preview`, { edit: { op: 'close', station: 'new-1' } });
    expect(p.status).toBe(200);
    expect(p.body.delta.some((r: any) => r.elderlyLost > 0)).toBe(true);
    expect((await call('GET', `/api/scenarios/${id}`)).body).toMatchObject({ version: 3, head: 1 });
    const cmp = await call('GET', `/api/scenarios/${id}/compare?category=elderly_care&tier=15&speed=elderly`);
    expect(cmp.body.rows.find((r: any) => r.community === null).after.elderlyCovered).toBeGreaterThan(0);
  });

  it('keeps every stored edit across a restart: a fresh server replays the log to the same coverage', async () => {
    await call('POST', `/api/scenarios/${id}/edits`, { edit: { op: 'move', station: 'new-1', lon: densest().lon + 0.003, lat: densest().lat } });
    const before = await call('GET', `/api/scenarios/${id}/compare`);
    const restarted = createApp(city, { scenarios: await Scenarios.open(city, h.db.conn) });
    const after = await call('GET', `/api/scenarios/${id}/compare`, undefined, restarted);
    expect(after.body.rows).toEqual(before.body.rows);
    expect(after.body.scenario).toMatchObject({ version: 4, head: 2, editCount: 2 });
  });

  it('suggests sites whose coverage, once added, is exactly what it promised', async () => {
    const fresh = (await call('POST', '/api/scenarios', { name: 'siting' })).body.id;
    const req = { category: 'elderly_care', tier: 15, speed: 'elderly', weight: 'elderly', problem: { kind: 'max-cover', p: 3 } };
    const { status, body } = await call('POST', `/api/scenarios/${fresh}/suggest`, req);
    expect(status).toBe(200);
    expect(body.proposals).toHaveLength(3);
    expect(body.covered).toBeCloseTo(body.proposals.reduce((a: number, p: any) => a + p.gain, 0), 6);
    expect(body.demand.coveredBefore).toBe(0); // no elderly care in Harbin
    for (const p of body.proposals) {
      const res = await call('POST', `/api/scenarios/${fresh}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: p.lon, lat: p.lat } });
      expect(res.status).toBe(200);
    }
    const cmp = await call('GET', `/api/scenarios/${fresh}/compare?category=elderly_care&tier=15&speed=elderly`);
    expect(cmp.body.rows.find((r: any) => r.community === null).after.elderlyCovered).toBeCloseTo(body.covered, 6);
    // with the three added, a new suggestion starts from their coverage
    const again = await call('POST', `/api/scenarios/${fresh}/suggest`, { ...req, problem: { kind: 'max-cover', p: 1 } });
    expect(again.body.demand.coveredBefore).toBeCloseTo(body.covered, 6);
  });

  it('solves a small siting exactly with HiGHS and reports the greedy gap', async () => {
    const { cells } = city.stored;
    const some = [...cells.elderly.keys()].filter((c) => cells.elderly[c] > 200).slice(0, 8).map((c) => ({ lon: cells.lon[c], lat: cells.lat[c] }));
    const { status, body } = await call('POST', `/api/scenarios/${id}/suggest`, { category: 'health', tier: 5, speed: 'elderly', problem: { kind: 'max-cover', p: 2 }, candidates: some, exactSeconds: 30 });
    expect(status).toBe(200);
    expect(body.exact.status).toBe('optimal');
    expect(body.exact.objective).toBeGreaterThanOrEqual(body.covered - 1e-6);
    expect(body.exact.gap).toBeGreaterThanOrEqual(-1e-9);
    expect(body.exact.gap).toBeCloseTo((body.exact.bound - body.covered) / body.exact.bound, 9);
  });

  it('leaves candidates in water and parks out when asked', async () => {
    const req = { category: 'school', tier: 5, speed: 'general', weight: 'residents', problem: { kind: 'max-cover', p: 5 } };
    const all = await call('POST', `/api/scenarios/${id}/suggest`, req);
    const dry = await call('POST', `/api/scenarios/${id}/suggest`, { ...req, excludeLanduse: ['water', 'green'] });
    const [counts] = await h.rows<{ all: number; dry: number }>(
      'SELECT count(*) FILTER (WHERE residents > 0 AND reachable) AS all, count(*) FILTER (WHERE residents > 0 AND reachable AND landuse IS NULL) AS dry FROM cells',
    );
    expect([all.body.candidates, dry.body.candidates]).toEqual([counts.all, counts.dry]);
    expect(counts.dry).toBeLessThan(counts.all);
    const landuse = await h.rows<{ h3_id: string; landuse: string | null }>('SELECT h3_id, landuse FROM cells');
    const of = new Map(landuse.map((r) => [r.h3_id, r.landuse]));
    for (const p of dry.body.proposals) expect(of.get(p.h3)).toBeNull();
    expect((await call('POST', `/api/scenarios/${id}/suggest`, { ...req, excludeLanduse: ['lava'] })).body.error.param).toBe('excludeLanduse.0');
  });

  it('keeps answering other requests while HiGHS solves (in a worker thread)', async () => {
    const req = { category: 'elderly_care', tier: 15, speed: 'elderly', problem: { kind: 'max-cover', p: 20 }, exactSeconds: 3 };
    let solved = 0;
    const solving = call('POST', `/api/scenarios/${id}/suggest`, req).then((r) => ((solved = performance.now()), r));
    // let the handler build the instance and hand the solve over
    await new Promise((r) => setTimeout(r, 50));
    const city = await call('GET', '/api/city');
    const answered = performance.now();
    expect(city.status).toBe(200);
    const { body } = await solving;
    expect(body.exact.seconds).toBeGreaterThan(1);
    expect(answered).toBeLessThan(solved);
  });

  it('refuses siting requests it cannot answer, naming the field', async () => {
    const base = { category: 'elderly_care', tier: 15, speed: 'elderly' };
    const two = [densest(), { lon: densest().lon + 0.01, lat: densest().lat }];
    const cases: Array<[unknown, number, string]> = [
      [{ ...base, problem: { kind: 'max-cover', p: 0 } }, 400, 'problem.p'],
      [{ ...base, problem: { kind: 'max-cover', p: 3 }, candidates: two }, 400, 'problem.p'],
      [{ ...base, problem: { kind: 'set-cover', targetShare: 1 } }, 422, 'problem.targetShare'],
      [{ ...base, tier: 7, problem: { kind: 'max-cover', p: 1 } }, 400, 'tier'],
      [{ ...base, problem: { kind: 'anneal', p: 1 } }, 400, 'problem.kind'],
    ];
    for (const [req, status, param] of cases) {
      const res = await call('POST', `/api/scenarios/${id}/suggest`, req);
      expect([res.status, res.body.error?.param], JSON.stringify(req)).toEqual([status, param]);
    }
  });

  it('skips, and reports, stored edits a rebuilt city no longer accepts; undo is then refused', async () => {
    const sid = (await call('POST', '/api/scenarios', { name: 'old city' })).body.id;
    // as if the city were rebuilt without this station after the edit was stored
    await h.db.conn.run(`INSERT INTO scenario_edits VALUES ('${sid}', 0, '{"op":"remove","station":"node/1"}')`);
    await h.db.conn.run(`UPDATE scenarios SET head = 1, version = 1 WHERE scenario_id = '${sid}'`);
    const fresh = createApp(city, { scenarios: await Scenarios.open(city, h.db.conn) });
    const got = await call('GET', `/api/scenarios/${sid}`, undefined, fresh);
    expect(got.status).toBe(200);
    expect(got.body.skipped).toEqual(['edit 1: edit.station: no station "node/1" in this scenario']);
    const undo = await call('POST', `/api/scenarios/${sid}/undo`, {}, fresh);
    expect([undo.status, undo.body.error.param]).toEqual([409, 'scenario']);
    // new edits still apply
    expect((await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'health', ...densest() } }, fresh)).status).toBe(200);
  });

  it("gives a fresh scenario's cell distances as /api/cells gives them, up to the walkshed reach", async () => {
    const sid = (await call('POST', '/api/scenarios', { name: 'cells' })).body.id;
    const baseline = (await call('GET', '/api/cells')).body as { h3: string[]; distM: Record<string, Array<number | null>> };
    const { status, body } = await call('GET', `/api/scenarios/${sid}/cells`);
    expect(status).toBe(200);
    // the longest tier at the fastest speed: 15 min × 67 m/min
    expect(body.reachM).toBe(15 * 67);
    expect(Object.keys(body.distM).sort()).toEqual(Object.keys(baseline.distM).sort());
    let within = 0;
    for (const [category, base] of Object.entries(baseline.distM)) {
      const got = body.distM[category] as Array<number | null>;
      expect(got).toHaveLength(baseline.h3.length);
      for (let i = 0; i < base.length; i++) {
        const b = base[i];
        if (b !== null && b <= body.reachM - 1) {
          within++;
          // the same walk, reached as a station's walkshed or as the build's nearest search
          expect(got[i], `${category} cell ${i}`).toBe(b);
        } else if (b === null || b > body.reachM + 1) {
          expect(got[i], `${category} cell ${i}`).toBeNull();
        }
      }
    }
    expect(within).toBeGreaterThan(10_000);
    // one category only, on request
    const one = await call('GET', `/api/scenarios/${sid}/cells?category=health`);
    expect(Object.keys(one.body.distM)).toEqual(['health']);
    expect(one.body.distM.health).toEqual(body.distM.health);
    expect((await call('GET', `/api/scenarios/${sid}/cells?category=casino`)).body.error.param).toBe('category');
    expect((await call('GET', '/api/scenarios/nope-404/cells')).status).toBe(404);
  });

  it("gives, after an add, the new station's walk to the cells it reaches and nothing more", async () => {
    const sid = (await call('POST', '/api/scenarios', { name: 'cells after an add' })).body.id;
    const at = densest();
    expect((await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'add', category: 'elderly_care', ...at } })).status).toBe(200);
    const { body } = await call('GET', `/api/scenarios/${sid}/cells?category=elderly_care`);
    // the walkshed of the same point to the same reach (general speed, 15 min), walked by /api/walkshed
    const shed = (await call('GET', `/api/walkshed?lon=${at.lon}&lat=${at.lat}&speed=general&minutes=15`)).body as { h3: string[]; distM: number[] };
    const expected = new Map(shed.h3.map((h, i) => [h, shed.distM[i]]));
    const { h3 } = city.stored.cells;
    let reached = 0;
    for (let i = 0; i < h3.length; i++) {
      const d = expected.get(h3[i]);
      // Harbin has no elderly care: only the new station reaches anyone
      if (d === undefined) expect(body.distM.elderly_care[i]).toBeNull();
      else {
        reached++;
        expect(Math.abs(body.distM.elderly_care[i] - d)).toBeLessThanOrEqual(0.51);
      }
    }
    expect(reached).toBeGreaterThan(20);
  });

  it('lists the scenario routes in the OpenAPI document', async () => {
    const { body } = await call('GET', '/api/openapi.json');
    expect(Object.keys(body.paths).filter((p) => p.startsWith('/scenarios')).sort()).toEqual([
      '/scenarios', '/scenarios/{id}', '/scenarios/{id}/cells', '/scenarios/{id}/compare', '/scenarios/{id}/edits', '/scenarios/{id}/import', '/scenarios/{id}/joint', '/scenarios/{id}/preview',
      '/scenarios/{id}/redo', '/scenarios/{id}/stations', '/scenarios/{id}/suggest', '/scenarios/{id}/undo',
    ]);
  });

  it('renames and deletes', async () => {
    expect((await call('PATCH', `/api/scenarios/${id}`, { name: '  ' })).status).toBe(400);
    const r = await call('PATCH', `/api/scenarios/${id}`, { name: '第二稿', baseVersion: 4 });
    expect(r.body).toMatchObject({ name: '第二稿', version: 5 });
    expect((await call('DELETE', `/api/scenarios/${id}`)).status).toBe(200);
    expect((await call('GET', `/api/scenarios/${id}`)).status).toBe(404);
    const [n] = await h.rows<{ n: number }>(`SELECT count(*) AS n FROM scenario_edits WHERE scenario_id = '${id}'`);
    expect(n.n).toBe(0);
  });
});

describe('a change reaches the model only once it is stored', () => {
  const add = () => ({ op: 'add' as const, category: 'elderly_care', ...densest() });
  const added = async (s: Scenarios, id: string) => [...(await s.current(id)).model.stations.values()].filter((st) => st.added).map((st) => st.id);

  it('answers reads and previews at once from the stored state while a change is being written', async () => {
    const s = await Scenarios.open(city, h.db.conn);
    const { id } = await s.create('写入中');
    await s.current(id); // the model is built in turn with changes; from then on reads take it as it is
    let written = false;
    const writing = s.edit(id, add()).then((r) => ((written = true), r));
    const during = await s.current(id);
    const preview = await s.preview(id, add());
    expect([written, during.scenario.version, await added(s, id), preview.length > 0]).toEqual([false, 0, [], true]);
    const { scenario } = await writing;
    expect([scenario.version, await added(s, id), (await s.preview(id, add())).length]).toEqual([1, ['new-1'], 0]);
  });

  it('keeps the stations in their order when a move is previewed or made', async () => {
    const s = await Scenarios.open(city, h.db.conn);
    const { id } = await s.create('顺序');
    await s.edit(id, add());
    await s.edit(id, { ...add(), lon: densest().lon + 0.003 });
    const order = async () => [...(await s.current(id)).model.stations.keys()];
    const before = await order();
    const first = before.find((k) => !k.startsWith('new-'))!;
    await s.preview(id, { op: 'move', station: 'new-1', lon: densest().lon + 0.001, lat: densest().lat });
    await s.preview(id, { op: 'close', station: first });
    await s.edit(id, { op: 'move', station: 'new-1', lon: densest().lon + 0.001, lat: densest().lat });
    expect(await order()).toEqual(before);
  });

  it('puts a removed station or an unmerged joint community back where it stood, on undo and after a preview', async () => {
    const s = await Scenarios.open(city, h.db.conn);
    const { id } = await s.create('还原');
    await s.edit(id, add());
    const units = city.stored.units.map((u) => u.id);
    await s.edit(id, { op: 'merge', units: units.slice(0, 2), name: '甲', override: true });
    await s.edit(id, { op: 'merge', units: units.slice(2, 4), name: '乙', override: true });
    const order = async () => {
      const { model } = await s.current(id);
      return [[...model.stations.keys()], [...model.joints.keys()]];
    };
    const before = await order();
    const [stations, joints] = before;
    // a baseline station in the middle of the list, and the first joint: each would land last if re-inserted
    const middle = stations[Math.floor(stations.length / 2)];
    await s.preview(id, { op: 'remove', station: middle });
    await s.preview(id, { op: 'unmerge', joint: joints[0] });
    expect(await order()).toEqual(before);
    await s.edit(id, { op: 'remove', station: middle });
    expect((await order())[0]).toEqual(stations.filter((k) => k !== middle));
    await s.undo(id);
    await s.edit(id, { op: 'unmerge', joint: joints[0] });
    expect((await order())[1]).toEqual(joints.slice(1));
    await s.undo(id);
    expect(await order()).toEqual(before);
  });

  it('stores names with quotes, backslashes and SQL in them exactly, as a restart reads them', async () => {
    const s = await Scenarios.open(city, h.db.conn);
    const tricky = ["O'Brien 社区站", "'); DROP TABLE scenarios; --", 'C:\\站\\n\'', '\'\'\'', '🙂 𠀀 e\u0301'];
    const { id } = await s.create('引号');
    for (const name of tricky) await s.edit(id, { ...add(), name });
    await s.rename(id, tricky[1]);
    const restarted = await Scenarios.open(city, h.db.conn);
    const names = [...(await restarted.current(id)).model.stations.values()].filter((st) => st.added).map((st) => st.name);
    expect([names, (await restarted.info(id)).name]).toEqual([tricky, tricky[1]]);
  });

  it('keeps nothing of a change whose write fails: the store is as before, and the model is read from it again', async () => {
    const conn = await h.db.instance.connect();
    const s = await Scenarios.open(city, conn);
    const { id } = await s.create('写不进');
    await s.edit(id, add());
    conn.closeSync(); // every later write on it fails
    await expect(s.edit(id, { ...add(), lon: densest().lon + 0.002 })).rejects.toThrow();
    await expect(s.current(id)).rejects.toThrow('connection disconnected'); // not answered from memory
    const restarted = await Scenarios.open(city, h.db.conn);
    expect([await added(restarted, id), (await restarted.info(id)).version]).toEqual([['new-1'], 1]);
  });
});
