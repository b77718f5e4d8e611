import { describe, expect, it } from 'vitest';
import { coverageRows, weightedQuantiles } from '../server/core/stats.ts';

describe('coverage figures', () => {
  it('takes weighted quantiles as the first value whose cumulative weight reaches the share', () => {
    // sorted: 100 (w1), 200 (w1), 300 (w2), 400 (w6) → total 10; 50 % reached at 400 (1+1+2 = 4 < 5)
    expect(weightedQuantiles([400, 100, 300, 200], [6, 1, 2, 1], [0.5, 0.9, 0.1, 0.4])).toEqual([400, 400, 100, 300]);
  });

  it('gives Infinity when the quantile falls among unreached cells and NaN without weight', () => {
    expect(weightedQuantiles([100, Infinity], [1, 3], [0.2, 0.5])).toEqual([100, Infinity]);
    expect(weightedQuantiles([100], [0], [0.5])).toEqual([NaN]);
  });

  it('counts residents and elderly within each tier at each speed, in total and per community', () => {
    // three cells; cell 1 is split between communities 0 and 1
    const demand = {
      residents: [100, 50, 10],
      elderly: [20, 10, 5],
      shareCell: Int32Array.of(0, 1, 1, 2),
      shareCommunity: Int32Array.of(0, 0, 1, 1),
      shareResidents: [100, 30, 20, 10],
      shareElderly: [20, 6, 4, 5],
      communityCount: 2,
    };
    // metres to the nearest facility: 300, 600, unreached
    const rows = coverageRows(['health'], [Float64Array.of(300, 600, Infinity)], demand, [5, 10], { general: 60, elderly: 50 });
    const pick = (community: number, speed: string, tier: number) => rows.find((r) => r.community === community && r.speed === speed && r.tierMin === tier)!;
    // general 60 m/min: 5 min = 300 m (cell 0), 10 min = 600 m (cells 0, 1)
    expect(pick(-1, 'general', 5)).toMatchObject({ residents: 160, residentsCovered: 100, elderly: 35, elderlyCovered: 20 });
    expect(pick(-1, 'general', 10)).toMatchObject({ residentsCovered: 150, elderlyCovered: 30 });
    // elderly 50 m/min: 5 min = 250 m (none), 10 min = 500 m (cell 0)
    expect(pick(-1, 'elderly', 5)).toMatchObject({ residentsCovered: 0, elderlyCovered: 0 });
    expect(pick(-1, 'elderly', 10)).toMatchObject({ residentsCovered: 100, elderlyCovered: 20 });
    expect(pick(0, 'general', 10)).toMatchObject({ residents: 130, residentsCovered: 130, elderly: 26, elderlyCovered: 26 });
    expect(pick(1, 'general', 10)).toMatchObject({ residents: 30, residentsCovered: 20, elderly: 9, elderlyCovered: 4 });
    // residents-weighted median of 300 (100), 600 (50), ∞ (10) is 300 m = 5 min at 60 m/min; p90 (144) is 600 m = 10 min
    expect(pick(-1, 'general', 5)).toMatchObject({ medianMin: 5, p90Min: 10 });
    // elderly-weighted: 300 (20), 600 (10), ∞ (5) of 35: median 300 m = 6 min at 50 m/min, p90 (31.5) beyond reach
    expect(pick(-1, 'elderly', 5)).toMatchObject({ elderlyMedianMin: 6, elderlyP90Min: null });
    expect(rows.length).toBe(3 * 2 * 2);
  });
});
