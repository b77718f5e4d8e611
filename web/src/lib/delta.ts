/**
 * What one scenario change did to the selection: the city-wide residents and elderly gained and
 * lost, and the communities it touched most, from the change's delta rows (docs/api.md).
 */
import type { DeltaRow, Selection } from './api.ts';
import type { Weighting } from '../map/cellStyle.ts';

export interface Counts {
  residentsGained: number;
  residentsLost: number;
  elderlyGained: number;
  elderlyLost: number;
}

export interface DeltaSummary {
  city: Counts;
  /** The communities with the largest change of the weighted group, largest first (at most `top`). */
  communities: Array<Counts & { id: string; name: string }>;
  /** How many communities the change touched at all. */
  touched: number;
}

const none = (): Counts => ({ residentsGained: 0, residentsLost: 0, elderlyGained: 0, elderlyLost: 0 });
const counts = (r: DeltaRow): Counts => ({ residentsGained: r.residentsGained, residentsLost: r.residentsLost, elderlyGained: r.elderlyGained, elderlyLost: r.elderlyLost });

/**
 * The rows of one category × tier × speed, summed up for the panel. Rows left out by the server
 * are no change, so a selection with no rows gives zeros.
 * @example summarise(change.delta, { category: 'elderly_care', tier: 15, speed: 'elderly' }, 'elderly')
 */
export function summarise(rows: readonly DeltaRow[], sel: Selection, weighting: Weighting, top = 5): DeltaSummary {
  const mine = rows.filter((r) => r.category === sel.category && r.tier === sel.tier && r.speed === sel.speed);
  const cityRow = mine.find((r) => r.community === null);
  const size = (c: Counts) => (weighting === 'elderly' ? c.elderlyGained + c.elderlyLost : c.residentsGained + c.residentsLost);
  const communities = mine
    .filter((r) => r.community !== null)
    .map((r) => ({ id: r.community!.id, name: r.community!.name, ...counts(r) }))
    .sort((a, b) => size(b) - size(a) || a.name.localeCompare(b.name));
  return { city: cityRow ? counts(cityRow) : none(), communities: communities.slice(0, top), touched: communities.length };
}

/**
 * Several changes' deltas as one (accepting suggested sites is one edit per site): rows of the
 * same category × tier × speed × community summed.
 */
export function combine(deltas: readonly (readonly DeltaRow[])[]): DeltaRow[] {
  const rows = new Map<string, DeltaRow>();
  for (const delta of deltas) {
    for (const r of delta) {
      const key = `${r.category}|${r.tier}|${r.speed}|${r.community?.id ?? ''}`;
      const sum = rows.get(key);
      if (!sum) rows.set(key, { ...r });
      else {
        sum.residentsGained += r.residentsGained;
        sum.residentsLost += r.residentsLost;
        sum.elderlyGained += r.elderlyGained;
        sum.elderlyLost += r.elderlyLost;
      }
    }
  }
  return [...rows.values()];
}
