/** Compliance rules on hand-built communities whose pass or fail is known by construction. */
import { describe, expect, it } from 'vitest';
import { checkRequirements, communityAccess, governingTier, tierOf, twoStepFloatingCatchment, type Requirement } from '../server/core/compliance.ts';
import type { CoverageRow } from '../server/core/stats.ts';
import { loadProfile, rulesOf } from '../server/ingest/profile.ts';

const TIERS = rulesOf(loadProfile(), 'tier').map((t) => ({ minutes: t.minutes, residents: t.residents }));

describe('which tier a community falls in', () => {
  it('finds the tier whose resident range holds the population, bounds included', () => {
    expect(tierOf(5000, TIERS)).toEqual({ position: 'within', tierMinutes: 5 });
    expect(tierOf(12000, TIERS)).toEqual({ position: 'within', tierMinutes: 5 });
    expect(tierOf(20000, TIERS)).toEqual({ position: 'within', tierMinutes: 10 });
    expect(tierOf(100000, TIERS)).toEqual({ position: 'within', tierMinutes: 15 });
  });

  it('says when a population lies between two tiers, under all or over all', () => {
    expect(tierOf(13000, TIERS)).toEqual({ position: 'between', below: 5, above: 10 });
    expect(tierOf(30000, TIERS)).toEqual({ position: 'between', below: 10, above: 15 });
    expect(tierOf(800, TIERS)).toEqual({ position: 'under', smallest: 5 });
    expect(tierOf(131644, TIERS)).toEqual({ position: 'over', largest: 15 });
  });

  it('governs by the tier it is in, the lower one between two, the nearest outside', () => {
    expect([13000, 30000, 800, 131644, 60000].map((p) => governingTier(tierOf(p, TIERS)))).toEqual([5, 10, 5, 15, 15]);
  });
});

describe('required facilities within the walk', () => {
  const row = (category: string, tierMin: number, speed: 'general' | 'elderly', residents: number, residentsCovered: number, elderly: number, elderlyCovered: number): CoverageRow => ({
    category, tierMin, speed, community: 3, residents, residentsCovered, elderly, elderlyCovered, medianMin: null, p90Min: null, elderlyMedianMin: null, elderlyP90Min: null,
  });
  // a community of 8,000 residents and 1,800 elderly: every resident within 5 min of community services,
  // elderly care reaching 1,799 of 1,800 elderly at their speed, health 15 min for half
  const rows = [
    row('community_service', 5, 'general', 8000, 8000, 1800, 1800),
    row('elderly_care', 5, 'elderly', 8000, 7990, 1800, 1799),
    row('health', 15, 'general', 8000, 4000, 1800, 900),
  ];
  const reqs: Requirement[] = [
    { id: 'require.community_service.5', category: 'community_service', tierMinutes: 5, for: 'residents', minShare: 1 },
    { id: 'require.elderly_care.5', category: 'elderly_care', tierMinutes: 5, for: 'elderly', minShare: 1 },
    { id: 'require.health.15', category: 'health', tierMinutes: 15, for: 'residents', minShare: 1 },
  ];

  it('passes a requirement everyone meets and fails one a single elderly resident misses, at the elderly speed', () => {
    const f = checkRequirements(rows, reqs, 5);
    expect(f.map((x) => [x.rule, x.speed, x.covered, x.people, x.pass])).toEqual([
      ['require.community_service.5', 'general', 8000, 8000, true],
      ['require.elderly_care.5', 'elderly', 1799, 1800, false],
    ]);
  });

  it('applies the 15-minute requirements only to a community governed by the 15-minute tier', () => {
    expect(checkRequirements(rows, reqs, 10).map((x) => x.rule)).toEqual(['require.community_service.5', 'require.elderly_care.5']);
    const f15 = checkRequirements(rows, reqs, 15);
    expect(f15.map((x) => [x.rule, x.share, x.pass])).toEqual([
      ['require.community_service.5', 1, true],
      ['require.elderly_care.5', 1799 / 1800, false],
      ['require.health.15', 0.5, false],
    ]);
  });

  it('passes with a lower share when the rule allows it', () => {
    const f = checkRequirements(rows, [{ ...reqs[2], minShare: 0.5 }], 15);
    expect(f[0].pass).toBe(true);
    expect(checkRequirements(rows, [{ ...reqs[2], minShare: 0.51 }], 15)[0].pass).toBe(false);
  });
});

describe('two-step floating catchment', () => {
  // facility A (40 beds) reaches cells 0 and 1; facility B (20 beds) reaches cells 1 and 2; cell 3 lies
  // 900 m from B, outside a 750 m catchment. Elderly: 100, 200, 100, 50.
  // By hand: R_A = 40 / 300, R_B = 20 / 300; cell 0: 40/300, cell 1: 60/300, cell 2: 20/300, cell 3: 0.
  const walksheds = {
    offsets: Int32Array.of(0, 2, 5),
    cell: Int32Array.of(0, 1, 1, 2, 3),
    dist: Float64Array.of(100, 600, 300, 200, 900),
  };
  const elderly = [100, 200, 100, 50];

  it('shares each facility over the elderly in its catchment and sums the shares per cell', () => {
    const access = twoStepFloatingCatchment(walksheds, [40, 20], elderly, 750);
    const per1000 = Array.from(access, (a) => Math.round(a * 1000 * 1e6) / 1e6);
    expect(per1000).toEqual([133.333333, 200, 66.666667, 0]);
    // supply is conserved: the elderly-weighted access adds up to the 60 beds
    expect(elderly.reduce((s, p, i) => s + p * access[i], 0)).toBeCloseTo(60, 9);
  });

  it('lets a facility without capacity supply nothing', () => {
    const access = twoStepFloatingCatchment(walksheds, [null, 20], elderly, 750);
    expect(Array.from(access, (a) => Math.round(a * 1e9) / 1e9)).toEqual([0, Math.round((20 / 300) * 1e9) / 1e9, Math.round((20 / 300) * 1e9) / 1e9, 0]);
  });

  it('averages a community over its cells by elderly', () => {
    const access = twoStepFloatingCatchment(walksheds, [40, 20], elderly, 750);
    // a community holding all of cells 0 and 1: (100 × 40/300 + 200 × 60/300) / 300 per elderly
    expect(communityAccess(access, [0, 1], [100, 200])! * 1000).toBeCloseTo(((100 * 40) / 300 + (200 * 60) / 300) / 300 * 1000, 9);
    expect(communityAccess(access, [3], [0])).toBeNull();
  });
});
