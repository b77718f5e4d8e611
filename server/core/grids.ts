/**
 * Grid size (docs/domain.md, check 5): each grid management unit's (网格) households against the
 * rule's range and its residents against the rule's maximum.
 *
 * Residents are the grid's own figure where the file gives one, else the residents of the demand
 * cells whose centre it holds. Households are never estimated: a household size would be a guess
 * the planner cannot see, so a grid without households is checked on residents only.
 */
import { firstContaining } from './polygon.ts';
import type { Grid } from './types.ts';

export interface RuleSource {
  document: string;
  clause: string;
  label: string;
}

export interface GridSizeRule {
  id: string;
  /** Inclusive range of households. */
  households: [number, number];
  /** Most residents a grid may hold (inclusive). */
  maxResidents: number;
  source: RuleSource;
}

export type GridProblem = 'households_below' | 'households_above' | 'residents_above';

/** One way a grid breaks a rule: its figure and the bound it crosses. */
export interface GridFinding {
  rule: string;
  problem: GridProblem;
  value: number;
  threshold: number;
  source: RuleSource;
}

export interface GridCheck {
  /** As given; null when unknown. */
  households: number | null;
  residents: number;
  residentsSource: 'given' | 'cells';
  /** Demand cells whose centre lies in this grid and in no earlier one. */
  cells: number;
  /** Cell centres this grid holds that an earlier, overlapping grid already counts. */
  sharedCells: number;
  /** Empty when the grid passes every rule. */
  findings: GridFinding[];
}

/**
 * Check every grid against every (enabled) grid-size rule. `cells` are the demand cells: centre
 * and residents.
 * @example checkGrids([{ id: 'g:1', name: '一网格', households: 600, residents: 1900, polygon }], cells, [rule])
 *   // [{ households: 600, residents: 1900, residentsSource: 'given', …,
 *   //    findings: [{ rule: 'grid.size', problem: 'households_above', value: 600, threshold: 500, source }] }]
 */
export function checkGrids(
  grids: Grid[],
  cells: { lon: ArrayLike<number>; lat: ArrayLike<number>; residents: ArrayLike<number> },
  rules: GridSizeRule[],
): GridCheck[] {
  const { owner, shared } = firstContaining(
    grids.map((g) => g.polygon),
    cells.lon,
    cells.lat,
  );
  const cellResidents = new Float64Array(grids.length);
  const cellCount = new Int32Array(grids.length);
  for (let i = 0; i < owner.length; i++) {
    if (owner[i] < 0) continue;
    cellResidents[owner[i]] += cells.residents[i];
    cellCount[owner[i]]++;
  }
  return grids.map((g, k) => {
    const residents = g.residents ?? cellResidents[k];
    const findings: GridFinding[] = [];
    for (const rule of rules) {
      const found = (problem: GridProblem, value: number, threshold: number) => findings.push({ rule: rule.id, problem, value, threshold, source: rule.source });
      const [fewest, most] = rule.households;
      if (g.households !== null && g.households < fewest) found('households_below', g.households, fewest);
      if (g.households !== null && g.households > most) found('households_above', g.households, most);
      if (residents > rule.maxResidents) found('residents_above', residents, rule.maxResidents);
    }
    return {
      households: g.households,
      residents,
      residentsSource: g.residents === null ? 'cells' : 'given',
      cells: cellCount[k],
      sharedCells: shared[k],
      findings,
    };
  });
}
