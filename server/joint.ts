/**
 * Joint communities on a loaded city: the units (stored), their adjacency, the walk of every
 * populated cell at the joint-community rule's tier and speed (profile rule `joint_community`),
 * built once on first use; checks and suggestions over them (core/joint.ts, joint-suggest.ts).
 */
import type { CityContext } from './context.ts';
import { cellNeighbours } from './core/gaps.ts';
import { checkJoint, unitAdjacency, type CellReach, type JointRule, type JointUnits } from './core/joint.ts';
import { suggestJoint } from './core/joint-suggest.ts';
import { walksheds } from './core/reach.ts';

export class JointContext {
  readonly units: JointUnits;
  readonly adjacency: { offsets: Int32Array; items: Int32Array };
  readonly reach: CellReach;
  readonly rule: JointRule & { tierMinutes: number; speed: 'general' | 'elderly'; reachM: number; source: { document: string; clause: string; label: string } };
  readonly unitIndex: Map<string, number>;

  constructor(readonly city: CityContext) {
    const { stored } = city;
    const r = stored.profile.rules.find((x) => x.kind === 'joint_community' && x.enabled) as
      | { id: string; residents: [number, number]; tierMinutes: number; speed: 'general' | 'elderly'; source: { document: string; clause: string; label: string } }
      | undefined;
    const rule = r ?? { id: 'joint.residents', residents: [5000, 12000] as [number, number], tierMinutes: 15, speed: 'elderly' as const, source: { document: 'docs/domain.md', clause: 'check 4', label: 'S' } };
    this.rule = { ...rule, sameBoundary: false, reachM: rule.tierMinutes * city.speeds[rule.speed] };
    this.units = {
      cells: stored.units.map((u) => u.cells),
      residents: stored.units.map((u) => u.residents),
      boundary: stored.units.map((u) => u.community),
    };
    this.unitIndex = new Map(stored.units.map((u, i) => [u.id, i]));
    const cellUnit = new Int32Array(stored.cells.h3.length).fill(-1);
    stored.units.forEach((u, i) => u.cells.forEach((c) => (cellUnit[c] = i)));
    this.adjacency = unitAdjacency(stored.units.length, cellUnit, cellNeighbours(stored.cells.h3));
    // the walk of every populated cell on the network
    const { residents } = stored.cells;
    const from = [...residents.keys()].filter((c) => residents[c] > 0 && city.cellsPlaced.edge[c] >= 0);
    const sheds = walksheds(
      city.graph,
      {
        edge: Int32Array.from(from, (c) => city.cellsPlaced.edge[c]),
        offset: Float64Array.from(from, (c) => city.cellsPlaced.offset[c]),
        access: Float64Array.from(from, (c) => city.cellsPlaced.access[c]),
      },
      city.cellsPlaced,
      city.cellsOnEdge,
      this.rule.reachM,
    );
    const offsets = new Int32Array(residents.length + 1);
    from.forEach((c, i) => (offsets[c + 1] = sheds.offsets[i + 1] - sheds.offsets[i]));
    for (let c = 0; c < residents.length; c++) offsets[c + 1] += offsets[c];
    const items = new Int32Array(offsets[residents.length]);
    from.forEach((c, i) => items.set(sheds.target.subarray(sheds.offsets[i], sheds.offsets[i + 1]), offsets[c]));
    // cells off the network (beyond the snapping limit, reported by the build) can be reached by no
    // workstation: the walk rule leaves them out rather than fail every unit holding one
    this.reach = { offsets, items, populated: (c) => residents[c] > 0 && city.cellsPlaced.edge[c] >= 0 };
  }

  check(members: number[], options: { sameBoundary?: boolean; stations?: number[] } = {}) {
    return checkJoint(members, this.units, this.adjacency, this.reach, { ...this.rule, sameBoundary: options.sameBoundary ?? false }, options.stations);
  }

  suggest(area: number[], options: { seed: number; restarts: number; sameBoundary?: boolean }) {
    return suggestJoint(area, this.units, this.adjacency, this.reach, { ...this.rule, sameBoundary: options.sameBoundary ?? false }, options);
  }
}
