/**
 * Compliance with a standards profile: which life-circle tier a community's population puts it
 * in, which required facility categories its residents (or elderly) cannot reach within the
 * requirement's walk, and elderly-care supply against demand by a two-step floating catchment.
 * Pure functions over the coverage figures and walksheds; every finding names its rule.
 */
import type { CoverageRow, Speeds } from './stats.ts';

export interface TierRange {
  minutes: number;
  residents: [number, number];
}

export type TierFit =
  | { position: 'within'; tierMinutes: number }
  | { position: 'between'; below: number; above: number }
  | { position: 'under'; smallest: number }
  | { position: 'over'; largest: number };

/**
 * Which tier a population falls in by the tiers' resident ranges (inclusive). Between two ranges,
 * or outside all of them, it says so rather than rounding to one.
 */
export function tierOf(population: number, tiers: TierRange[]): TierFit {
  const sorted = [...tiers].sort((a, b) => a.residents[0] - b.residents[0]);
  for (const t of sorted) if (population >= t.residents[0] && population <= t.residents[1]) return { position: 'within', tierMinutes: t.minutes };
  if (!sorted.length || population < sorted[0].residents[0]) return { position: 'under', smallest: sorted[0]?.minutes ?? 0 };
  const last = sorted[sorted.length - 1];
  if (population > last.residents[1]) return { position: 'over', largest: last.minutes };
  const i = sorted.findIndex((t) => population < t.residents[0]);
  return { position: 'between', below: sorted[i - 1].minutes, above: sorted[i].minutes };
}

/**
 * The tier whose facility requirements apply: the tier it falls in, the lower one between two,
 * the smallest under all, the largest over all. Requirements of this tier and every lower one apply
 * (GB 50180-2018: each tier's facilities come in addition to the lower tiers').
 */
export function governingTier(fit: TierFit): number {
  switch (fit.position) {
    case 'within':
      return fit.tierMinutes;
    case 'between':
      return fit.below;
    case 'under':
      return fit.smallest;
    case 'over':
      return fit.largest;
  }
}

export interface Requirement {
  id: string;
  category: string;
  tierMinutes: number;
  for: 'residents' | 'elderly';
  minShare: number;
}

export interface RequirementFinding {
  rule: string;
  category: string;
  tierMinutes: number;
  for: 'residents' | 'elderly';
  /** The speed the walk is measured at: the elderly's for the elderly, the general one otherwise. */
  speed: keyof Speeds;
  people: number;
  covered: number;
  /** covered / people; null when the community has none of the group. */
  share: number | null;
  pass: boolean;
}

/**
 * Check one community's applicable requirements against its coverage rows (those of this
 * community: `community` equal for all). A requirement applies when its tier is at most the
 * governing tier.
 */
export function checkRequirements(rows: CoverageRow[], requirements: Requirement[], governing: number): RequirementFinding[] {
  return requirements
    .filter((r) => r.tierMinutes <= governing)
    .map((r) => {
      const speed = r.for === 'elderly' ? 'elderly' : 'general';
      const row = rows.find((x) => x.category === r.category && x.tierMin === r.tierMinutes && x.speed === speed);
      const people = row ? (r.for === 'elderly' ? row.elderly : row.residents) : 0;
      const covered = row ? (r.for === 'elderly' ? row.elderlyCovered : row.residentsCovered) : 0;
      const share = people > 0 ? covered / people : null;
      return { rule: r.id, category: r.category, tierMinutes: r.tierMinutes, for: r.for, speed, people, covered, share, pass: share === null || share >= r.minShare };
    });
}

/**
 * Two-step floating catchment (Luo & Wang 2003): each facility's capacity is shared over the
 * elderly in its catchment (step 1, ratio R_j = S_j / Σ P_k), and each cell sums the ratios of the
 * facilities whose catchment holds it (step 2, A_i = Σ R_j). Returns places per elderly resident
 * per cell; multiply by 1,000 for the norm's unit. Facilities with no capacity supply nothing.
 *
 * `walksheds` is per facility (CSR over facilities) the cells within reach and their metres;
 * a cell is in the catchment when its metres are at most `catchmentM`.
 */
export function twoStepFloatingCatchment(
  walksheds: { offsets: Int32Array; cell: Int32Array; dist: Float64Array },
  capacity: ArrayLike<number | null>,
  demand: ArrayLike<number>,
  catchmentM: number,
): Float64Array {
  const access = new Float64Array(demand.length);
  const nFacilities = walksheds.offsets.length - 1;
  for (let f = 0; f < nFacilities; f++) {
    const s = capacity[f];
    if (s === null || !(s > 0)) continue;
    let people = 0;
    for (let k = walksheds.offsets[f]; k < walksheds.offsets[f + 1]; k++) if (walksheds.dist[k] <= catchmentM) people += demand[walksheds.cell[k]];
    if (people === 0) continue;
    const ratio = s / people;
    for (let k = walksheds.offsets[f]; k < walksheds.offsets[f + 1]; k++) if (walksheds.dist[k] <= catchmentM) access[walksheds.cell[k]] += ratio;
  }
  return access;
}

/** Demand-weighted mean of per-cell access over a community's shares of cells. */
export function communityAccess(access: Float64Array, shareCell: ArrayLike<number>, shareDemand: ArrayLike<number>): number | null {
  let weighted = 0;
  let total = 0;
  for (let s = 0; s < shareCell.length; s++) {
    weighted += access[shareCell[s]] * shareDemand[s];
    total += shareDemand[s];
  }
  return total > 0 ? weighted / total : null;
}

export interface SupplyNorm {
  id: string;
  category: string;
  /** Required amount per `perCount` elderly (e.g. 40 beds per 1,000). */
  amount: number;
  perCount: number;
  catchmentM: number;
}

export interface CommunityCompliance {
  community: number;
  fit: TierFit;
  governingTier: number;
  requirements: RequirementFinding[];
  supply: Array<{ rule: string; category: string; value: number | null; amount: number; perCount: number; pass: boolean }>;
}

/**
 * Every community's tier, requirement findings and elderly-care supply. `rows` are the coverage
 * rows of all communities; `shares` the (cell, community) demand shares; supply norms are per
 * elderly, measured by 2SFCA over the facilities' walksheds and capacities.
 */
export function communityCompliance(input: {
  populations: Array<number | null>;
  rows: CoverageRow[];
  tiers: TierRange[];
  requirements: Requirement[];
  norms: SupplyNorm[];
  facilityCategory: string[];
  capacity: Array<number | null>;
  walksheds: { offsets: Int32Array; cell: Int32Array; dist: Float64Array };
  cellElderly: ArrayLike<number>;
  shares: { cell: ArrayLike<number>; community: ArrayLike<number>; elderly: ArrayLike<number> };
}): CommunityCompliance[] {
  const { populations, rows, tiers, requirements, norms, facilityCategory, capacity, walksheds, cellElderly, shares } = input;
  const byCommunity = new Map<number, CoverageRow[]>();
  for (const r of rows) {
    if (r.community < 0) continue;
    let list = byCommunity.get(r.community);
    if (!list) byCommunity.set(r.community, (list = []));
    list.push(r);
  }
  const sharesOf = populations.map(() => ({ cell: [] as number[], elderly: [] as number[] }));
  for (let s = 0; s < shares.cell.length; s++) {
    sharesOf[shares.community[s]].cell.push(shares.cell[s]);
    sharesOf[shares.community[s]].elderly.push(shares.elderly[s]);
  }
  const access = norms.map((n) =>
    twoStepFloatingCatchment(walksheds, capacity.map((c, f) => (facilityCategory[f] === n.category ? c : null)), cellElderly, n.catchmentM),
  );
  return populations.map((population, c) => {
    const fit = tierOf(population ?? 0, tiers);
    const governing = governingTier(fit);
    const supply = norms.map((n, k) => {
      const a = communityAccess(access[k], sharesOf[c].cell, sharesOf[c].elderly);
      const value = a === null ? null : a * n.perCount;
      return { rule: n.id, category: n.category, value, amount: n.amount, perCount: n.perCount, pass: value === null || value >= n.amount };
    });
    return { community: c, fit, governingTier: governing, requirements: checkRequirements(byCommunity.get(c) ?? [], requirements, governing), supply };
  });
}
