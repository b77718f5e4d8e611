/**
 * Suggest joint communities for an area: partition its units into groups that each satisfy the
 * joint-community rule, with as few groups as possible.
 *
 * The method is the construction phase of max-p regionalisation (Duque, Anselin & Rey 2012) with
 * its objective turned around — here a cap and the walk bound a group from above and we want few
 * groups, where max-p wants many above a floor: from seeds in a seeded random order, each group
 * grows by the neighbouring unit that keeps it feasible and brings the most residents, until
 * nothing more fits. Groups left under the floor are then merged into a feasible neighbouring
 * group, else their units join neighbouring groups one by one where they fit. Several seeded
 * restarts; the best (fewest units left out, then fewest groups) wins. Units that cannot be
 * placed in any group that satisfies every rule are listed with the reason.
 */
import { seeded } from './random.ts';
import { checkJoint, type CellReach, type JointRule, type JointUnits } from './joint.ts';

export interface Unplaced {
  unit: number;
  reason: 'residents_above' | 'no_workstation_site' | 'below_floor';
}

export interface JointSuggestion {
  groups: number[][];
  unplaced: Unplaced[];
}


export function suggestJoint(
  area: readonly number[],
  units: JointUnits,
  adj: { offsets: Int32Array; items: Int32Array },
  reach: CellReach,
  rule: JointRule,
  options: { seed: number; restarts: number },
): JointSuggestion {
  const inArea = new Set(area);
  const [floor, cap] = rule.residents;
  const ok = (members: number[]) => checkJoint(members, units, adj, reach, rule).findings.every((f) => f.problem === 'residents_below');
  // units no group can hold: too many residents alone, or no site serves even the unit alone
  const alone = new Map<number, Unplaced['reason']>();
  for (const u of area) {
    const f = checkJoint([u], units, adj, reach, rule).findings;
    if (f.some((x) => x.problem === 'residents_above')) alone.set(u, 'residents_above');
    else if (f.some((x) => x.problem === 'no_workstation_site')) alone.set(u, 'no_workstation_site');
  }
  const sum = (g: number[]) => g.reduce((a, u) => a + units.residents[u], 0);
  const neighbours = (g: number[], free: (v: number) => boolean) => {
    const out = new Set<number>();
    for (const u of g) for (let k = adj.offsets[u]; k < adj.offsets[u + 1]; k++) if (free(adj.items[k])) out.add(adj.items[k]);
    return [...out].sort((a, b) => a - b);
  };

  let best: JointSuggestion | null = null;
  for (let r = 0; r < Math.max(1, options.restarts); r++) {
    const rand = seeded(options.seed + r * 7919);
    const order = [...area].filter((u) => !alone.has(u)).sort((a, b) => a - b);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const groupOf = new Map<number, number>();
    const groups: number[][] = [];
    for (const seed of order) {
      if (groupOf.has(seed)) continue;
      const g = [seed];
      groupOf.set(seed, groups.length);
      for (;;) {
        const room = cap - sum(g);
        const fits = neighbours(g, (v) => inArea.has(v) && !groupOf.has(v) && !alone.has(v))
          .filter((v) => units.residents[v] <= room)
          .sort((a, b) => units.residents[b] - units.residents[a] || a - b);
        const next = fits.find((v) => ok([...g, v]));
        if (next === undefined) break;
        g.push(next);
        groupOf.set(next, groups.length);
      }
      groups.push(g);
    }
    // groups under the floor: merge into a neighbouring group, else hand their units out
    for (let gi = 0; gi < groups.length; gi++) {
      const g = groups[gi];
      if (!g.length || sum(g) >= floor) continue;
      const near = [...new Set(neighbours(g, (v) => groupOf.has(v) && groupOf.get(v) !== gi).map((v) => groupOf.get(v)!))];
      const target = near.find((h) => ok([...groups[h], ...g]) && sum(groups[h]) + sum(g) <= cap);
      if (target !== undefined) {
        for (const u of g) groupOf.set(u, target);
        groups[target].push(...g);
        groups[gi] = [];
        continue;
      }
      for (const u of [...g]) {
        const h = [...new Set(neighbours([u], (v) => groupOf.has(v) && groupOf.get(v) !== gi).map((v) => groupOf.get(v)!))].find(
          (h) => sum(groups[h]) + units.residents[u] <= cap && ok([...groups[h], u]),
        );
        if (h === undefined) continue;
        groups[h].push(u);
        groupOf.set(u, h);
        g.splice(g.indexOf(u), 1);
      }
    }
    const kept = groups.filter((g) => g.length && sum(g) >= floor).map((g) => g.sort((a, b) => a - b));
    const placed = new Set(kept.flat());
    const unplaced: Unplaced[] = [...area]
      .filter((u) => !placed.has(u))
      .sort((a, b) => a - b)
      .map((u) => ({ unit: u, reason: alone.get(u) ?? 'below_floor' }));
    const candidate = { groups: kept.sort((a, b) => a[0] - b[0]), unplaced };
    if (!best || unplaced.length < best.unplaced.length || (unplaced.length === best.unplaced.length && kept.length < best.groups.length)) best = candidate;
  }
  return best!;
}
