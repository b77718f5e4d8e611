/**
 * Joint communities on Harbin through the API: every suggested joint community satisfies every
 * rule, checked independently — residents summed in SQL, contiguity by an H3 flood fill, and the
 * walk by a fresh walk from the proposed workstation to every populated cell; the same seed gives
 * the same answer; bad requests are refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridDisk } from 'h3-js';
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
