/**
 * The city build, stage by stage (file → ingest → core); db/city.ts stores the result.
 *
 *   read      optional grids file (first, so a bad one fails fast), OSM PBF, community and facility files
 *   network   walkable ways → junction graph (CSR)
 *   demand    communities + residential buildings → residents and elderly per H3 cell
 *   snap      facilities and cell centres onto the nearest edge
 *   coverage  walksheds of every facility, nearest facility of each category per cell
 *   stats     coverage per category × tier × speed, in total and per community; gap clusters
 *   compliance  communities and grids against the standards profile
 *
 * Everything is validated and computed in memory first, so a bad input fails before the
 * database is touched.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cellToLatLng } from 'h3-js';
import { InputError } from './errors.ts';
import { DEFAULTS, HARBIN_NAME, HARBIN_PBF } from './config.ts';
import { readPbf } from './ingest/pbf.ts';
import { buildNetwork, type Network } from './ingest/network.ts';
import { osmBasemap } from './ingest/basemap.ts';
import type { Basemap } from './core/tiles.ts';
import { osmBoundaries } from './ingest/boundaries.ts';
import { osmResidentialBuildings } from './ingest/buildings.ts';
import { loadCategories, type CategoryMapping } from './ingest/categories.ts';
import { osmFacilities } from './ingest/facilities.ts';
import { readCommunitiesGeoJSON, readFacilitiesGeoJSON, readGridsGeoJSON, type FacilityFileOptions } from './ingest/geojson.ts';
import { readFacilitiesCSV } from './ingest/csv.ts';
import type { Crs } from './ingest/coords.ts';
import { buildGraph, type Graph } from './core/graph.ts';
import { buildDemand, type Demand } from './core/grid.ts';
import { EdgeIndex, type Snapped } from './core/snap.ts';
import { computeCoverage, type CoverageResult } from './core/coverage.ts';
import { coverageRows, type CoverageRow } from './core/stats.ts';
import { cellNeighbours, gapClusters, type GapCluster } from './core/gaps.ts';
import type { Placed } from './core/reach.ts';
import { communityCompliance, type CommunityCompliance } from './core/compliance.ts';
import { checkGrids, type GridCheck } from './core/grids.ts';
import { landuseAt, type Landuse } from './core/landuse.ts';
import { communityUnits, type CommunityUnit } from './core/units.ts';
import { Barriers, barrierSegments } from './core/barriers.ts';
import { complianceRules, loadProfile, profileAnalysis, rulesOf, DEFAULT_PROFILE_PATH, type Profile } from './ingest/profile.ts';
import type { Community, Facility, Grid, ImportNote } from './core/types.ts';

export interface CommunityFile {
  path: string;
  idField?: string;
  nameField: string;
  populationField: string;
  elderlyField?: string;
  crs?: Crs;
}

/** Grid management units (网格); households and residents are optional per grid. */
export interface GridFile {
  path: string;
  idField?: string;
  nameField: string;
  householdsField: string;
  residentsField: string;
  crs?: Crs;
}

export interface FacilityFile {
  path: string;
  /** Category id for every row, or the column/property that holds it. */
  category?: string;
  categoryField?: string;
  nameField?: string;
  capacityField?: string;
  lonField?: string;
  latField?: string;
  crs?: Crs;
}

export interface BuildOptions {
  pbf: string;
  /** The city's name on the map, published pages and reports; the extract's file name without .osm.pbf when absent. */
  cityName?: string;
  categoriesFile?: string;
  /** Standards profile (data/standards/default.json when absent). */
  profileFile?: string;
  communities?: CommunityFile;
  facilities: FacilityFile[];
  /** Grids to check against the profile's grid-size rules; none when absent. */
  grids?: GridFile;
  /** Take facilities from the PBF too (default true). */
  osmFacilities: boolean;
  adminLevel: number;
  resolution: number;
  elderlyShare: number;
  buildingM2PerResident: number;
  speeds: { general: number; elderly: number };
  tiers: number[];
  maxSnapM: number;
  minComponentNodes: number;
  countAccess: boolean;
  nearestCutoffM: number;
  /** Resident range of the community units derived from coarse (OSM) boundaries. */
  unitResidents: [number, number];
}

/**
 * Build options with the defaults: walking speeds and tiers from the standards profile (the
 * default one unless `profileFile` names another), the rest from server/config.ts.
 */
export function defaultOptions(pbf: string, profileFile?: string): BuildOptions {
  const fromProfile = profileAnalysis(loadProfile(profileFile ?? DEFAULT_PROFILE_PATH));
  return {
    pbf,
    cityName: pbf === HARBIN_PBF ? HARBIN_NAME : undefined,
    profileFile,
    facilities: [],
    osmFacilities: true,
    adminLevel: DEFAULTS.adminLevel,
    resolution: DEFAULTS.resolution,
    elderlyShare: DEFAULTS.elderlyShare,
    buildingM2PerResident: DEFAULTS.buildingM2PerResident,
    speeds: { ...DEFAULTS.speeds, ...fromProfile.speeds },
    tiers: fromProfile.tiers ?? [...DEFAULTS.tiers],
    maxSnapM: DEFAULTS.maxSnapM,
    minComponentNodes: DEFAULTS.minComponentNodes,
    countAccess: DEFAULTS.countAccess,
    nearestCutoffM: DEFAULTS.nearestCutoffM,
    unitResidents: [...DEFAULTS.unitResidents],
  };
}

export interface GapSet {
  category: string;
  tierMin: number;
  speed: 'general' | 'elderly';
  /** Whose gap: cells with residents, or cells with elderly residents, beyond the tier. */
  weight: 'residents' | 'elderly';
  clusters: GapCluster[];
}

export interface City {
  options: BuildOptions;
  network: Network;
  graph: Graph;
  /** The city's own map layers (water, green, buildings, roads, boundaries) for the offline basemap. */
  basemap: Basemap;
  categories: CategoryMapping;
  communities: Community[];
  facilities: Facility[];
  facilitySnap: Snapped;
  demand: Demand;
  cellLon: Float64Array;
  /** Community units (derived from coarse boundaries, or the communities as given) and each cell's unit (-1: none). */
  units: CommunityUnit[];
  cellUnit: Int32Array;
  /** Water or green at each cell centre, else null. */
  cellLanduse: Landuse[];
  cellLat: Float64Array;
  cellSnap: Snapped;
  coverage: CoverageResult;
  rows: CoverageRow[];
  gaps: GapSet[];
  profile: Profile;
  compliance: CommunityCompliance[];
  /** The grids file's grids (empty without one) and their checks, parallel. */
  grids: Grid[];
  gridChecks: GridCheck[];
  notes: Array<ImportNote & { stage: string }>;
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

export type Progress = (stage: string, message: string) => void;

/** Validate options that do not depend on the files; throws InputError naming the option. */
export function checkOptions(o: BuildOptions): void {
  const bad = (field: string, problem: string) => new InputError(problem, { field });
  if (!Number.isInteger(o.resolution) || o.resolution < 5 || o.resolution > 12) throw bad('resolution', `must be an integer from 5 to 12, got ${o.resolution}`);
  if (!Number.isInteger(o.adminLevel) || o.adminLevel < 2 || o.adminLevel > 11) throw bad('admin-level', `must be an integer from 2 to 11, got ${o.adminLevel}`);
  for (const [k, v] of Object.entries(o.speeds)) {
    if (!(v > 0 && v < 300)) throw bad(`speed-${k}`, `must be a walking speed in m/min above 0 and below 300, got ${v}`);
  }
  if (!(o.elderlyShare >= 0 && o.elderlyShare <= 1)) throw bad('elderly-share', `must be a share from 0 to 1, got ${o.elderlyShare}`);
  if (!o.tiers.length || o.tiers.some((t) => !(Number.isInteger(t) && t > 0 && t <= 120))) throw bad('tiers', `must be whole minutes from 1 to 120, got ${o.tiers.join(',')}`);
  if (!(o.buildingM2PerResident >= 0)) throw bad('building-m2-per-resident', `must be 0 or more square metres, got ${o.buildingM2PerResident}`);
  if (!(o.maxSnapM > 0)) throw bad('max-snap', `must be a distance in metres above 0, got ${o.maxSnapM}`);
  const [uMin, uMax] = o.unitResidents;
  if (!(Number.isInteger(uMin) && Number.isInteger(uMax) && uMin > 0 && uMax >= uMin)) throw bad('unit-residents', `must be two whole numbers, the smaller first, got ${o.unitResidents.join(',')}`);
}

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file: path });
  }
}

/** Build a city from its files. Pure computation: nothing is written anywhere. */
export function buildCity(options: BuildOptions, progress: Progress = () => {}): City {
  checkOptions(options);
  const timings: Record<string, number> = {};
  const notes: City['notes'] = [];
  let t0 = performance.now();
  const lap = (stage: string, message: string) => {
    const now = performance.now();
    timings[stage] = Math.round(now - t0);
    progress(stage, `${message} (${timings[stage]} ms)`);
    t0 = now;
  };

  // read
  let grids: Grid[] = [];
  if (options.grids) {
    const g = options.grids;
    grids = readGridsGeoJSON(readInput(g.path).toString('utf8'), { ...g, file: basename(g.path), crs: g.crs ?? 'wgs84' });
  }
  const osm = readPbf(readInput(options.pbf), basename(options.pbf));
  const categories = loadCategories(options.categoriesFile);
  const profile = loadProfile(options.profileFile ?? DEFAULT_PROFILE_PATH, categories.categories.map((c) => c.id));
  lap('read', `${osm.nodeIds.length.toLocaleString('en')} nodes, ${osm.wayIds.length.toLocaleString('en')} ways, ${osm.relationIds.length} relations`);

  const basemap = osmBasemap(osm);
  lap('basemap', `${basemap.roads.features.length.toLocaleString('en')} roads, ${basemap.buildings.features.length.toLocaleString('en')} buildings, ${basemap.water.features.length} water areas`);

  // network
  const network = buildNetwork(osm);
  const graph = buildGraph(network.nodeCount, network.edgeFrom, network.edgeTo, network.edgeLength);
  lap('network', `${network.nodeCount.toLocaleString('en')} junctions, ${network.edgeCount.toLocaleString('en')} walkable edges`);

  // communities and facilities
  let communities: Community[];
  if (options.communities) {
    const c = options.communities;
    const file = basename(c.path);
    const out = readCommunitiesGeoJSON(readInput(c.path).toString('utf8'), { ...c, file, crs: c.crs ?? 'wgs84' });
    communities = out.communities;
    for (const n of out.notes) notes.push({ stage: 'communities', ...n });
  } else {
    const out = osmBoundaries(osm, { adminLevel: options.adminLevel });
    communities = out.communities;
    for (const n of out.notes) notes.push({ stage: 'communities', ...n });
  }
  if (!communities.length) {
    throw new InputError(options.communities ? 'no community polygons' : `no closed admin_level=${options.adminLevel} boundary in the extract`, {
      file: basename(options.communities?.path ?? options.pbf),
    });
  }
  const facilities: Facility[] = [];
  if (options.osmFacilities) {
    const out = osmFacilities(osm, categories);
    facilities.push(...out.facilities);
    for (const n of out.notes) notes.push({ stage: 'facilities', ...n });
  }
  for (const f of options.facilities) {
    const file = basename(f.path);
    const text = readInput(f.path).toString('utf8');
    const opts: FacilityFileOptions = { ...f, file, crs: f.crs ?? 'wgs84', categories };
    facilities.push(...(/\.csv$/i.test(f.path) ? readFacilitiesCSV(text, { ...opts, lonField: f.lonField, latField: f.latField }) : readFacilitiesGeoJSON(text, opts)));
  }
  const ids = new Set<string>();
  for (const f of facilities) {
    if (ids.has(f.id)) throw new InputError(`facility id "${f.id}" appears twice`, { feature: f.id });
    ids.add(f.id);
  }
  lap('ingest', `${communities.length} communities, ${facilities.length} facilities`);

  // demand
  const buildings = osmResidentialBuildings(osm);
  const demand = buildDemand(communities, buildings, {
    resolution: options.resolution,
    elderlyShare: options.elderlyShare,
    fullBuildingWeightPerResident: options.buildingM2PerResident,
  });
  const cellLon = new Float64Array(demand.cells.length);
  const cellLat = new Float64Array(demand.cells.length);
  demand.cells.forEach((c, i) => {
    const [lat, lon] = cellToLatLng(c);
    cellLon[i] = lon;
    cellLat[i] = lat;
  });
  // land use at each cell centre, for leaving siting candidates in lakes and parks out
  const cellLanduse = landuseAt(basemap, cellLon, cellLat);
  lap('demand', `${buildings.length.toLocaleString('en')} residential buildings, ${demand.cells.length.toLocaleString('en')} H3 cells at resolution ${options.resolution}`);

  // community units: coarse OSM boundaries (sub-districts) split into units, imported communities as they are
  const neighbours = cellNeighbours(demand.cells);
  const barriers = new Barriers(barrierSegments(basemap));
  const { units, cellUnit } = communityUnits(
    {
      communityCount: communities.length,
      split: (k) => communities[k].source === 'osm',
      cellCount: demand.cells.length,
      residents: demand.residents,
      elderly: demand.elderly,
      lon: cellLon,
      lat: cellLat,
      shares: { cell: demand.shareCell, community: demand.shareCommunity, residents: demand.shareResidents },
      neighbours,
      barrier: (a, b) => barriers.crosses(cellLon[a], cellLat[a], cellLon[b], cellLat[b]),
    },
    { minResidents: options.unitResidents[0], maxResidents: options.unitResidents[1], barrierCost: 4 },
  );
  const unitsInRange = units.filter((u) => u.residents >= options.unitResidents[0] && u.residents <= options.unitResidents[1]).length;
  lap('units', `${units.length} community units (${units.filter((u) => u.derived).length} derived), ${unitsInRange} within ${options.unitResidents.join('–')} residents; ${barriers.size.toLocaleString('en')} barrier segments`);

  // snap
  const index = new EdgeIndex(network, graph, { maxSnapM: options.maxSnapM, minComponentNodes: options.minComponentNodes });
  const facilitySnap = index.snapAll(
    facilities.map((f) => f.lon),
    facilities.map((f) => f.lat),
  );
  const cellSnap = index.snapAll(cellLon, cellLat);
  facilities.forEach((f, i) => {
    if (facilitySnap.edge[i] < 0) {
      notes.push({ stage: 'snap', kind: 'facility_unreachable', subject: f.id, message: `${f.name || f.id}: no street within ${options.maxSnapM} m` });
    }
  });
  let unreachableCells = 0;
  let unreachableResidents = 0;
  for (let i = 0; i < demand.cells.length; i++) {
    if (cellSnap.edge[i] >= 0) continue;
    unreachableCells++;
    unreachableResidents += demand.residents[i];
    if (demand.residents[i] > 0) {
      notes.push({ stage: 'snap', kind: 'cell_unreachable', subject: demand.cells[i], message: `${demand.residents[i]} residents with no street within ${options.maxSnapM} m` });
    }
  }
  lap('snap', `${facilities.length - facilitySnap.edge.filter((e) => e < 0).length}/${facilities.length} facilities and ${demand.cells.length - unreachableCells}/${demand.cells.length} cells on the network; ${unreachableResidents.toLocaleString('en')} residents beyond ${options.maxSnapM} m of a street`);

  // coverage
  const placed = (s: Snapped): Placed => ({ edge: s.edge, offset: s.offset, access: options.countAccess ? s.distance : new Float64Array(s.edge.length) });
  const categoryIds = categories.categories.map((c) => c.id);
  const categoryIndex = new Map(categoryIds.map((id, i) => [id, i]));
  const coverage = computeCoverage(
    {
      graph,
      facilities: placed(facilitySnap),
      facilityCategory: Int32Array.from(facilities, (f) => categoryIndex.get(f.category) ?? -1),
      categories: categoryIds,
      cells: placed(cellSnap),
    },
    { walkshedCutoffM: Math.max(...options.tiers) * Math.max(options.speeds.general, options.speeds.elderly), nearestCutoffM: options.nearestCutoffM },
  );
  lap('coverage', `${facilities.length} walksheds (${coverage.walksheds.target.length.toLocaleString('en')} cell rows), nearest of ${categoryIds.length} categories per cell`);

  // stats
  const rows = coverageRows(
    categoryIds,
    coverage.nearest.map((n) => n.dist),
    { ...demand, communityCount: communities.length },
    options.tiers,
    options.speeds,
  );
  const grid = { neighbours, residents: demand.residents, elderly: demand.elderly, lon: cellLon, lat: cellLat };
  const gaps: GapSet[] = [];
  categoryIds.forEach((category, k) => {
    for (const speed of ['general', 'elderly'] as const) {
      for (const tierMin of options.tiers) {
        for (const weight of ['residents', 'elderly'] as const) {
          const clusters = gapClusters(grid, coverage.nearest[k].dist, tierMin * options.speeds[speed], weight === 'elderly' ? demand.elderly : demand.residents);
          gaps.push({ category, tierMin, speed, weight, clusters });
        }
      }
    }
  });
  lap('stats', `${rows.length.toLocaleString('en')} coverage rows, ${gaps.reduce((a, g) => a + g.clusters.length, 0).toLocaleString('en')} gap clusters`);

  // compliance with the standards profile
  const { requirements, norms, skipped } = complianceRules(profile, options.tiers, options.speeds);
  for (const r of skipped) notes.push({ stage: 'compliance', kind: 'rule_skipped', subject: r.rule, message: r.message });
  const compliance = communityCompliance({
    populations: communities.map((c) => c.population),
    rows,
    tiers: rulesOf(profile, 'tier').map((t) => ({ minutes: t.minutes, residents: t.residents })),
    requirements,
    norms,
    facilityCategory: facilities.map((f) => f.category),
    capacity: facilities.map((f) => f.capacity),
    walksheds: { offsets: coverage.walksheds.offsets, cell: coverage.walksheds.target, dist: coverage.walksheds.dist },
    cellElderly: demand.elderly,
    shares: { cell: demand.shareCell, community: demand.shareCommunity, elderly: demand.shareElderly },
  });
  const failing = compliance.filter((c) => c.requirements.some((r) => !r.pass) || c.supply.some((s) => !s.pass)).length;
  const gridRules = rulesOf(profile, 'grid_size');
  const gridChecks = checkGrids(grids, { lon: cellLon, lat: cellLat, residents: demand.residents }, gridRules);
  gridChecks.forEach((g, k) => {
    const subject = grids[k].id;
    if (g.sharedCells > 0) {
      notes.push({ stage: 'compliance', kind: 'grid_overlap', subject, message: `${grids[k].name}: overlaps an earlier grid; the ${g.sharedCells} cell centres in the overlap count for the earlier grid only` });
    }
    if (g.residentsSource === 'cells' && g.cells === 0) {
      notes.push({ stage: 'compliance', kind: 'grid_no_cells', subject, message: `${grids[k].name}: no residents given and no demand cell's centre inside, so 0 residents` });
    }
  });
  if (grids.length && !gridRules.length) notes.push({ stage: 'compliance', kind: 'rule_skipped', subject: 'grid_size', message: 'no enabled grid_size rule: the grids are stored unchecked' });
  const gridText = grids.length ? `; ${gridChecks.filter((g) => g.findings.length).length} of ${grids.length} grids flagged` : '';
  lap('compliance', `${profile.name}: ${requirements.length} requirements, ${norms.length} supply norms; ${failing} of ${communities.length} communities fall short${gridText}`);

  return { options, network, graph, basemap, categories, communities, facilities, facilitySnap, demand, cellLon, cellLat, cellLanduse, units, cellUnit, cellSnap, coverage, rows, gaps, profile, compliance, grids, gridChecks, notes, timings };
}
