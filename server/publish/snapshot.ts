/**
 * Building a snapshot: the view of the baseline or of a scenario (a ScenarioModel: its stations and
 * their walksheds, its joint communities) turned into plain figures — cells' metres, coverage of
 * every category × tier × speed city-wide and per community, compliance findings, gap clusters,
 * walksheds and joint communities — at one moment.
 */
import { cellsToMultiPolygon } from 'h3-js';
import type { CityContext } from '../context.ts';
import { communityCompliance } from '../core/compliance.ts';
import { cellNeighbours, gapClusters } from '../core/gaps.ts';
import { flatten, interiorPoint } from '../core/polygon.ts';
import type { CoverageRow } from '../core/stats.ts';
import { complianceRules, rulesOf, type Profile } from '../ingest/profile.ts';
import { jointStats } from '../joint.ts';
import type { ScenarioModel, Station } from '../scenario.ts';
import type { CoverageFigure, SnapshotCommunity, SnapshotData, SnapshotFinding, SnapshotJoint, Speed } from './types.ts';

export interface SnapshotRequest {
  name: string;
  title: string;
  description: string;
  view: { category: string; tier: number; speed: Speed };
}

const SPEEDS: Speed[] = ['general', 'elderly'];
export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';

// A city's cell adjacency (for gap clusters) and label points do not change between snapshots.
const cityCache = new WeakMap<CityContext, { neighbours: ReturnType<typeof cellNeighbours>; labels: Array<[number, number]> }>();
function cached(city: CityContext) {
  let c = cityCache.get(city);
  if (!c) {
    c = { neighbours: cellNeighbours(city.stored.cells.h3), labels: city.stored.communities.map((m) => interiorPoint(flatten(m.polygon))) };
    cityCache.set(city, c);
  }
  return c;
}

/**
 * The snapshot of `model` (a scenario's, or a fresh ScenarioModel of the baseline with `scenario`
 * null). Baseline metres are the build's own (to any distance); a scenario keeps metres only within
 * its walkshed reach, so farther cells are null there: no tier changes by it.
 */
export function buildSnapshot(
  city: CityContext,
  model: ScenarioModel,
  scenario: { id: string; name: string; version: number } | null,
  req: SnapshotRequest,
  now = new Date(),
): SnapshotData {
  const { stored } = city;
  const cellCount = stored.cells.h3.length;
  const categories = stored.categories.map((c) => c.id);
  const reachM = Math.max(...city.tiers) * Math.max(city.speeds.general, city.speeds.elderly);
  // metres per category per cell, unrounded: coverage is counted on these, as the rest of the API counts
  const metres = categories.map((id, k) => {
    if (!scenario) return stored.nearest.get(id)!.dist;
    const d = new Float64Array(cellCount);
    for (let c = 0; c < cellCount; c++) d[c] = model.live.nearest(k, c);
    return d;
  });

  const { coverage, perCommunity } = coverageFigures(city, metres);
  const compliance = complianceOf(city, model, perCommunity);
  const { labels, neighbours } = cached(city);

  const communities: SnapshotCommunity[] = stored.communities.map((m, i) => {
    const figures = perCommunity[i];
    const comp = compliance[i];
    return {
      id: m.id,
      name: m.name,
      population: m.population,
      residents: figures[0]?.residents ?? 0,
      elderly: figures[0]?.elderly ?? 0,
      label: labels[i],
      geometry: m.polygon,
      coverage: figures,
      compliance: comp,
    };
  });

  const k = categories.indexOf(req.view.category);
  const viewReach = req.view.tier * city.speeds[req.view.speed];
  const grid = { neighbours, residents: stored.cells.residents, elderly: stored.cells.elderly, lon: stored.cells.lon, lat: stored.cells.lat };
  const gaps = gapClusters(grid, metres[k], viewReach, stored.cells.elderly).map((g, i) => ({
    rank: i + 1,
    cells: g.cells.length,
    residents: g.residents,
    elderly: g.elderly,
    lon: g.lon,
    lat: g.lat,
    geometry: cellsToMultiPolygon(g.cells.map((c) => stored.cells.h3[c]), true),
  }));

  const stations = [...model.stations.values()];
  const walksheds = stations
    .filter((s) => s.open && s.category === req.view.category && s.shed.cells.length > 0)
    .flatMap((s) => {
      const cells: string[] = [];
      for (let i = 0; i < s.shed.cells.length; i++) if (s.shed.dist[i] <= viewReach) cells.push(stored.cells.h3[s.shed.cells[i]]);
      return cells.length ? [{ station: s.id, geometry: cellsToMultiPolygon(cells, true) }] : [];
    });

  const joints: SnapshotJoint[] = [...model.joints.values()].map((j) => {
    const st = jointStats(city, model, j);
    const byKey = new Map(st.coverage.map((r) => [`${r.category}/${r.tier}/${r.speed}`, r]));
    return {
      id: st.id,
      name: st.name,
      units: st.units.map((u) => u.id),
      residents: st.residents,
      elderly: st.elderly,
      pass: st.pass,
      problems: st.findings.map((f) => ({ kind: f.problem, ...('value' in f ? { value: f.value, threshold: f.threshold } : {}) })),
      workstations: st.workstations,
      site: st.site,
      label: interiorPoint(flatten(st.geometry.coordinates)),
      geometry: st.geometry.coordinates,
      coverage: figureGrid(city, (category, tier, speed) => {
        const r = byKey.get(`${category}/${tier}/${speed}`)!;
        return { residents: st.residents, residentsCovered: r.residentsCovered, elderly: st.elderly, elderlyCovered: r.elderlyCovered };
      }),
      requirements: st.requirements.map((f) => requirementFinding(stored.profile as Profile, f)),
    };
  });

  return {
    format: 'lifecircle-snapshot/1',
    name: req.name,
    title: req.title,
    description: req.description,
    publishedAt: now.toISOString(),
    scenario,
    view: { ...req.view, weight: 'elderly' },
    city: {
      name: city.name,
      bbox: city.bbox,
      resolution: city.resolution,
      speeds: { ...city.speeds },
      tiers: [...city.tiers],
      reachM: scenario ? reachM : null,
    },
    attribution: [OSM_ATTRIBUTION, 'OpenStreetMap data: Open Database License (ODbL) 1.0'],
    profile: stored.profile.name,
    categories: stored.categories.map((c) => ({ id: c.id, zh: c.zh, en: c.en })),
    cells: {
      resolution: city.resolution,
      h3: stored.cells.h3,
      lon: Array.from(stored.cells.lon, (v) => Math.round(v * 1e6) / 1e6),
      lat: Array.from(stored.cells.lat, (v) => Math.round(v * 1e6) / 1e6),
      residents: Array.from(stored.cells.residents),
      elderly: Array.from(stored.cells.elderly),
      distM: Object.fromEntries(categories.map((id, j) => [id, Array.from(metres[j], (m) => (Number.isFinite(m) ? Math.round(m) : null))])),
    },
    coverage,
    communities,
    joints,
    stations: stations.map(stationJson),
    gaps,
    walksheds,
  };
}

function stationJson(s: Station) {
  return { id: s.id, name: s.name, category: s.category, lon: s.lon, lat: s.lat, capacity: s.capacity, open: s.open, added: s.added };
}

/** One figure per category × tier × speed, in the order categories → tiers → speeds. */
function figureGrid(city: CityContext, at: (category: string, tier: number, speed: Speed) => Omit<CoverageFigure, 'category' | 'tier' | 'speed'>): CoverageFigure[] {
  const out: CoverageFigure[] = [];
  for (const c of city.stored.categories) for (const tier of city.tiers) for (const speed of SPEEDS) out.push({ category: c.id, tier, speed, ...at(c.id, tier, speed) });
  return out;
}

/** Coverage city-wide (over cells) and per community (over the (cell, community) shares). */
function coverageFigures(city: CityContext, metres: Float64Array[]) {
  const { cells, shares, communities, categories } = city.stored;
  let residents = 0;
  let elderly = 0;
  for (let c = 0; c < cells.h3.length; c++) {
    residents += cells.residents[c];
    elderly += cells.elderly[c];
  }
  const byCommunity = communities.map(() => ({ residents: 0, elderly: 0 }));
  for (let s = 0; s < shares.cell.length; s++) {
    byCommunity[shares.community[s]].residents += shares.residents[s];
    byCommunity[shares.community[s]].elderly += shares.elderly[s];
  }
  const covered = new Map<string, { total: [number, number]; community: Float64Array }>();
  categories.forEach((cat, k) => {
    const dist = metres[k];
    for (const tier of city.tiers) {
      for (const speed of SPEEDS) {
        const reach = tier * city.speeds[speed];
        let rc = 0;
        let ec = 0;
        for (let c = 0; c < dist.length; c++) {
          if (dist[c] > reach) continue;
          rc += cells.residents[c];
          ec += cells.elderly[c];
        }
        const community = new Float64Array(communities.length * 2);
        for (let s = 0; s < shares.cell.length; s++) {
          if (dist[shares.cell[s]] > reach) continue;
          community[2 * shares.community[s]] += shares.residents[s];
          community[2 * shares.community[s] + 1] += shares.elderly[s];
        }
        covered.set(`${cat.id}/${tier}/${speed}`, { total: [rc, ec], community });
      }
    }
  });
  const coverage = figureGrid(city, (cat, tier, speed) => {
    const [rc, ec] = covered.get(`${cat}/${tier}/${speed}`)!.total;
    return { residents, residentsCovered: rc, elderly, elderlyCovered: ec };
  });
  const perCommunity = communities.map((_, i) =>
    figureGrid(city, (cat, tier, speed) => {
      const v = covered.get(`${cat}/${tier}/${speed}`)!.community;
      return { residents: byCommunity[i].residents, residentsCovered: v[2 * i], elderly: byCommunity[i].elderly, elderlyCovered: v[2 * i + 1] };
    }),
  );
  return { coverage, perCommunity };
}

/**
 * Every community's findings against the profile at the model's stations: the facility requirements
 * on its coverage, elderly-care supply by 2SFCA over the open stations' walksheds and capacities.
 * Computed as the build computes them (core/compliance.ts), so the baseline's equal the stored ones.
 */
function complianceOf(city: CityContext, model: ScenarioModel, perCommunity: CoverageFigure[][]): SnapshotCommunity['compliance'][] {
  const { stored } = city;
  const profile = stored.profile as Profile;
  const { requirements, norms } = complianceRules(profile, city.tiers, city.speeds);
  const open = [...model.stations.values()].filter((s) => s.open);
  const offsets = new Int32Array(open.length + 1);
  open.forEach((s, i) => (offsets[i + 1] = offsets[i] + s.shed.cells.length));
  const cell = new Int32Array(offsets[open.length]);
  const dist = new Float64Array(offsets[open.length]);
  open.forEach((s, i) => {
    cell.set(s.shed.cells, offsets[i]);
    dist.set(s.shed.dist, offsets[i]);
  });
  const rows: CoverageRow[] = perCommunity.flatMap((figures, community) =>
    figures.map((f) => ({ category: f.category, tierMin: f.tier, speed: f.speed, community, residents: f.residents, residentsCovered: f.residentsCovered, elderly: f.elderly, elderlyCovered: f.elderlyCovered, medianMin: null, p90Min: null, elderlyMedianMin: null, elderlyP90Min: null })),
  );
  const result = communityCompliance({
    populations: stored.communities.map((c) => c.population),
    rows,
    tiers: rulesOf(profile, 'tier').map((t) => ({ minutes: t.minutes, residents: t.residents })),
    requirements,
    norms,
    facilityCategory: open.map((s) => s.category),
    capacity: open.map((s) => s.capacity),
    walksheds: { offsets, cell, dist },
    cellElderly: stored.cells.elderly,
    shares: { cell: stored.shares.cell, community: stored.shares.community, elderly: stored.shares.elderly },
  });
  const sourceOf = (id: string) => profile.rules.find((r) => r.id === id)!.source;
  return result.map((c) => {
    if (stored.communities[c.community].population === null) return null;
    const findings: SnapshotFinding[] = [
      ...c.requirements.map((f) => requirementFinding(profile, f)),
      ...c.supply.map((s) => ({ rule: s.rule, kind: 'supply_norm' as const, category: s.category, tier: null, target: 'elderly' as const, share: null, value: s.value, threshold: s.amount, perCount: s.perCount, pass: s.pass, source: sourceOf(s.rule) })),
    ].sort((a, b) => (a.kind === b.kind ? (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) : a.kind < b.kind ? -1 : 1)); // as /api/compliance lists them
    const fit = c.fit;
    return { position: fit.position, tierMinutes: fit.position === 'within' ? fit.tierMinutes : null, governingMinutes: c.governingTier, pass: findings.every((f) => f.pass), findings };
  });
}

function requirementFinding(profile: Profile, f: { rule: string; category: string; tierMinutes: number; for: 'residents' | 'elderly'; share: number | null; pass: boolean }): SnapshotFinding {
  const rule = profile.rules.find((r) => r.id === f.rule)!;
  return {
    rule: f.rule, kind: 'facility_requirement', category: f.category, tier: f.tierMinutes, target: f.for, share: f.share, value: null,
    threshold: (rule as { minShare: number }).minShare, perCount: null, pass: f.pass, source: rule.source,
  };
}
