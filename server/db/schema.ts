/** Bumped whenever a table or a meta key changes; the server rebuilds a database of another version. */
export const SCHEMA_VERSION = '9';

/**
 * The city database. One build replaces every table below in one transaction, so a rebuild is
 * idempotent and a failed one leaves the previous city in place. Distances are metres; minutes
 * come from the speeds in `meta` (views `cell_minutes`, `walkshed_minutes`).
 */
export const CITY_SCHEMA = `
CREATE OR REPLACE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE OR REPLACE TABLE categories (category VARCHAR PRIMARY KEY, ord INTEGER, name_zh VARCHAR, name_en VARCHAR);
CREATE OR REPLACE TABLE network_nodes (node_id INTEGER PRIMARY KEY, osm_id BIGINT, lon DOUBLE, lat DOUBLE);
CREATE OR REPLACE TABLE network_edges (
  edge_id INTEGER PRIMARY KEY, from_node INTEGER, to_node INTEGER, length_m DOUBLE,
  highway VARCHAR, osm_way_id BIGINT, geom_wkt VARCHAR);
CREATE OR REPLACE TABLE communities (
  community_idx INTEGER PRIMARY KEY, community_id VARCHAR UNIQUE, name VARCHAR, source VARCHAR,
  population INTEGER, elderly INTEGER, elderly_given BOOLEAN, code VARCHAR, area_m2 DOUBLE,
  demand_method VARCHAR, building_share DOUBLE, geojson VARCHAR);
CREATE OR REPLACE TABLE facilities (
  facility_idx INTEGER PRIMARY KEY, facility_id VARCHAR UNIQUE, name VARCHAR, category VARCHAR,
  lon DOUBLE, lat DOUBLE, source VARCHAR, capacity DOUBLE,
  snap_edge INTEGER, snap_offset_m DOUBLE, snap_dist_m DOUBLE, snap_lon DOUBLE, snap_lat DOUBLE, reachable BOOLEAN);
CREATE OR REPLACE TABLE cells (
  cell_idx INTEGER PRIMARY KEY, h3 UBIGINT UNIQUE, h3_id VARCHAR, lon DOUBLE, lat DOUBLE,
  residents INTEGER, elderly INTEGER,
  snap_edge INTEGER, snap_offset_m DOUBLE, snap_dist_m DOUBLE, reachable BOOLEAN, landuse VARCHAR);
CREATE OR REPLACE TABLE cell_community (cell_idx INTEGER, community_idx INTEGER, residents INTEGER, elderly INTEGER);
CREATE OR REPLACE TABLE units (
  unit_idx INTEGER PRIMARY KEY, unit_id VARCHAR UNIQUE, name VARCHAR, community_idx INTEGER, derived BOOLEAN,
  residents INTEGER, elderly INTEGER, cell_count INTEGER);
CREATE OR REPLACE TABLE cell_unit (cell_idx INTEGER PRIMARY KEY, unit_idx INTEGER);
CREATE OR REPLACE TABLE walksheds (facility_idx INTEGER, cell_idx INTEGER, dist_m DOUBLE);
CREATE OR REPLACE TABLE cell_nearest (cell_idx INTEGER, category VARCHAR, facility_idx INTEGER, dist_m DOUBLE);
CREATE OR REPLACE TABLE coverage (
  category VARCHAR, tier_min INTEGER, speed VARCHAR, community_idx INTEGER,
  residents INTEGER, residents_covered INTEGER, elderly INTEGER, elderly_covered INTEGER,
  median_min DOUBLE, p90_min DOUBLE, elderly_median_min DOUBLE, elderly_p90_min DOUBLE);
CREATE OR REPLACE TABLE gap_clusters (
  cluster_id INTEGER PRIMARY KEY, category VARCHAR, tier_min INTEGER, speed VARCHAR, weight VARCHAR,
  cell_count INTEGER, residents INTEGER, elderly INTEGER, lon DOUBLE, lat DOUBLE);
CREATE OR REPLACE TABLE gap_cells (cluster_id INTEGER, cell_idx INTEGER);
CREATE OR REPLACE TABLE community_tiers (
  community_idx INTEGER PRIMARY KEY, population INTEGER, position VARCHAR, tier_min INTEGER, governing_tier_min INTEGER);
CREATE OR REPLACE TABLE compliance (
  community_idx INTEGER, rule_id VARCHAR, rule_kind VARCHAR, category VARCHAR, tier_min INTEGER, target VARCHAR, speed VARCHAR,
  people INTEGER, covered INTEGER, share DOUBLE, value DOUBLE, threshold DOUBLE, pass BOOLEAN,
  source_document VARCHAR, source_clause VARCHAR, source_label VARCHAR);
CREATE OR REPLACE TABLE grids (
  grid_idx INTEGER PRIMARY KEY, grid_id VARCHAR UNIQUE, name VARCHAR, households INTEGER, residents INTEGER,
  residents_source VARCHAR, geojson VARCHAR);
CREATE OR REPLACE TABLE grid_findings (
  grid_idx INTEGER, rule_id VARCHAR, problem VARCHAR, value DOUBLE, threshold DOUBLE,
  source_document VARCHAR, source_clause VARCHAR, source_label VARCHAR);
CREATE OR REPLACE TABLE import_notes (stage VARCHAR, kind VARCHAR, subject VARCHAR, message VARCHAR);
CREATE OR REPLACE VIEW cell_minutes AS
  SELECT n.*, n.dist_m / s.general AS min_general, n.dist_m / s.elderly AS min_elderly
  FROM cell_nearest n, (SELECT
    (SELECT value::DOUBLE FROM meta WHERE key = 'speed_general_m_per_min') AS general,
    (SELECT value::DOUBLE FROM meta WHERE key = 'speed_elderly_m_per_min') AS elderly) s;
CREATE OR REPLACE VIEW walkshed_minutes AS
  SELECT w.*, w.dist_m / s.general AS min_general, w.dist_m / s.elderly AS min_elderly
  FROM walksheds w, (SELECT
    (SELECT value::DOUBLE FROM meta WHERE key = 'speed_general_m_per_min') AS general,
    (SELECT value::DOUBLE FROM meta WHERE key = 'speed_elderly_m_per_min') AS elderly) s;
`;

/** Tables a city build owns, in dependency-free order. */
export const CITY_TABLES = [
  'meta', 'categories', 'network_nodes', 'network_edges', 'communities', 'facilities', 'cells', 'cell_community', 'units', 'cell_unit',
  'walksheds', 'cell_nearest', 'coverage', 'gap_clusters', 'gap_cells', 'community_tiers', 'compliance', 'grids', 'grid_findings', 'import_notes', 'basemap',
];
