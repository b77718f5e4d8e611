/**
 * Every siting solver on tiny random instances against brute-force enumeration of every subset of
 * candidates (the exact optimum), and the capacitated ones against a max-flow assignment per
 * subset. Greedy answers must be feasible, never beat the optimum, keep the (1 − 1/e) guarantee of
 * greedy maximal covering, and equal a plain (non-lazy) greedy; exact answers must be optimal.
 */
import { describe, expect, it } from 'vitest';
import { coverable, greedyCapacitated, greedyMaxCover, greedySetCover, improveBySwaps, type CoverInstance } from '../server/core/siting.ts';
import { exactCapacitated, exactMaxCover, exactSetCover } from '../server/core/siting-exact.ts';
import { seeded } from './helpers/harbin.ts';

/** n candidates, m demand points, each candidate covering a random handful with integer weights. */
function instance(seed: number, n: number, m: number): CoverInstance {
  const rand = seeded(seed);
  const weight = Float64Array.from({ length: m }, () => 1 + Math.floor(rand() * 9));
  const offsets = [0];
  const items: number[] = [];
  const dist: number[] = [];
  for (let j = 0; j < n; j++) {
    const set = new Set<number>();
    const size = 1 + Math.floor(rand() * 4);
    while (set.size < size) set.add(Math.floor(rand() * m));
    for (const i of [...set].sort((a, b) => a - b)) {
      items.push(i);
      dist.push(Math.floor(rand() * 1000));
    }
    offsets.push(items.length);
  }
  return { weight, offsets: Int32Array.from(offsets), items: Int32Array.from(items), dist: Float64Array.from(dist) };
}

const coverOf = (inst: CoverInstance, j: number) => Array.from(inst.items.subarray(inst.offsets[j], inst.offsets[j + 1]));

function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]) => {
    if (acc.length === k) return void out.push([...acc]);
    for (let j = start; j < n; j++) rec(j + 1, [...acc, j]);
  };
  rec(0, []);
  return out;
}

function coveredBy(inst: CoverInstance, chosen: number[]): number {
  const hit = new Set(chosen.flatMap((j) => coverOf(inst, j)));
  let s = 0;
  for (const i of hit) s += inst.weight[i];
  return s;
}

/** Max flow source → stations (capacity c) → covered points → sink (weight): the best assignment. */
function bestAssignment(inst: CoverInstance, chosen: number[], c: number): number {
  const m = inst.weight.length;
  const V = 2 + chosen.length + m;
  const cap: number[][] = Array.from({ length: V }, () => new Array(V).fill(0));
  chosen.forEach((j, a) => {
    cap[0][2 + a] = c;
    for (const i of coverOf(inst, j)) cap[2 + a][2 + chosen.length + i] = Infinity;
  });
  for (let i = 0; i < m; i++) cap[2 + chosen.length + i][1] = inst.weight[i];
  let flow = 0;
  for (;;) {
    const prev = new Array(V).fill(-1);
    prev[0] = 0;
    const queue = [0];
    while (queue.length && prev[1] < 0) {
      const u = queue.shift()!;
      for (let v = 0; v < V; v++) if (prev[v] < 0 && cap[u][v] > 1e-12) ((prev[v] = u), queue.push(v));
    }
    if (prev[1] < 0) return flow;
    let push = Infinity;
    for (let v = 1; v !== 0; v = prev[v]) push = Math.min(push, cap[prev[v]][v]);
    for (let v = 1; v !== 0; v = prev[v]) {
      cap[prev[v]][v] -= push;
      cap[v][prev[v]] += push;
    }
    flow += push;
  }
}

/** Greedy with every gain recomputed every round, lowest index on ties: the lazy one must match it. */
function plainGreedy(inst: CoverInstance, p: number): number[] {
  const chosen: number[] = [];
  for (let round = 0; round < p; round++) {
    let best = -1;
    let bestGain = 0;
    for (let j = 0; j + 1 < inst.offsets.length; j++) {
      if (chosen.includes(j)) continue;
      const g = coveredBy(inst, [...chosen, j]) - coveredBy(inst, chosen);
      if (g > bestGain) ((best = j), (bestGain = g));
    }
    if (best < 0) break;
    chosen.push(best);
  }
  return chosen;
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('maximal covering', () => {
  for (const seed of SEEDS) {
    it(`instance ${seed}: exact equals brute force, greedy within (1 − 1/e) and equal to plain greedy`, async () => {
      const inst = instance(seed, 9, 14);
      for (const p of [1, 2, 3]) {
        const opt = Math.max(...subsets(9, p).map((s) => coveredBy(inst, s)));
        const exact = await exactMaxCover(inst, p);
        expect(exact.status).toBe('optimal');
        expect(exact.chosen).toHaveLength(p);
        expect(exact.objective).toBeCloseTo(opt, 9);
        expect(coveredBy(inst, exact.chosen)).toBeCloseTo(opt, 9);
        const greedy = greedyMaxCover(inst, p);
        expect(greedy.chosen).toEqual(plainGreedy(inst, p));
        expect(greedy.covered).toBe(coveredBy(inst, greedy.chosen));
        expect(greedy.covered).toBeLessThanOrEqual(opt);
        expect(greedy.covered).toBeGreaterThanOrEqual((1 - 1 / Math.E) * opt);
        // interchange: never worse than greedy, never better than the optimum, and no single swap
        // of a chosen site for another improves it
        const swapped = improveBySwaps(inst, greedy);
        expect(swapped.chosen).toHaveLength(greedy.chosen.length);
        expect(new Set(swapped.chosen).size).toBe(swapped.chosen.length);
        expect(swapped.covered).toBe(coveredBy(inst, swapped.chosen));
        expect(swapped.covered).toBeGreaterThanOrEqual(greedy.covered);
        expect(swapped.covered).toBeLessThanOrEqual(opt);
        for (let a = 0; a < swapped.chosen.length; a++) {
          for (let c = 0; c < 9; c++) {
            if (swapped.chosen.includes(c)) continue;
            const other = swapped.chosen.map((j, b) => (b === a ? c : j));
            expect(coveredBy(inst, other)).toBeLessThanOrEqual(swapped.covered);
          }
        }
      }
    });
  }
});

describe('set covering', () => {
  for (const seed of SEEDS) {
    it(`instance ${seed}: exact finds the fewest stations, greedy reaches the target`, async () => {
      const inst = instance(100 + seed, 9, 14);
      const target = Math.ceil(0.8 * coverable(inst));
      let fewest = 0;
      while (!subsets(9, fewest).some((s) => coveredBy(inst, s) >= target)) fewest++;
      const exact = await exactSetCover(inst, target);
      expect(exact.status).toBe('optimal');
      expect(exact.objective).toBeCloseTo(fewest, 9);
      expect(exact.chosen).toHaveLength(fewest);
      expect(coveredBy(inst, exact.chosen)).toBeGreaterThanOrEqual(target);
      const greedy = greedySetCover(inst, target);
      expect(greedy.covered).toBeGreaterThanOrEqual(target);
      expect(coveredBy(inst, greedy.chosen)).toBe(greedy.covered);
      expect(greedy.chosen.length).toBeGreaterThanOrEqual(fewest);
    });
  }

  it('says what can be covered at most: demand no candidate reaches cannot be', () => {
    const inst: CoverInstance = { weight: Float64Array.of(5, 7, 11), offsets: Int32Array.of(0, 1, 2), items: Int32Array.of(0, 0) };
    expect(coverable(inst)).toBe(5);
  });
});

describe('capacitated maximal covering', () => {
  for (const seed of SEEDS) {
    it(`instance ${seed}: exact equals the best flow over every subset; greedy respects capacities`, async () => {
      const inst = instance(200 + seed, 8, 12);
      const capacity = 9;
      for (const p of [1, 2, 3]) {
        const opt = Math.max(...subsets(8, p).map((s) => bestAssignment(inst, s, capacity)));
        const exact = await exactCapacitated(inst, p, capacity);
        expect(exact.status).toBe('optimal');
        expect(exact.objective).toBeCloseTo(opt, 6);
        expect(bestAssignment(inst, exact.chosen, capacity)).toBeCloseTo(opt, 6);
        const greedy = greedyCapacitated(inst, p, capacity);
        expect(greedy.covered).toBeLessThanOrEqual(opt + 1e-9);
        // every station within its capacity, every point within its demand, only points it covers
        const taken = new Float64Array(inst.weight.length);
        greedy.served.forEach((list, a) => {
          const cover = new Set(coverOf(inst, greedy.chosen[a]));
          let sum = 0;
          for (const [i, amount] of list) {
            expect(cover.has(i)).toBe(true);
            taken[i] += amount;
            sum += amount;
          }
          expect(sum).toBeLessThanOrEqual(capacity);
          expect(sum).toBeCloseTo(greedy.gains[a], 9);
        });
        taken.forEach((t, i) => expect(t).toBeLessThanOrEqual(inst.weight[i]));
      }
    });
  }
});
