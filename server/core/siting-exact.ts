/**
 * Exact (or bounded) covering with the HiGHS MILP solver (WebAssembly, `highs` on npm): the same
 * three problems as siting.ts, as integer programs. With a time limit HiGHS may stop early; it
 * then still gives its best solution and a proven bound, so a greedy answer's gap is known either
 * way. The models are passed as sparse columns, not LP text.
 *
 * Maximal covering:   max Σ w_i y_i   s.t. y_i ≤ Σ_{j covers i} x_j,  Σ x_j = p,  x ∈ {0,1}, 0 ≤ y ≤ 1
 * Set covering:       min Σ x_j       s.t. y_i ≤ Σ_{j covers i} x_j,  Σ w_i y_i ≥ T
 * Capacitated:        max Σ z_ij      s.t. Σ_j z_ij ≤ w_i,  Σ_i z_ij ≤ c x_j,  Σ x_j = p,  z ≥ 0
 */
import highsLoader, { type Highs } from 'highs';
import type { CoverInstance } from './siting.ts';

let loading: Promise<Highs> | null = null;
/** The solver, instantiated once per process. */
export function highs(): Promise<Highs> {
  return (loading ??= highsLoader());
}

export interface ExactResult {
  chosen: number[];
  /** The best solution's objective (demand covered, or stations for set covering); null when none was found in time. */
  objective: number | null;
  /** Proven bound on the optimum (upper for maximising, lower for set covering); null when none was proven in time. */
  bound: number | null;
  /** 'optimal', or why it stopped ('time limit', ...). */
  status: string;
  seconds: number;
}

interface Columns {
  cost: number[];
  lower: number[];
  upper: number[];
  integer: number[];
  starts: number[];
  rows: number[];
  values: number[];
}

function columns(): Columns {
  return { cost: [], lower: [], upper: [], integer: [], starts: [0], rows: [], values: [] };
}

function addColumn(c: Columns, cost: number, lower: number, upper: number, integer: boolean, entries: Array<[number, number]>): number {
  c.cost.push(cost);
  c.lower.push(lower);
  c.upper.push(upper);
  c.integer.push(integer ? 1 : 0);
  for (const [r, v] of entries) {
    c.rows.push(r);
    c.values.push(v);
  }
  c.starts.push(c.rows.length);
  return c.cost.length - 1;
}

async function solve(c: Columns, rowLower: number[], rowUpper: number[], maximize: boolean, timeLimit: number, candidates: number): Promise<ExactResult> {
  const h = await highs();
  const t = performance.now();
  return h.withModel(
    {
      numCols: c.cost.length,
      numRows: rowLower.length,
      sense: maximize ? h.constants.objectiveSense.maximize : h.constants.objectiveSense.minimize,
      colCost: c.cost,
      colLower: c.lower,
      colUpper: c.upper,
      rowLower,
      rowUpper,
      matrix: { format: 'csc', numRows: rowLower.length, numCols: c.cost.length, starts: c.starts, indices: c.rows, values: c.values },
      integrality: Int32Array.from(c.integer),
    },
    (model) => {
      model.options.set({ output_flag: false, time_limit: timeLimit, mip_rel_gap: 1e-6 });
      model.run();
      const code = model.getModelStatus();
      const status = Object.entries(h.constants.modelStatus).find(([, v]) => v === code)?.[0] ?? String(code);
      const sol = model.getSolution();
      const x = sol.colValue as ArrayLike<number>;
      const chosen: number[] = [];
      for (let j = 0; j < candidates; j++) if (x[j] > 0.5) chosen.push(j);
      const objective = model.getObjectiveValue();
      const bound = Number(model.info.get('mip_dual_bound'));
      const finite = (v: number) => (Number.isFinite(v) && Math.abs(v) < 1e30 ? v : null);
      // stopped before any solution: no sites chosen and no meaningful objective
      const found = chosen.length > 0 || finite(objective) === 0;
      return { chosen, objective: found ? finite(objective) : null, bound: finite(bound), status, seconds: (performance.now() - t) / 1000 };
    },
  );
}

/**
 * The demand points that carry weight and that some candidate covers, each with its row (in the
 * order candidates first reach them); the other points cannot change any objective.
 */
function demandRows(inst: CoverInstance): { points: number[]; rowOf: Map<number, number> } {
  const rowOf = new Map<number, number>();
  for (const i of inst.items) if (inst.weight[i] > 0 && !rowOf.has(i)) rowOf.set(i, rowOf.size);
  return { points: [...rowOf.keys()], rowOf };
}

/** Candidate j's entries −1 in the rows y_i ≤ Σ x_j of the points it covers. */
function coverEntries(inst: CoverInstance, rowOf: Map<number, number>, j: number): Array<[number, number]> {
  const entries: Array<[number, number]> = [];
  for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) {
    const r = rowOf.get(inst.items[k]);
    if (r !== undefined) entries.push([r, -1]);
  }
  return entries;
}

/** Maximal covering, exact: p stations, the most demand. */
export function exactMaxCover(inst: CoverInstance, p: number, timeLimit = 60): Promise<ExactResult> {
  const n = inst.offsets.length - 1;
  const { points, rowOf } = demandRows(inst);
  const cardinality = points.length;
  const c = columns();
  for (let j = 0; j < n; j++) addColumn(c, 0, 0, 1, true, [...coverEntries(inst, rowOf, j), [cardinality, 1]]);
  points.forEach((i, r) => addColumn(c, inst.weight[i], 0, 1, false, [[r, 1]]));
  const rowLower = [...points.map(() => -Infinity), p];
  const rowUpper = [...points.map(() => 0), p];
  return solve(c, rowLower, rowUpper, true, timeLimit, n);
}

/** Set covering, exact: the fewest stations covering at least `target` demand. */
export function exactSetCover(inst: CoverInstance, target: number, timeLimit = 60): Promise<ExactResult> {
  const n = inst.offsets.length - 1;
  const { points, rowOf } = demandRows(inst);
  const total = points.length;
  const c = columns();
  for (let j = 0; j < n; j++) addColumn(c, 1, 0, 1, true, coverEntries(inst, rowOf, j));
  points.forEach((i, r) => addColumn(c, 0, 0, 1, false, [[r, 1], [total, inst.weight[i]]]));
  const rowLower = [...points.map(() => -Infinity), target];
  const rowUpper = [...points.map(() => 0), Infinity];
  return solve(c, rowLower, rowUpper, false, timeLimit, n);
}

/** Capacitated maximal covering, exact: p stations, each serving at most `capacity`. */
export function exactCapacitated(inst: CoverInstance, p: number, capacity: number, timeLimit = 60): Promise<ExactResult> {
  const n = inst.offsets.length - 1;
  const { points, rowOf } = demandRows(inst);
  // rows: demand rows (one per point), capacity rows (one per candidate), cardinality
  const capRow = (j: number) => points.length + j;
  const cardinality = points.length + n;
  const c = columns();
  for (let j = 0; j < n; j++) addColumn(c, 0, 0, 1, true, [[capRow(j), -capacity], [cardinality, 1]]);
  for (let j = 0; j < n; j++) {
    for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) {
      const r = rowOf.get(inst.items[k]);
      if (r !== undefined) addColumn(c, 1, 0, Infinity, false, [[r, 1], [capRow(j), 1]]);
    }
  }
  const rowLower = [...points.map(() => -Infinity), ...Array.from({ length: n }, () => -Infinity), p];
  const rowUpper = [...points.map((i) => inst.weight[i]), ...Array.from({ length: n }, () => 0), p];
  return solve(c, rowLower, rowUpper, true, timeLimit, n);
}
