/**
 * Joint-community rules and suggestions on hand-built fixtures: H3 cells as units, the "walk" a
 * cell's ring of neighbours (gridDisk 1), so every pass and fail can be checked by eye.
 */
import { describe, expect, it } from 'vitest';
import { gridDisk, gridPathCells, latLngToCell } from 'h3-js';
import { checkJoint, isContiguous, unitAdjacency, workstationSites, type CellReach, type JointRule } from '../server/core/joint.ts';
import { suggestJoint } from '../server/core/joint-suggest.ts';

// a line of 6 cells a–f, each one unit; a 7th unit g far away
const start = latLngToCell(45.76, 126.63, 10);
const end = gridDisk(start, 5).find((c) => gridPathCells(start, c).length === 6)!;
const line = gridPathCells(start, end);
const far = latLngToCell(45.9, 126.9, 10);
const cells = [...line, far];
const index = new Map(cells.map((h, i) => [h, i]));
const near = (c: number) => gridDisk(cells[c], 1).map((h) => index.get(h)).filter((x): x is number => x !== undefined);
const neighbours = (() => {
  const offsets = [0];
  const items: number[] = [];
  cells.forEach((_, c) => {
    items.push(...near(c).filter((x) => x !== c));
    offsets.push(items.length);
  });
  return { offsets: Int32Array.from(offsets), items: Int32Array.from(items) };
})();
const cellUnit = Int32Array.from(cells, (_, i) => i);
const adj = unitAdjacency(cells.length, cellUnit, neighbours);
// the walk of every cell: itself and its ring
const reach: CellReach = (() => {
  const offsets = [0];
  const items: number[] = [];
  cells.forEach((_, c) => {
    items.push(...near(c).sort((a, b) => a - b));
    offsets.push(items.length);
  });
  return { offsets: Int32Array.from(offsets), items: Int32Array.from(items), populated: () => true };
})();
const units = { cells: cells.map((_, i) => [i]), residents: [3000, 2000, 4000, 1000, 5000, 2500, 6000], boundary: [0, 0, 0, 1, 1, 1, 2] };
const rule: JointRule = { id: 'joint.residents', residents: [5000, 12000], sameBoundary: false };
const [a, b, c, d, e, f, g] = [0, 1, 2, 3, 4, 5, 6];
const problems = (members: number[], r = rule, stations: number[] = []) => checkJoint(members, units, adj, reach, r, stations).findings.map((x) => x.problem);

describe('joint-community rules', () => {
  it('knows which units touch', () => {
    expect(Array.from(adj.items.subarray(adj.offsets[b], adj.offsets[b + 1]))).toEqual([a, c]);
    expect(adj.offsets[g + 1] - adj.offsets[g]).toBe(0);
    expect(isContiguous([a, b, c], adj)).toBe(true);
    expect(isContiguous([a, c], adj)).toBe(false);
  });

  it('residents between floor and cap', () => {
    expect(problems([a, b])).toEqual([]); // 5,000: the floor itself passes
    expect(problems([d])).toEqual(['residents_below']); // 1,000
    expect(problems([c, d, e, f])).toEqual(['residents_above', 'no_workstation_site']); // 4,000+1,000+5,000+2,500 = 12,500
  });

  it('the cap itself passes', () => {
    expect(checkJoint([b, c, d, e], units, adj, reach, rule).residents).toBe(12000);
    expect(problems([b, c, d, e]).includes('residents_above')).toBe(false);
  });

  it('contiguous', () => {
    expect(problems([a, c])).toEqual(['not_contiguous', 'no_workstation_site']);
    const f1 = checkJoint([a, c], units, adj, reach, rule).findings.find((x) => x.problem === 'not_contiguous');
    expect(f1).toMatchObject({ parts: [[a], [c]] });
  });

  it('every resident within the walk of one workstation site, else the cells at fault', () => {
    // three in a line: the middle one reaches both ends
    expect(workstationSites([a, b, c], reach)).toEqual([b]);
    expect(problems([a, b, c])).toEqual([]);
    // four in a line: no single cell reaches all; the best site (b or c) leaves one end out
    const four = checkJoint([a, b, c, d], units, adj, reach, rule);
    expect(four.sites).toEqual([]);
    expect(four.findings).toEqual([{ rule: 'joint.residents', problem: 'no_workstation_site', cells: [d] }]);
  });

  it('with workstations: the populated cells none reaches', () => {
    expect(problems([a, b, c], rule, [b])).toEqual([]);
    expect(checkJoint([a, b, c], units, adj, reach, rule, [a]).findings).toEqual([{ rule: 'joint.residents', problem: 'unserved', cells: [c] }]);
  });

  it('no crossing of sub-district lines, when asked', () => {
    const strict = { ...rule, sameBoundary: true };
    expect(problems([b, c], strict)).toEqual([]);
    expect(checkJoint([c, d], units, adj, reach, strict).findings).toEqual([{ rule: 'joint.residents', problem: 'crosses_boundary', boundaries: [0, 1] }]);
    expect(problems([c, d], rule)).toEqual([]);
  });
});

describe('suggesting joint communities', () => {
  const area = [a, b, c, d, e, f, g];
  const all = (s: ReturnType<typeof suggestJoint>) => [...s.groups.flat(), ...s.unplaced.map((u) => u.unit)].sort();

  it('proposes only groups that pass every rule, covering each unit once, placed or listed', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = suggestJoint(area, units, adj, reach, rule, { seed, restarts: 4 });
      for (const grp of s.groups) expect(problems(grp)).toEqual([]);
      expect(all(s)).toEqual([...area].sort());
    }
  });

  it('gives the same answer for the same seed', () => {
    const one = suggestJoint(area, units, adj, reach, rule, { seed: 9, restarts: 4 });
    const two = suggestJoint(area, units, adj, reach, rule, { seed: 9, restarts: 4 });
    expect(two).toEqual(one);
  });

  it('lists units that cannot be placed, with the reason', () => {
    const big = { ...units, residents: [3000, 2000, 4000, 1000, 5000, 2500, 20000] };
    const s = suggestJoint(area, big, adj, reach, rule, { seed: 1, restarts: 4 });
    expect(s.unplaced.find((u) => u.unit === g)).toEqual({ unit: g, reason: 'residents_above' });
    // g alone is far from everyone: with a normal size it is its own joint community (6,000 ≥ floor)
    const s2 = suggestJoint(area, units, adj, reach, rule, { seed: 1, restarts: 4 });
    expect(s2.groups).toContainEqual([g]);
  });

  it('packs the line into as few groups as the walk allows: pieces of at most three cells', () => {
    const s = suggestJoint([a, b, c, d, e, f], units, adj, reach, rule, { seed: 3, restarts: 8 });
    // 17,500 residents, each group ≤ 3 cells of the line and ≥ 5,000: two groups can hold it all
    expect(s.groups.length).toBe(2);
    expect(s.unplaced).toEqual([]);
  });
});
