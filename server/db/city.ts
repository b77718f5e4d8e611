/** Storing a built city: every table of schema.ts, replaced in one transaction. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { cityNameOf } from '../config.ts';
import { area, flatten } from '../core/polygon.ts';
import type { City } from '../pipeline.ts';
import { appendColumns } from './append.ts';
import { transaction } from './connection.ts';
import { CITY_SCHEMA, SCHEMA_VERSION } from './schema.ts';
import { writeBasemap } from './basemap.ts';

const h3ToBigInt = (h: string) => BigInt(`0x${h}`);

function edgeWkt(city: City, e: number): string {
  const { geomOffsets: go, geomLon, geomLat } = city.network;
  const pts: string[] = [];
  for (let i = go[e]; i < go[e + 1]; i++) pts.push(`${geomLon[i]} ${geomLat[i]}`);
  return `LINESTRING(${pts.join(', ')})`;
}

/**
 * Replace the stored city with `city`. On any error the transaction rolls back and the
 * previous city stays as it was.
 */
export async function writeCity(conn: DuckDBConnection, city: City, extraMeta: Record<string, string> = {}): Promise<void> {
  const { network: net, demand, facilities, communities, facilitySnap: fs, cellSnap: cs, options } = city;
  await transaction(conn, async () => {
    await conn.run(CITY_SCHEMA);
    await writeBasemap(conn, city.basemap);

    const meta: Record<string, string> = {
      schema_version: SCHEMA_VERSION,
      built_at: new Date().toISOString(),
      pbf: options.pbf,
      city_name: options.cityName ?? cityNameOf(options.pbf),
      h3_resolution: String(options.resolution),
      admin_level: String(options.adminLevel),
      speed_general_m_per_min: String(options.speeds.general),
      speed_elderly_m_per_min: String(options.speeds.elderly),
      tiers_min: options.tiers.join(','),
      elderly_share: String(options.elderlyShare),
      building_m2_per_resident: String(options.buildingM2PerResident),
      max_snap_m: String(options.maxSnapM),
      min_component_nodes: String(options.minComponentNodes),
      count_access: String(options.countAccess),
      categories_source: city.categories.source,
      profile: city.profile.name,
      // the rules as loaded (parent merged, defaults filled), so the server can show each one
      profile_json: JSON.stringify({ name: city.profile.name, note: city.profile.note, rules: city.profile.rules }),
      // Infinity (no nearest cutoff) survives as a string; read back with parseOptions
      options_json: JSON.stringify(options, (_k, v) => (v === Infinity ? 'Infinity' : v)),
      timings_json: JSON.stringify(city.timings),
      ...extraMeta,
    };
    const keys = Object.keys(meta);
    await appendColumns(conn, 'meta', keys.length, [
      { type: 'VARCHAR', values: keys },
      { type: 'VARCHAR', values: keys.map((k) => meta[k]) },
    ]);

    const cats = city.categories.categories;
    await appendColumns(conn, 'categories', cats.length, [
      { type: 'VARCHAR', values: cats.map((c) => c.id) },
      { type: 'INTEGER', values: cats.map((_, i) => i) },
      { type: 'VARCHAR', values: cats.map((c) => c.zh) },
      { type: 'VARCHAR', values: cats.map((c) => c.en) },
    ]);

    await appendColumns(conn, 'network_nodes', net.nodeCount, [
      { type: 'INTEGER', values: Int32Array.from({ length: net.nodeCount }, (_, i) => i) },
      { type: 'BIGINT', values: net.nodeOsmId },
      { type: 'DOUBLE', values: net.nodeLon },
      { type: 'DOUBLE', values: net.nodeLat },
    ]);
    await appendColumns(conn, 'network_edges', net.edgeCount, [
      { type: 'INTEGER', values: Int32Array.from({ length: net.edgeCount }, (_, i) => i) },
      { type: 'INTEGER', values: net.edgeFrom },
      { type: 'INTEGER', values: net.edgeTo },
      { type: 'DOUBLE', values: net.edgeLength },
      { type: 'VARCHAR', values: Array.from(net.edgeClass, (c) => net.highwayClasses[c]) },
      { type: 'BIGINT', values: net.edgeWayId },
      { type: 'VARCHAR', values: Array.from({ length: net.edgeCount }, (_, e) => edgeWkt(city, e)) },
    ]);

    const elderlyOf = new Int32Array(communities.length);
    for (let s = 0; s < demand.shareCommunity.length; s++) elderlyOf[demand.shareCommunity[s]] += demand.shareElderly[s];
    await appendColumns(conn, 'communities', communities.length, [
      { type: 'INTEGER', values: communities.map((_, i) => i) },
      { type: 'VARCHAR', values: communities.map((c) => c.id) },
      { type: 'VARCHAR', values: communities.map((c) => c.name) },
      { type: 'VARCHAR', values: communities.map((c) => c.source) },
      { type: 'INTEGER', values: communities.map((c) => c.population) },
      { type: 'INTEGER', values: elderlyOf },
      { type: 'BOOLEAN', values: communities.map((c) => c.elderly !== null) },
      { type: 'VARCHAR', values: communities.map((c) => c.code ?? null) },
      { type: 'DOUBLE', values: communities.map((c) => area(flatten(c.polygon))) },
      { type: 'VARCHAR', values: demand.method },
      { type: 'DOUBLE', values: demand.buildingShare },
      { type: 'VARCHAR', values: communities.map((c) => JSON.stringify({ type: 'MultiPolygon', coordinates: c.polygon })) },
    ]);

    await appendColumns(conn, 'facilities', facilities.length, [
      { type: 'INTEGER', values: facilities.map((_, i) => i) },
      { type: 'VARCHAR', values: facilities.map((f) => f.id) },
      { type: 'VARCHAR', values: facilities.map((f) => f.name) },
      { type: 'VARCHAR', values: facilities.map((f) => f.category) },
      { type: 'DOUBLE', values: facilities.map((f) => f.lon) },
      { type: 'DOUBLE', values: facilities.map((f) => f.lat) },
      { type: 'VARCHAR', values: facilities.map((f) => f.source) },
      { type: 'DOUBLE', values: facilities.map((f) => f.capacity) },
      { type: 'INTEGER', values: fs.edge },
      { type: 'DOUBLE', values: Array.from(fs.edge, (e, i) => (e < 0 ? null : fs.offset[i])) },
      { type: 'DOUBLE', values: fs.distance },
      { type: 'DOUBLE', values: Array.from(fs.edge, (e, i) => (e < 0 ? null : fs.lon[i])) },
      { type: 'DOUBLE', values: Array.from(fs.edge, (e, i) => (e < 0 ? null : fs.lat[i])) },
      { type: 'BOOLEAN', values: Array.from(fs.edge, (e) => e >= 0) },
    ]);

    const nCells = demand.cells.length;
    await appendColumns(conn, 'cells', nCells, [
      { type: 'INTEGER', values: Int32Array.from({ length: nCells }, (_, i) => i) },
      { type: 'UBIGINT', values: demand.cells.map(h3ToBigInt) },
      { type: 'VARCHAR', values: demand.cells },
      { type: 'DOUBLE', values: city.cellLon },
      { type: 'DOUBLE', values: city.cellLat },
      { type: 'INTEGER', values: demand.residents },
      { type: 'INTEGER', values: demand.elderly },
      { type: 'INTEGER', values: cs.edge },
      { type: 'DOUBLE', values: Array.from(cs.edge, (e, i) => (e < 0 ? null : cs.offset[i])) },
      { type: 'DOUBLE', values: cs.distance },
      { type: 'BOOLEAN', values: Array.from(cs.edge, (e) => e >= 0) },
      { type: 'VARCHAR', values: city.cellLanduse },
    ]);
    await appendColumns(conn, 'cell_community', demand.shareCell.length, [
      { type: 'INTEGER', values: demand.shareCell },
      { type: 'INTEGER', values: demand.shareCommunity },
      { type: 'INTEGER', values: demand.shareResidents },
      { type: 'INTEGER', values: demand.shareElderly },
    ]);

    // community units; a derived unit is named after its boundary and numbered north-west first
    const { units, cellUnit } = city;
    await appendColumns(conn, 'units', units.length, [
      { type: 'INTEGER', values: Int32Array.from(units, (_, i) => i) },
      { type: 'VARCHAR', values: units.map((u) => (u.derived ? `${city.communities[u.community].id}/${u.number}` : city.communities[u.community].id)) },
      { type: 'VARCHAR', values: units.map((u) => (u.derived ? `${city.communities[u.community].name} ${u.number}` : city.communities[u.community].name)) },
      { type: 'INTEGER', values: Int32Array.from(units, (u) => u.community) },
      { type: 'BOOLEAN', values: units.map((u) => u.derived) },
      { type: 'INTEGER', values: Int32Array.from(units, (u) => u.residents) },
      { type: 'INTEGER', values: Int32Array.from(units, (u) => u.elderly) },
      { type: 'INTEGER', values: Int32Array.from(units, (u) => u.cells.length) },
    ]);
    const withUnit = [...cellUnit.keys()].filter((c) => cellUnit[c] >= 0);
    await appendColumns(conn, 'cell_unit', withUnit.length, [
      { type: 'INTEGER', values: Int32Array.from(withUnit) },
      { type: 'INTEGER', values: Int32Array.from(withUnit, (c) => cellUnit[c]) },
    ]);

    const ws = city.coverage.walksheds;
    const wsFacility = new Int32Array(ws.target.length);
    for (let f = 0; f < facilities.length; f++) wsFacility.fill(f, ws.offsets[f], ws.offsets[f + 1]);
    await appendColumns(conn, 'walksheds', ws.target.length, [
      { type: 'INTEGER', values: wsFacility },
      { type: 'INTEGER', values: ws.target },
      { type: 'DOUBLE', values: ws.dist },
    ]);

    const catIds = cats.map((c) => c.id);
    const nNear = catIds.length * nCells;
    const nearOf = (i: number) => city.coverage.nearest[Math.floor(i / nCells)];
    await appendColumns(conn, 'cell_nearest', nNear, [
      { type: 'INTEGER', values: Int32Array.from({ length: nNear }, (_, i) => i % nCells) },
      { type: 'VARCHAR', values: Array.from({ length: nNear }, (_, i) => catIds[Math.floor(i / nCells)]) },
      { type: 'INTEGER', values: Array.from({ length: nNear }, (_, i) => (nearOf(i).source[i % nCells] < 0 ? null : nearOf(i).source[i % nCells])) },
      { type: 'DOUBLE', values: Array.from({ length: nNear }, (_, i) => nearOf(i).dist[i % nCells]) },
    ]);

    const rows = city.rows;
    await appendColumns(conn, 'coverage', rows.length, [
      { type: 'VARCHAR', values: rows.map((r) => r.category) },
      { type: 'INTEGER', values: rows.map((r) => r.tierMin) },
      { type: 'VARCHAR', values: rows.map((r) => r.speed) },
      { type: 'INTEGER', values: rows.map((r) => (r.community < 0 ? null : r.community)) },
      { type: 'INTEGER', values: rows.map((r) => r.residents) },
      { type: 'INTEGER', values: rows.map((r) => r.residentsCovered) },
      { type: 'INTEGER', values: rows.map((r) => r.elderly) },
      { type: 'INTEGER', values: rows.map((r) => r.elderlyCovered) },
      { type: 'DOUBLE', values: rows.map((r) => r.medianMin) },
      { type: 'DOUBLE', values: rows.map((r) => r.p90Min) },
      { type: 'DOUBLE', values: rows.map((r) => r.elderlyMedianMin) },
      { type: 'DOUBLE', values: rows.map((r) => r.elderlyP90Min) },
    ]);

    const clusterRows = city.gaps.flatMap((g) => g.clusters.map((c) => ({ g, c })));
    await appendColumns(conn, 'gap_clusters', clusterRows.length, [
      { type: 'INTEGER', values: clusterRows.map((_, i) => i) },
      { type: 'VARCHAR', values: clusterRows.map((r) => r.g.category) },
      { type: 'INTEGER', values: clusterRows.map((r) => r.g.tierMin) },
      { type: 'VARCHAR', values: clusterRows.map((r) => r.g.speed) },
      { type: 'VARCHAR', values: clusterRows.map((r) => r.g.weight) },
      { type: 'INTEGER', values: clusterRows.map((r) => r.c.cells.length) },
      { type: 'INTEGER', values: clusterRows.map((r) => r.c.residents) },
      { type: 'INTEGER', values: clusterRows.map((r) => r.c.elderly) },
      { type: 'DOUBLE', values: clusterRows.map((r) => r.c.lon) },
      { type: 'DOUBLE', values: clusterRows.map((r) => r.c.lat) },
    ]);
    const gapCluster: number[] = [];
    const gapCell: number[] = [];
    clusterRows.forEach((r, i) => {
      for (const c of r.c.cells) {
        gapCluster.push(i);
        gapCell.push(c);
      }
    });
    await appendColumns(conn, 'gap_cells', gapCell.length, [
      { type: 'INTEGER', values: gapCluster },
      { type: 'INTEGER', values: gapCell },
    ]);

    const tiersOf = city.compliance;
    await appendColumns(conn, 'community_tiers', tiersOf.length, [
      { type: 'INTEGER', values: tiersOf.map((c) => c.community) },
      { type: 'INTEGER', values: communities.map((c) => c.population) },
      { type: 'VARCHAR', values: tiersOf.map((c) => c.fit.position) },
      { type: 'INTEGER', values: tiersOf.map((c) => (c.fit.position === 'within' ? c.fit.tierMinutes : null)) },
      { type: 'INTEGER', values: tiersOf.map((c) => c.governingTier) },
    ]);
    const ruleById = new Map(city.profile.rules.map((r) => [r.id, r]));
    const findings = city.compliance.flatMap((c) => [
      ...c.requirements.map((f) => ({ c: c.community, rule: f.rule, kind: 'facility_requirement', category: f.category, tier: f.tierMinutes, target: f.for, speed: f.speed as string | null, people: f.people as number | null, covered: f.covered as number | null, share: f.share, value: null as number | null, threshold: (ruleById.get(f.rule) as { minShare: number }).minShare, pass: f.pass })),
      ...c.supply.map((s) => ({ c: c.community, rule: s.rule, kind: 'supply_norm', category: s.category, tier: null as number | null, target: 'elderly', speed: 'elderly', people: null, covered: null, share: null, value: s.value, threshold: s.amount, pass: s.pass })),
    ]);
    const src = (id: string) => ruleById.get(id)!.source;
    await appendColumns(conn, 'compliance', findings.length, [
      { type: 'INTEGER', values: findings.map((f) => f.c) },
      { type: 'VARCHAR', values: findings.map((f) => f.rule) },
      { type: 'VARCHAR', values: findings.map((f) => f.kind) },
      { type: 'VARCHAR', values: findings.map((f) => f.category) },
      { type: 'INTEGER', values: findings.map((f) => f.tier) },
      { type: 'VARCHAR', values: findings.map((f) => f.target) },
      { type: 'VARCHAR', values: findings.map((f) => f.speed) },
      { type: 'INTEGER', values: findings.map((f) => f.people) },
      { type: 'INTEGER', values: findings.map((f) => f.covered) },
      { type: 'DOUBLE', values: findings.map((f) => f.share) },
      { type: 'DOUBLE', values: findings.map((f) => f.value) },
      { type: 'DOUBLE', values: findings.map((f) => f.threshold) },
      { type: 'BOOLEAN', values: findings.map((f) => f.pass) },
      { type: 'VARCHAR', values: findings.map((f) => src(f.rule).document) },
      { type: 'VARCHAR', values: findings.map((f) => src(f.rule).clause) },
      { type: 'VARCHAR', values: findings.map((f) => src(f.rule).label) },
    ]);

    // households NULL = not given; residents_source says whether residents were given or counted from cells
    const { grids, gridChecks } = city;
    await appendColumns(conn, 'grids', grids.length, [
      { type: 'INTEGER', values: grids.map((_, i) => i) },
      { type: 'VARCHAR', values: grids.map((g) => g.id) },
      { type: 'VARCHAR', values: grids.map((g) => g.name) },
      { type: 'INTEGER', values: gridChecks.map((g) => g.households) },
      { type: 'INTEGER', values: gridChecks.map((g) => g.residents) },
      { type: 'VARCHAR', values: gridChecks.map((g) => g.residentsSource) },
      { type: 'VARCHAR', values: grids.map((g) => JSON.stringify({ type: 'MultiPolygon', coordinates: g.polygon })) },
    ]);
    const gridFindings = gridChecks.flatMap((g, i) => g.findings.map((f) => ({ i, ...f })));
    await appendColumns(conn, 'grid_findings', gridFindings.length, [
      { type: 'INTEGER', values: gridFindings.map((f) => f.i) },
      { type: 'VARCHAR', values: gridFindings.map((f) => f.rule) },
      { type: 'VARCHAR', values: gridFindings.map((f) => f.problem) },
      { type: 'DOUBLE', values: gridFindings.map((f) => f.value) },
      { type: 'DOUBLE', values: gridFindings.map((f) => f.threshold) },
      { type: 'VARCHAR', values: gridFindings.map((f) => f.source.document) },
      { type: 'VARCHAR', values: gridFindings.map((f) => f.source.clause) },
      { type: 'VARCHAR', values: gridFindings.map((f) => f.source.label) },
    ]);

    const notes = city.notes;
    await appendColumns(conn, 'import_notes', notes.length, [
      { type: 'VARCHAR', values: notes.map((n) => n.stage) },
      { type: 'VARCHAR', values: notes.map((n) => n.kind) },
      { type: 'VARCHAR', values: notes.map((n) => n.subject) },
      { type: 'VARCHAR', values: notes.map((n) => n.message) },
    ]);
  });
}
