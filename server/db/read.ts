/**
 * Loading a stored city into memory for the server: the walking graph (to walk from any clicked
 * point), the cells, facilities and communities, and the stored coverage results.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Network } from '../ingest/network.ts';
import type { Rule } from '../ingest/profile.ts';
import type { MultiPolygonCoords } from '../core/types.ts';
import type { CoverageRow } from '../core/stats.ts';
import type { Landuse } from '../core/landuse.ts';
import { SCHEMA_VERSION } from './schema.ts';

async function columns(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown[]>> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getColumnsObjectJS() as Record<string, unknown[]>;
}

async function rows<T>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS() as T[];
}

const f64 = (xs: unknown[]) => Float64Array.from(xs, (x) => (x === null ? Infinity : Number(x)));
const i32 = (xs: unknown[]) => Int32Array.from(xs, (x) => (x === null ? -1 : Number(x)));

export interface StoredCategory {
  id: string;
  zh: string;
  en: string;
}

export interface StoredFacility {
  id: string;
  name: string;
  category: string;
  lon: number;
  lat: number;
  source: string;
  capacity: number | null;
  reachable: boolean;
  snapDistM: number;
}

export interface StoredCommunity {
  id: string;
  name: string;
  source: string;
  population: number | null;
  elderly: number;
  code: string | null;
  demandMethod: string;
  polygon: MultiPolygonCoords;
}

export interface StoredCity {
  meta: Record<string, string>;
  /** The standards profile the city was checked against, as loaded. */
  profile: { name: string; note: string | null; rules: Rule[] };
  categories: StoredCategory[];
  network: Network;
  cells: {
    h3: string[];
    lon: Float64Array;
    lat: Float64Array;
    residents: Int32Array;
    elderly: Int32Array;
    /** Snap position: edge (-1 unreachable), metres along it, metres off the street. */
    edge: Int32Array;
    offset: Float64Array;
    access: Float64Array;
    /** Water or green at the centre (basemap areas), else null. */
    landuse: Landuse[];
  };
  /** Per (cell, community) share, sorted by cell. */
  shares: { cell: Int32Array; community: Int32Array; residents: Int32Array; elderly: Int32Array };
  facilities: StoredFacility[];
  facilitySnap: { edge: Int32Array; offset: Float64Array; access: Float64Array };
  communities: StoredCommunity[];
  /** Community units: derived from coarse boundaries or the communities as given; `cells` ascending. */
  units: Array<{ id: string; name: string; community: number; derived: boolean; residents: number; elderly: number; cells: number[] }>;
  /** Per category id: metres to the nearest facility per cell (Infinity: none) and its index (-1). */
  nearest: Map<string, { dist: Float64Array; facility: Int32Array }>;
  coverage: CoverageRow[];
  /** Per facility (CSR): cells within the walkshed cutoff and their metres. */
  walksheds: { offsets: Int32Array; cell: Int32Array; dist: Float64Array };
  /** Per community: its tier by population and every finding against the standards profile. */
  compliance: Array<{
    community: number; population: number | null; position: string; tierMin: number | null; governingTierMin: number;
    findings: Array<{ rule: string; kind: string; category: string; tierMin: number | null; target: string; speed: string | null; people: number | null; covered: number | null; share: number | null; value: number | null; threshold: number; pass: boolean; source: { document: string; clause: string; label: string } }>;
  }>;
  /** Grid management units from the grids file (empty without one), each with its grid-size findings. */
  grids: Array<{
    id: string; name: string; households: number | null; residents: number; residentsSource: 'given' | 'cells';
    findings: Array<{ rule: string; problem: string; value: number; threshold: number; source: { document: string; clause: string; label: string } }>;
  }>;
  gaps: Array<{ id: number; category: string; tierMin: number; speed: 'general' | 'elderly'; weight: 'residents' | 'elderly'; cellCount: number; residents: number; elderly: number; lon: number; lat: number; cells: number[] }>;
}

/**
 * What the database holds: 'none' (no city yet), 'current', or 'stale' (built by another schema
 * version; its build options, to rebuild it from, are returned with it).
 */
export async function cityStatus(conn: DuckDBConnection): Promise<{ status: 'none' | 'current' | 'stale'; optionsJson?: string }> {
  const r = await rows<{ n: number }>(conn, "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'meta'");
  if (!r[0].n) return { status: 'none' };
  const meta = Object.fromEntries((await rows<{ key: string; value: string }>(conn, 'SELECT key, value FROM meta')).map((m) => [m.key, m.value]));
  if (!meta.schema_version) return { status: 'none' };
  return { status: meta.schema_version === SCHEMA_VERSION ? 'current' : 'stale', optionsJson: meta.options_json };
}

/** Read everything the server keeps in memory. */
export async function readCity(conn: DuckDBConnection): Promise<StoredCity> {
  const meta = Object.fromEntries((await rows<{ key: string; value: string }>(conn, 'SELECT key, value FROM meta')).map((r) => [r.key, r.value]));
  const categories = await rows<StoredCategory>(conn, 'SELECT category AS id, name_zh AS zh, name_en AS en FROM categories ORDER BY ord');

  const nodes = await columns(conn, 'SELECT osm_id::DOUBLE AS osm_id, lon, lat FROM network_nodes ORDER BY node_id');
  const edges = await columns(conn, 'SELECT from_node, to_node, length_m, highway, osm_way_id::DOUBLE AS way, geom_wkt FROM network_edges ORDER BY edge_id');
  const network = networkFrom(nodes, edges);

  const c = await columns(conn, 'SELECT h3_id, lon, lat, residents, elderly, snap_edge, snap_offset_m, snap_dist_m, landuse FROM cells ORDER BY cell_idx');
  const cells = {
    h3: c.h3_id as string[],
    lon: f64(c.lon),
    lat: f64(c.lat),
    residents: i32(c.residents),
    elderly: i32(c.elderly),
    edge: i32(c.snap_edge),
    offset: Float64Array.from(c.snap_offset_m, (x) => Number(x ?? 0)),
    access: f64(c.snap_dist_m),
    landuse: c.landuse as Landuse[],
  };
  const s = await columns(conn, 'SELECT cell_idx, community_idx, residents, elderly FROM cell_community ORDER BY cell_idx, community_idx');
  const shares = { cell: i32(s.cell_idx), community: i32(s.community_idx), residents: i32(s.residents), elderly: i32(s.elderly) };

  const facilityRows = await rows<{
    facility_id: string; name: string; category: string; lon: number; lat: number; source: string; capacity: number | null;
    reachable: boolean; snap_edge: number | null; snap_offset_m: number | null; snap_dist_m: number;
  }>(conn, 'SELECT * FROM facilities ORDER BY facility_idx');
  const facilities: StoredFacility[] = facilityRows.map((r) => ({
    id: r.facility_id, name: r.name, category: r.category, lon: r.lon, lat: r.lat, source: r.source,
    capacity: r.capacity, reachable: r.reachable, snapDistM: r.snap_dist_m,
  }));
  const facilitySnap = {
    edge: Int32Array.from(facilityRows, (r) => r.snap_edge ?? -1),
    offset: Float64Array.from(facilityRows, (r) => r.snap_offset_m ?? 0),
    access: Float64Array.from(facilityRows, (r) => r.snap_dist_m),
  };

  const communities = (await rows<{
    community_id: string; name: string; source: string; population: number | null; elderly: number; code: string | null; demand_method: string; geojson: string;
  }>(conn, 'SELECT * FROM communities ORDER BY community_idx')).map((r) => ({
    id: r.community_id, name: r.name, source: r.source, population: r.population, elderly: r.elderly, code: r.code,
    demandMethod: r.demand_method, polygon: (JSON.parse(r.geojson) as { coordinates: MultiPolygonCoords }).coordinates,
  }));

  const units = (await rows<{ unit_id: string; name: string; community_idx: number; derived: boolean; residents: number; elderly: number }>(
    conn, 'SELECT * FROM units ORDER BY unit_idx',
  )).map((u) => ({ id: u.unit_id, name: u.name, community: u.community_idx, derived: u.derived, residents: u.residents, elderly: u.elderly, cells: [] as number[] }));
  const cu = await columns(conn, 'SELECT cell_idx, unit_idx FROM cell_unit ORDER BY cell_idx');
  for (let i = 0; i < cu.cell_idx.length; i++) units[Number(cu.unit_idx[i])].cells.push(Number(cu.cell_idx[i]));

  const nearest = new Map<string, { dist: Float64Array; facility: Int32Array }>();
  for (const cat of categories) {
    const n = await columns(conn, `SELECT dist_m, facility_idx FROM cell_nearest WHERE category = '${cat.id.replace(/'/g, "''")}' ORDER BY cell_idx`);
    nearest.set(cat.id, { dist: f64(n.dist_m), facility: i32(n.facility_idx) });
  }

  const coverage = (await rows<{
    category: string; tier_min: number; speed: 'general' | 'elderly'; community_idx: number | null; residents: number; residents_covered: number;
    elderly: number; elderly_covered: number; median_min: number | null; p90_min: number | null; elderly_median_min: number | null; elderly_p90_min: number | null;
  }>(conn, 'SELECT * FROM coverage')).map((r) => ({
    category: r.category, tierMin: r.tier_min, speed: r.speed, community: r.community_idx ?? -1,
    residents: r.residents, residentsCovered: r.residents_covered, elderly: r.elderly, elderlyCovered: r.elderly_covered,
    medianMin: r.median_min, p90Min: r.p90_min, elderlyMedianMin: r.elderly_median_min, elderlyP90Min: r.elderly_p90_min,
  }));

  const w = await columns(conn, 'SELECT facility_idx, cell_idx, dist_m FROM walksheds ORDER BY facility_idx, cell_idx');
  const wsFacility = i32(w.facility_idx);
  const offsets = new Int32Array(facilities.length + 1);
  for (const f of wsFacility) offsets[f + 1]++;
  for (let i = 0; i < facilities.length; i++) offsets[i + 1] += offsets[i];
  const walksheds = { offsets, cell: i32(w.cell_idx), dist: f64(w.dist_m) };

  const clusterRows = await rows<{ cluster_id: number; category: string; tier_min: number; speed: 'general' | 'elderly'; weight: 'residents' | 'elderly'; cell_count: number; residents: number; elderly: number; lon: number; lat: number }>(
    conn, 'SELECT * FROM gap_clusters ORDER BY cluster_id',
  );
  const gc = await columns(conn, 'SELECT cluster_id, cell_idx FROM gap_cells ORDER BY cluster_id, cell_idx');
  const cellsOf = new Map<number, number[]>();
  (gc.cluster_id as number[]).forEach((id, i) => {
    let list = cellsOf.get(id);
    if (!list) cellsOf.set(id, (list = []));
    list.push(gc.cell_idx[i] as number);
  });
  const gaps = clusterRows.map((r) => ({
    id: r.cluster_id, category: r.category, tierMin: r.tier_min, speed: r.speed, weight: r.weight, cellCount: r.cell_count,
    residents: r.residents, elderly: r.elderly, lon: r.lon, lat: r.lat, cells: cellsOf.get(r.cluster_id) ?? [],
  }));

  const tierRows = await rows<{ community_idx: number; population: number | null; position: string; tier_min: number | null; governing_tier_min: number }>(conn, 'SELECT * FROM community_tiers ORDER BY community_idx');
  const findingRows = await rows<{
    community_idx: number; rule_id: string; rule_kind: string; category: string; tier_min: number | null; target: string; speed: string | null; people: number | null; covered: number | null;
    share: number | null; value: number | null; threshold: number; pass: boolean; source_document: string; source_clause: string; source_label: string;
  }>(conn, 'SELECT * FROM compliance ORDER BY community_idx, rule_kind, rule_id');
  const compliance = tierRows.map((t) => ({
    community: t.community_idx, population: t.population, position: t.position, tierMin: t.tier_min, governingTierMin: t.governing_tier_min,
    findings: [] as StoredCity['compliance'][number]['findings'],
  }));
  for (const f of findingRows) {
    compliance[f.community_idx].findings.push({
      rule: f.rule_id, kind: f.rule_kind, category: f.category, tierMin: f.tier_min, target: f.target, speed: f.speed, people: f.people, covered: f.covered,
      share: f.share, value: f.value, threshold: f.threshold, pass: f.pass, source: { document: f.source_document, clause: f.source_clause, label: f.source_label },
    });
  }

  const gridRows = await rows<{ grid_id: string; name: string; households: number | null; residents: number; residents_source: 'given' | 'cells' }>(
    conn, 'SELECT grid_id, name, households, residents, residents_source FROM grids ORDER BY grid_idx',
  );
  const grids: StoredCity['grids'] = gridRows.map((g) => ({
    id: g.grid_id, name: g.name, households: g.households, residents: g.residents, residentsSource: g.residents_source, findings: [],
  }));
  const gridFindingRows = await rows<{ grid_idx: number; rule_id: string; problem: string; value: number; threshold: number; source_document: string; source_clause: string; source_label: string }>(
    conn, 'SELECT * FROM grid_findings ORDER BY grid_idx, rule_id, problem',
  );
  for (const f of gridFindingRows) {
    grids[f.grid_idx].findings.push({
      rule: f.rule_id, problem: f.problem, value: f.value, threshold: f.threshold, source: { document: f.source_document, clause: f.source_clause, label: f.source_label },
    });
  }

  const profile = JSON.parse(meta.profile_json) as StoredCity['profile'];

  return { meta, profile, categories, network, cells, shares, facilities, facilitySnap, communities, units, nearest, coverage, walksheds, compliance, grids, gaps };
}

/** Rebuild the flat network arrays from the stored nodes and edges (geometry from WKT). */
function networkFrom(nodes: Record<string, unknown[]>, edges: Record<string, unknown[]>): Network {
  const m = edges.from_node.length;
  const classes = new Map<string, number>();
  const geomOffsets = new Int32Array(m + 1);
  const lon: number[] = [];
  const lat: number[] = [];
  const edgeClass = new Uint8Array(m);
  for (let e = 0; e < m; e++) {
    const wkt = edges.geom_wkt[e] as string;
    const body = wkt.slice(wkt.indexOf('(') + 1, wkt.lastIndexOf(')'));
    for (const pair of body.split(',')) {
      const [x, y] = pair.trim().split(' ');
      lon.push(Number(x));
      lat.push(Number(y));
    }
    geomOffsets[e + 1] = lon.length;
    const hw = edges.highway[e] as string;
    let k = classes.get(hw);
    if (k === undefined) classes.set(hw, (k = classes.size));
    edgeClass[e] = k;
  }
  return {
    nodeCount: nodes.lon.length,
    nodeLon: f64(nodes.lon),
    nodeLat: f64(nodes.lat),
    nodeOsmId: f64(nodes.osm_id),
    edgeCount: m,
    edgeFrom: i32(edges.from_node),
    edgeTo: i32(edges.to_node),
    edgeLength: f64(edges.length_m),
    edgeWayId: f64(edges.way),
    edgeClass,
    highwayClasses: [...classes.keys()],
    geomOffsets,
    geomLon: Float64Array.from(lon),
    geomLat: Float64Array.from(lat),
  };
}
