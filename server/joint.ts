/**
 * Joint communities on a loaded city: the units (stored), their adjacency, the walk of every
 * populated cell at the joint-community rule's tier and speed (profile rule `joint_community`),
 * built once on first use; checks and suggestions over them (core/joint.ts, joint-suggest.ts).
 */
import type { CityContext } from './context.ts';
import { cellNeighbours } from './core/gaps.ts';
import { checkJoint, unitAdjacency, type CellReach, type JointFinding, type JointRule, type JointUnits } from './core/joint.ts';
import { suggestJoint } from './core/joint-suggest.ts';
import { walksheds } from './core/reach.ts';
import { cellsToMultiPolygon, latLngToCell } from 'h3-js';
import { checkRequirements, governingTier, tierOf } from './core/compliance.ts';
import type { CoverageRow } from './core/stats.ts';
import { rulesOf, type Profile } from './ingest/profile.ts';
import type { Joint, ScenarioModel, Station } from './scenario.ts';

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

/** A finding with unit ids, H3 cells and boundary ids instead of indices, for answers. */
export function findingJson(stored: CityContext['stored'], f: JointFinding) {
  switch (f.problem) {
    case 'not_contiguous':
      return { ...f, parts: f.parts.map((p) => p.map((u) => stored.units[u].id)) };
    case 'no_workstation_site':
    case 'unserved':
      return { ...f, cells: f.cells.map((c) => stored.cells.h3[c]) };
    case 'crosses_boundary':
      return { ...f, boundaries: f.boundaries.map((b) => stored.communities[b].id) };
    default:
      return f;
  }
}

/** Stations of this category serve as a joint community's workstations. */
export const WORKSTATION_CATEGORY = 'community_service';

/**
 * A joint community of a scenario with its figures: residents and elderly; its workstations (the
 * scenario's open community-service stations inside it) or, without one, the site where one would
 * serve everyone; the joint-community rule's findings; coverage per category × tier × speed over its
 * cells at the scenario's stations; its life-circle tier by population and the facility requirements
 * of the standards profile.
 */
export function jointStats(city: CityContext, model: ScenarioModel, joint: Joint, options: { sameBoundary?: boolean } = {}) {
  const { stored } = city;
  const cells = joint.units.flatMap((u) => stored.units[u].cells);
  const inside = new Set(cells);
  const workstations: Station[] = [];
  const stationCells: number[] = [];
  for (const s of model.stations.values()) {
    if (!s.open || s.category !== WORKSTATION_CATEGORY) continue;
    const c = city.cellIndex.get(latLngToCell(s.lat, s.lon, city.resolution));
    if (c === undefined || !inside.has(c)) continue;
    workstations.push(s);
    stationCells.push(c);
  }
  const check = city.joint.check(joint.units, { sameBoundary: options.sameBoundary, stations: stationCells });
  let residents = 0;
  let elderly = 0;
  for (const c of cells) {
    residents += stored.cells.residents[c];
    elderly += stored.cells.elderly[c];
  }
  const rows: CoverageRow[] = [];
  model.live.categories.forEach((category, k) => {
    for (const speed of ['general', 'elderly'] as const) {
      for (const tierMin of city.tiers) {
        const reach = tierMin * city.speeds[speed];
        let rc = 0;
        let ec = 0;
        for (const c of cells) {
          if (model.live.nearest(k, c) > reach) continue;
          rc += stored.cells.residents[c];
          ec += stored.cells.elderly[c];
        }
        rows.push({ category, tierMin, speed, community: -1, residents, residentsCovered: rc, elderly, elderlyCovered: ec, medianMin: null, p90Min: null, elderlyMedianMin: null, elderlyP90Min: null });
      }
    }
  });
  const tiers = rulesOf(stored.profile as Profile, 'tier').map((t) => ({ minutes: t.minutes, residents: t.residents }));
  const fit = tierOf(residents, tiers);
  const governing = governingTier(fit);
  const requirements = checkRequirements(rows, rulesOf(stored.profile as Profile, 'facility_requirement').filter((r) => city.tiers.includes(r.tierMinutes)), governing);
  return {
    id: joint.id,
    name: joint.name,
    units: joint.units.map((u) => ({ id: stored.units[u].id, name: stored.units[u].name })),
    residents,
    elderly,
    workstations: workstations.map((s) => ({ id: s.id, name: s.name, lon: s.lon, lat: s.lat })),
    site: workstations.length || !check.sites.length ? null : stored.cells.h3[check.sites[0]],
    rule: { id: city.joint.rule.id, source: city.joint.rule.source },
    pass: check.findings.length === 0,
    findings: check.findings.map((f) => findingJson(stored, f)),
    tier: { ...fit, governingMinutes: governing },
    requirements,
    coverage: rows.map(({ category, tierMin, speed, residentsCovered, elderlyCovered }) => ({ category, tier: tierMin, speed, residentsCovered, elderlyCovered })),
    // the dissolved boundary: the outline of the members' cells (shared edges gone, one polygon when they touch)
    geometry: { type: 'MultiPolygon' as const, coordinates: cellsToMultiPolygon(cells.map((c) => stored.cells.h3[c]), true) },
  };
}
