/**
 * The live delta panel's numbers: one category × tier × speed picked out of a change's delta
 * rows, city-wide and the communities it touched most; several changes summed as one.
 */
import { describe, expect, it } from 'vitest';
import type { DeltaRow } from '../web/src/lib/api.ts';
import { combine, summarise } from '../web/src/lib/delta.ts';

const row = (community: string | null, tier: number, gained: [number, number], lost: [number, number] = [0, 0]): DeltaRow => ({
  category: 'elderly_care', tier, speed: 'elderly', community: community === null ? null : { id: community, name: `社区${community}` },
  residentsGained: gained[0], elderlyGained: gained[1], residentsLost: lost[0], elderlyLost: lost[1],
});

const rows: DeltaRow[] = [
  row(null, 15, [1200, 300], [10, 4]),
  row('a', 15, [200, 50]),
  row('b', 15, [900, 240]),
  row('c', 15, [300, 10], [10, 4]),
  row(null, 10, [500, 100]),
  { ...row(null, 15, [7, 7]), speed: 'general' },
  { ...row(null, 15, [9, 9]), category: 'health' },
];

describe('the delta of one change for the selection', () => {
  it('takes the city-wide row of the selected category, tier and speed', () => {
    const s = summarise(rows, { category: 'elderly_care', tier: 15, speed: 'elderly' }, 'elderly');
    expect(s.city).toEqual({ residentsGained: 1200, residentsLost: 10, elderlyGained: 300, elderlyLost: 4 });
    expect(s.touched).toBe(3);
  });

  it('ranks communities by the weighted group gained plus lost, and keeps the top few', () => {
    const byElderly = summarise(rows, { category: 'elderly_care', tier: 15, speed: 'elderly' }, 'elderly', 2);
    expect(byElderly.communities.map((c) => c.id)).toEqual(['b', 'a']);
    expect(byElderly.communities[0]).toEqual({ id: 'b', name: '社区b', residentsGained: 900, residentsLost: 0, elderlyGained: 240, elderlyLost: 0 });
    const byResidents = summarise(rows, { category: 'elderly_care', tier: 15, speed: 'elderly' }, 'residents');
    expect(byResidents.communities.map((c) => c.id)).toEqual(['b', 'c', 'a']);
  });

  it('gives zeros for a selection the change left alone', () => {
    const s = summarise(rows, { category: 'school', tier: 5, speed: 'general' }, 'elderly');
    expect(s).toEqual({ city: { residentsGained: 0, residentsLost: 0, elderlyGained: 0, elderlyLost: 0 }, communities: [], touched: 0 });
  });
});

describe('several changes as one', () => {
  it('sums the rows of the same category, tier, speed and community', () => {
    const both = combine([[row(null, 15, [10, 2]), row('a', 15, [4, 1])], [row(null, 15, [5, 1], [1, 0]), row('b', 15, [3, 3])]]);
    expect(both).toEqual([row(null, 15, [15, 3], [1, 0]), row('a', 15, [4, 1]), row('b', 15, [3, 3])]);
  });
});
