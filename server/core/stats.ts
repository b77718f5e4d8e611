/**
 * Coverage figures: for each category × tier × speed, residents and elderly within the tier's
 * walk, in total and per community, with median and 90th-percentile walking minutes.
 */

export interface Tier {
  minutes: number;
}

export interface Speeds {
  general: number;
  elderly: number;
}

/** The demand the figures are weighted by: per cell, and per (cell, community) share. */
export interface DemandWeights {
  residents: ArrayLike<number>;
  elderly: ArrayLike<number>;
  shareCell: Int32Array;
  shareCommunity: Int32Array;
  shareResidents: ArrayLike<number>;
  shareElderly: ArrayLike<number>;
  communityCount: number;
}

export interface CoverageRow {
  category: string;
  tierMin: number;
  speed: keyof Speeds;
  /** Community index, or -1 for the whole city. */
  community: number;
  residents: number;
  residentsCovered: number;
  elderly: number;
  elderlyCovered: number;
  /** Walking minutes to the nearest facility at this speed, weighted by residents; null beyond reach. */
  medianMin: number | null;
  p90Min: number | null;
  /** The same weighted by elderly residents. */
  elderlyMedianMin: number | null;
  elderlyP90Min: number | null;
}

/**
 * Weighted quantiles of values (metres) from one sort; Infinity when a quantile lies among
 * unreached cells, NaN when there is no weight at all.
 */
export function weightedQuantiles(values: ArrayLike<number>, weights: ArrayLike<number>, qs: number[]): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).filter((i) => weights[i] > 0);
  order.sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (const i of order) total += weights[i];
  if (total === 0) return qs.map(() => NaN);
  return qs.map((q) => {
    let acc = 0;
    for (const i of order) {
      acc += weights[i];
      if (acc >= q * total) return values[i];
    }
    return values[order[order.length - 1]];
  });
}

const minutes = (metres: number, speed: number) => (Number.isFinite(metres) ? Math.round((metres / speed) * 100) / 100 : null);

/**
 * Figures for every category × tier × speed, city-wide (community -1) and per community.
 * `nearestDist[k][cell]` is metres from the cell to the nearest facility of category k.
 */
export function coverageRows(
  categories: string[],
  nearestDist: Float64Array[],
  demand: DemandWeights,
  tiers: number[],
  speeds: Speeds,
): CoverageRow[] {
  const rows: CoverageRow[] = [];
  const groups: Array<{ community: number; cells: number[]; residents: number[]; elderly: number[] }> = [];
  {
    const cells: number[] = [];
    const res: number[] = [];
    const eld: number[] = [];
    for (let c = 0; c < demand.residents.length; c++) {
      if (demand.residents[c] > 0 || demand.elderly[c] > 0) {
        cells.push(c);
        res.push(demand.residents[c]);
        eld.push(demand.elderly[c]);
      }
    }
    groups.push({ community: -1, cells, residents: res, elderly: eld });
  }
  const byCommunity = Array.from({ length: demand.communityCount }, (_, community) => ({
    community,
    cells: [] as number[],
    residents: [] as number[],
    elderly: [] as number[],
  }));
  for (let s = 0; s < demand.shareCell.length; s++) {
    const g = byCommunity[demand.shareCommunity[s]];
    g.cells.push(demand.shareCell[s]);
    g.residents.push(demand.shareResidents[s]);
    g.elderly.push(demand.shareElderly[s]);
  }
  groups.push(...byCommunity);

  categories.forEach((category, k) => {
    const near = nearestDist[k];
    for (const g of groups) {
      const dist = g.cells.map((c) => near[c]);
      const [medianM, p90M] = weightedQuantiles(dist, g.residents, [0.5, 0.9]);
      const [eMedianM, eP90M] = weightedQuantiles(dist, g.elderly, [0.5, 0.9]);
      let residents = 0;
      let elderly = 0;
      for (let i = 0; i < dist.length; i++) {
        residents += g.residents[i];
        elderly += g.elderly[i];
      }
      for (const speed of ['general', 'elderly'] as const) {
        const v = speeds[speed];
        for (const tierMin of tiers) {
          const reach = tierMin * v;
          let residentsCovered = 0;
          let elderlyCovered = 0;
          for (let i = 0; i < dist.length; i++) {
            if (dist[i] <= reach) {
              residentsCovered += g.residents[i];
              elderlyCovered += g.elderly[i];
            }
          }
          rows.push({
            category,
            tierMin,
            speed,
            community: g.community,
            residents,
            residentsCovered,
            elderly,
            elderlyCovered,
            medianMin: minutes(medianM, v),
            p90Min: minutes(p90M, v),
            elderlyMedianMin: minutes(eMedianM, v),
            elderlyP90Min: minutes(eP90M, v),
          });
        }
      }
    }
  });
  return rows;
}
