/**
 * Joint communities (联合社区): neighbouring community units merged so that one regional service
 * workstation serves them all on foot. The rules (docs/domain.md, check 4; profile rule
 * `joint_community`): residents between a floor and a cap; the members contiguous; every resident
 * within the tier's walk (default 15 min at the elderly speed) of a workstation; optionally no
 * crossing of sub-district lines.
 *
 * The walk rule is checked on cells: `reach(i)` are the cells within the walk of populated cell i
 * (walking distances are symmetric), so a workstation at cell j serves all of a set S exactly when
 * j lies in reach(i) for every populated i in S. Without a workstation yet, the rule holds when
 * such a j exists inside S (the sites are returned); with workstations, each populated cell must
 * be in reach of one of them.
 */

/** CSR: for each unit, its neighbouring units (sharing a cell edge), ascending. */
export function unitAdjacency(unitCount: number, cellUnit: Int32Array, neighbours: { offsets: Int32Array; items: Int32Array }): { offsets: Int32Array; items: Int32Array } {
  const sets = Array.from({ length: unitCount }, () => new Set<number>());
  for (let c = 0; c < cellUnit.length; c++) {
    const u = cellUnit[c];
    if (u < 0) continue;
    for (let k = neighbours.offsets[c]; k < neighbours.offsets[c + 1]; k++) {
      const v = cellUnit[neighbours.items[k]];
      if (v >= 0 && v !== u) sets[u].add(v);
    }
  }
  const offsets = new Int32Array(unitCount + 1);
  const items: number[] = [];
  sets.forEach((s, u) => {
    items.push(...[...s].sort((a, b) => a - b));
    offsets[u + 1] = items.length;
  });
  return { offsets, items: Int32Array.from(items) };
}

const neighboursOf = (adj: { offsets: Int32Array; items: Int32Array }, u: number) => adj.items.subarray(adj.offsets[u], adj.offsets[u + 1]);

/** Whether the units form one connected piece by adjacency. */
export function isContiguous(units: readonly number[], adj: { offsets: Int32Array; items: Int32Array }): boolean {
  if (units.length === 0) return false;
  const set = new Set(units);
  const seen = new Set([units[0]]);
  const stack = [units[0]];
  while (stack.length) {
    for (const v of neighboursOf(adj, stack.pop()!)) {
      if (set.has(v) && !seen.has(v)) {
        seen.add(v);
        stack.push(v);
      }
    }
  }
  return seen.size === set.size;
}

/** The walk of every populated cell: CSR over cells (empty rows for cells with nobody). */
export interface CellReach {
  offsets: Int32Array;
  items: Int32Array;
  populated: (cell: number) => boolean;
}

/** Cells of `cells` from which one workstation would reach every populated cell of `cells`. */
export function workstationSites(cells: readonly number[], reach: CellReach): number[] {
  const inside = new Set(cells);
  const count = new Map<number, number>();
  let populated = 0;
  for (const i of cells) {
    if (!reach.populated(i)) continue;
    populated++;
    for (let k = reach.offsets[i]; k < reach.offsets[i + 1]; k++) {
      const j = reach.items[k];
      if (inside.has(j)) count.set(j, (count.get(j) ?? 0) + 1);
    }
  }
  if (populated === 0) return [...cells].sort((a, b) => a - b);
  return [...count].filter(([, n]) => n === populated).map(([j]) => j).sort((a, b) => a - b);
}

/** Populated cells of `cells` that no workstation at `stations` (cells) reaches. */
export function unservedCells(cells: readonly number[], stations: readonly number[], reach: CellReach): number[] {
  const at = new Set(stations);
  const out: number[] = [];
  for (const i of cells) {
    if (!reach.populated(i)) continue;
    let served = false;
    for (let k = reach.offsets[i]; k < reach.offsets[i + 1] && !served; k++) served = at.has(reach.items[k]);
    if (!served) out.push(i);
  }
  return out;
}

export interface JointRule {
  id: string;
  residents: [number, number];
  /** Members must come from one sub-district (boundary). */
  sameBoundary: boolean;
}

export interface JointUnits {
  cells: ReadonlyArray<readonly number[]>;
  residents: ArrayLike<number>;
  /** The boundary (sub-district) each unit lies in. */
  boundary: ArrayLike<number>;
}

export type JointFinding =
  | { rule: string; problem: 'residents_below' | 'residents_above'; value: number; threshold: number }
  | { rule: string; problem: 'not_contiguous'; parts: number[][] }
  | { rule: string; problem: 'no_workstation_site' | 'unserved'; cells: number[] }
  | { rule: string; problem: 'crosses_boundary'; boundaries: number[] };

export interface JointCheck {
  residents: number;
  contiguous: boolean;
  /** Cells where one new workstation would serve everyone (when the joint community has none). */
  sites: number[];
  findings: JointFinding[];
}

/** Connected parts of a set of units. */
function parts(units: readonly number[], adj: { offsets: Int32Array; items: Int32Array }): number[][] {
  const set = new Set(units);
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const u of units) {
    if (seen.has(u)) continue;
    const part = [u];
    seen.add(u);
    for (let i = 0; i < part.length; i++) for (const v of neighboursOf(adj, part[i])) if (set.has(v) && !seen.has(v)) (seen.add(v), part.push(v));
    out.push(part.sort((a, b) => a - b));
  }
  return out;
}

/**
 * Check a joint community (its member units) against the rule. `stations` are the cells of its
 * workstations; when empty, the walk rule asks for a site where one would serve everyone.
 */
export function checkJoint(members: readonly number[], units: JointUnits, adj: { offsets: Int32Array; items: Int32Array }, reach: CellReach, rule: JointRule, stations: readonly number[] = []): JointCheck {
  const findings: JointFinding[] = [];
  let residents = 0;
  for (const u of members) residents += units.residents[u];
  const [floor, cap] = rule.residents;
  if (residents < floor) findings.push({ rule: rule.id, problem: 'residents_below', value: residents, threshold: floor });
  if (residents > cap) findings.push({ rule: rule.id, problem: 'residents_above', value: residents, threshold: cap });
  const pieces = parts(members, adj);
  if (pieces.length > 1) findings.push({ rule: rule.id, problem: 'not_contiguous', parts: pieces });
  const cells = members.flatMap((u) => units.cells[u]);
  let sites: number[] = [];
  if (stations.length) {
    const unserved = unservedCells(cells, stations, reach);
    if (unserved.length) findings.push({ rule: rule.id, problem: 'unserved', cells: unserved });
  } else {
    sites = workstationSites(cells, reach);
    if (!sites.length) findings.push({ rule: rule.id, problem: 'no_workstation_site', cells: farthestCells(cells, reach) });
  }
  const boundaries = [...new Set(members.map((u) => units.boundary[u]))].sort((a, b) => a - b);
  if (rule.sameBoundary && boundaries.length > 1) findings.push({ rule: rule.id, problem: 'crosses_boundary', boundaries });
  return { residents, contiguous: pieces.length === 1, sites, findings };
}

/**
 * The cells at fault when no single site serves everyone: those out of reach of the site that
 * reaches the most populated cells.
 */
function farthestCells(cells: readonly number[], reach: CellReach): number[] {
  const inside = new Set(cells);
  const count = new Map<number, number>();
  for (const i of cells) {
    if (!reach.populated(i)) continue;
    for (let k = reach.offsets[i]; k < reach.offsets[i + 1]; k++) if (inside.has(reach.items[k])) count.set(reach.items[k], (count.get(reach.items[k]) ?? 0) + 1);
  }
  let best = -1;
  let most = -1;
  for (const [j, n] of count) if (n > most || (n === most && j < best)) ((best = j), (most = n));
  return best < 0 ? cells.filter((i) => reach.populated(i)) : unservedCells(cells, [best], reach);
}
