/**
 * Joint communities on Harbin through the API: every suggested joint community satisfies every
 * rule, checked independently — residents summed in SQL, contiguity by an H3 flood fill, and the
 * walk by a fresh walk from the proposed workstation to every populated cell; the same seed gives
 * the same answer; bad requests are refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridDisk } from 'h3-js';
import { area, booleanIntersects, booleanValid, difference, featureCollection, union } from '@turf/turf';
import type { createApp } from '../server/app.ts';
import type { CityContext } from '../server/context.ts';
import { harbinApp, type Built } from './helpers/harbin.ts';

let h: Built;
let city: CityContext;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  ({ h, city, app } = await harbinApp());
});
afterAll(() => h?.dispose());

async function post(path: string, body: unknown) {
  const res = await app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as any };
}

describe('joint communities on Harbin', () => {
  let suggestion: any;
  beforeAll(async () => {
    suggestion = (await post('/api/joint/suggest', { seed: 7 })).body;
  });

  it('places every unit once: in a joint community or listed with a reason', async () => {
    const [n] = await h.rows<{ n: number }>('SELECT count(*) AS n FROM units');
    const placed = suggestion.groups.flatMap((g: any) => g.units.map((u: any) => u.id));
    const left = suggestion.unplaced.map((u: any) => u.unit.id);
    expect(new Set([...placed, ...left]).size).toBe(n.n);
    expect(placed.length + left.length).toBe(n.n);
    expect(suggestion.groups.length).toBeGreaterThan(50);
    for (const u of suggestion.unplaced) expect(['residents_above', 'no_workstation_site', 'below_floor']).toContain(u.reason);
  });

  it('proposes only joint communities that satisfy every rule, checked independently', async () => {
    const units = await h.rows<{ unit_id: string; h3_id: string; residents: number; reachable: boolean }>(
      'SELECT u.unit_id, c.h3_id, c.residents, c.reachable FROM cell_unit JOIN units u USING (unit_idx) JOIN cells c USING (cell_idx)',
    );
    const cellsOf = new Map<string, typeof units>();
    for (const r of units) (cellsOf.get(r.unit_id) ?? cellsOf.set(r.unit_id, []).get(r.unit_id)!).push(r);
    const reachM = 15 * 50;
    for (const g of suggestion.groups) {
      expect(g.pass).toBe(true);
      const cells = g.units.flatMap((u: any) => cellsOf.get(u.id)!);
      const residents = cells.reduce((a: number, c: any) => a + c.residents, 0);
      expect(residents).toBe(g.residents);
      expect(residents).toBeGreaterThanOrEqual(5000);
      expect(residents).toBeLessThanOrEqual(12000);
      // contiguous: a flood fill over H3 neighbours reaches every cell
      const set = new Set(cells.map((c: any) => c.h3_id));
      const first = cells[0].h3_id;
      const seen = new Set([first]);
      const stack = [first];
      while (stack.length) for (const n of gridDisk(stack.pop()!, 1)) if (set.has(n) && !seen.has(n)) (seen.add(n), stack.push(n));
      expect(seen.size).toBe(set.size);
      // the walk: from the proposed workstation to every populated cell on the network
      expect(set.has(g.site.h3)).toBe(true);
      const walk = city.walkFrom(g.site.lon, g.site.lat, reachM)!;
      const reached = new Set(Array.from(walk.cells, (k) => city.stored.cells.h3[k]));
      for (const c of cells) if (c.residents > 0 && c.reachable) expect(reached.has(c.h3_id)).toBe(true);
    }
  });

  it('gives the same answer for the same seed', async () => {
    const again = (await post('/api/joint/suggest', { seed: 7 })).body;
    expect(again.groups.map((g: any) => g.units.map((u: any) => u.id))).toEqual(suggestion.groups.map((g: any) => g.units.map((u: any) => u.id)));
  });

  it('checks a hand merge and names what is at fault', async () => {
    const g = suggestion.groups.find((x: any) => x.units.length >= 2);
    const ok = await post('/api/joint/check', { units: g.units.map((u: any) => u.id) });
    expect(ok.body.pass).toBe(true);
    // two units far apart: not contiguous, the parts named by unit id
    const [u1, u2] = [suggestion.groups[0].units[0].id, suggestion.groups[suggestion.groups.length - 1].units[0].id];
    const bad = await post('/api/joint/check', { units: [u1, u2] });
    expect(bad.body.pass).toBe(false);
    const nc = bad.body.findings.find((f: any) => f.problem === 'not_contiguous');
    expect(nc.parts).toEqual([[u1], [u2]]);
  });

  it('refuses unknown and repeated units, naming them', async () => {
    const id = suggestion.groups[0].units[0].id;
    const twice = await post('/api/joint/check', { units: [id, id] });
    expect([twice.status, twice.body.error.param]).toEqual([400, 'units.1']);
    const unknown = await post('/api/joint/check', { units: ['nowhere/1'] });
    expect([unknown.status, unknown.body.error.param]).toEqual([404, 'units.0']);
    const area = await post('/api/joint/suggest', { communities: ['osm:r0'] });
    expect([area.status, area.body.error.param]).toEqual([404, 'communities.0']);
  });
});

describe('merging by hand in a scenario', () => {
  let sapp: Awaited<ReturnType<typeof harbinApp>>['app'];
  let dispose = () => {};
  let sid: string;
  let pair: string[];
  let outlines: Map<string, any>;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await sapp.request(path, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as any };
  };
  beforeAll(async () => {
    const s = await harbinApp({ scenarios: true });
    sapp = s.app;
    dispose = () => s.h.dispose();
    sid = (await call('POST', '/api/scenarios', { name: '联合社区' })).body.id;
    // two neighbouring units of one sub-district, from the unit outlines
    const units = (await call('GET', '/api/units')).body.features;
    outlines = new Map(units.map((f: any) => [f.properties.id, f]));
    const adjacent = (a: any, b: any) => booleanIntersects(a, b);
    const first = units.find((f: any) => f.properties.derived);
    const second = units.find((f: any) => f !== first && f.properties.communityId === first.properties.communityId && adjacent(f, first));
    pair = [first.properties.id, second.properties.id];
  });

  afterAll(() => dispose());

  it('merges two neighbouring units into one valid polygon whose area is the sum of theirs, equal to the polygon union', async () => {
    const merged = await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'merge', units: pair, name: '第一联合社区' } });
    expect(merged.status).toBe(200);
    const { joints } = (await call('GET', `/api/scenarios/${sid}/joint`)).body;
    expect(joints).toHaveLength(1);
    const j = joints[0];
    expect(j.units.map((u: any) => u.id)).toEqual([...pair].sort((a, b) => (outlines.get(a).id as number) - (outlines.get(b).id as number)));
    expect(j.geometry.coordinates).toHaveLength(1); // one polygon
    const feature = { type: 'Feature', properties: {}, geometry: j.geometry } as any;
    expect(booleanValid(feature)).toBe(true);
    const parts = pair.map((id) => outlines.get(id));
    const sum = parts.reduce((a, f) => a + area(f), 0);
    expect(Math.abs(area(feature) / sum - 1)).toBeLessThan(0.001);
    // the members' polygons dissolved by turf agree with the union of their H3 cells
    const u = union(featureCollection(parts))!;
    expect(Math.abs(area(u) / area(feature) - 1)).toBeLessThan(0.001);
    const diff = difference(featureCollection([u, feature]));
    expect(diff === null || area(diff) / area(feature) < 0.001).toBe(true);
    // residents are the members' own
    expect(j.residents).toBe(parts.reduce((a, f) => a + f.properties.residents, 0));
    expect(j.coverage).toHaveLength(7 * 3 * 2);
    expect(j.tier).toHaveProperty('governingMinutes');
  });

  it('refuses a unit twice, one already merged, unknown units, and non-adjacent ones without the override; nothing changes', async () => {
    const before = (await call('GET', `/api/scenarios/${sid}`)).body;
    const units = (await call('GET', '/api/units')).body.features;
    const far = units.find((f: any) => !booleanIntersects(f, outlines.get(pair[0])) && !booleanIntersects(f, outlines.get(pair[1]))).properties.id;
    const farther = units.find((f: any) => f.properties.id !== far && !booleanIntersects(f, outlines.get(far)) && !pair.includes(f.properties.id)).properties.id;
    const cases: Array<[unknown, number, string]> = [
      [{ op: 'merge', units: [far, far] }, 400, 'edit.units.1'],
      [{ op: 'merge', units: [pair[0], far] }, 409, 'edit.units.0'],
      [{ op: 'merge', units: [far, 'nowhere/9'] }, 404, 'edit.units.1'],
      [{ op: 'merge', units: [far, farther] }, 400, 'edit.units'],
      [{ op: 'merge', units: [far] }, 400, 'edit.units'],
      [{ op: 'unmerge', joint: 'joint-99' }, 404, 'edit.joint'],
    ];
    for (const [edit, status, param] of cases) {
      const r = await call('POST', `/api/scenarios/${sid}/edits`, { edit });
      expect([r.status, r.body.error?.param], JSON.stringify(edit)).toEqual([status, param]);
    }
    expect((await call('GET', `/api/scenarios/${sid}`)).body).toMatchObject({ version: before.version, head: before.head });
    // with the override, the merge is allowed but flagged, naming the parts
    const forced = await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'merge', units: [far, farther], override: true } });
    expect(forced.status).toBe(200);
    const j = (await call('GET', `/api/scenarios/${sid}/joint`)).body.joints.find((x: any) => x.units.some((u: any) => u.id === far));
    expect(j.pass).toBe(false);
    expect(j.findings.find((f: any) => f.problem === 'not_contiguous').parts.flat().sort()).toEqual([far, farther].sort());
  });

  it('keeps merges, renames and unmerges in the history: undo brings a merge back', async () => {
    const joints = (await call('GET', `/api/scenarios/${sid}/joint`)).body.joints;
    const first = joints.find((j: any) => j.name === '第一联合社区');
    expect((await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'rename-joint', joint: first.id, name: '道里联合社区' } })).status).toBe(200);
    expect((await call('POST', `/api/scenarios/${sid}/edits`, { edit: { op: 'unmerge', joint: first.id } })).status).toBe(200);
    expect((await call('GET', `/api/scenarios/${sid}/joint`)).body.joints.some((j: any) => j.id === first.id)).toBe(false);
    await call('POST', `/api/scenarios/${sid}/undo`, {});
    const back = (await call('GET', `/api/scenarios/${sid}/joint`)).body.joints.find((j: any) => j.id === first.id);
    expect(back.name).toBe('道里联合社区');
    await call('POST', `/api/scenarios/${sid}/undo`, {});
    expect((await call('GET', `/api/scenarios/${sid}/joint`)).body.joints.find((j: any) => j.id === first.id).name).toBe('第一联合社区');
  });
});
