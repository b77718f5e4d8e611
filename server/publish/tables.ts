/**
 * The downloads of a published map as GeoJSON and CSV: plain text any GIS or spreadsheet opens.
 * Every file is computed from the snapshot alone, so it can never disagree with the map or the report.
 */
import { cellToBoundary } from 'h3-js';
import type { SnapshotData } from './types.ts';

type Props = Record<string, string | number | boolean | null>;
const feature = (geometry: unknown, properties: Props) => ({ type: 'Feature', properties, geometry });
const collection = (s: SnapshotData, features: unknown[]) =>
  JSON.stringify({ type: 'FeatureCollection', name: s.name, attribution: s.attribution.join('; '), features });

/** Minutes to the nearest station at a speed, one decimal; null beyond reach. */
export function minutes(distM: number | null, mPerMin: number): number | null {
  return distM === null ? null : Math.round((10 * distM) / mPerMin) / 10;
}

/** Whether `distM` lies within the view's tier at the view's speed (as the server counts: metres ≤ tier × speed). */
export function coveredInView(s: SnapshotData, distM: number | null): boolean {
  return distM !== null && distM <= s.view.tier * s.city.speeds[s.view.speed];
}

function viewFigure(s: SnapshotData, coverage: SnapshotData['coverage']) {
  return coverage.find((f) => f.category === s.view.category && f.tier === s.view.tier && f.speed === s.view.speed)!;
}

const pct = (a: number, b: number) => (b > 0 ? Math.round((1000 * a) / b) / 10 : null);

/** The per-cell values of every download (GeoJSON, CSV, Parquet), as named columns. */
export function cellColumns(s: SnapshotData): Array<{ name: string; type: 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'BOOLEAN'; values: Array<string | number | boolean | null> }> {
  const { cells, categories, city } = s;
  const view = cells.distM[s.view.category];
  return [
    { name: 'h3', type: 'VARCHAR', values: cells.h3 },
    { name: 'lon', type: 'DOUBLE', values: cells.lon },
    { name: 'lat', type: 'DOUBLE', values: cells.lat },
    { name: 'residents', type: 'INTEGER', values: cells.residents },
    { name: 'elderly', type: 'INTEGER', values: cells.elderly },
    ...categories.flatMap((c) => [
      { name: `${c.id}_m`, type: 'INTEGER' as const, values: cells.distM[c.id] },
      { name: `${c.id}_min_general`, type: 'DOUBLE' as const, values: cells.distM[c.id].map((d) => minutes(d, city.speeds.general)) },
      { name: `${c.id}_min_elderly`, type: 'DOUBLE' as const, values: cells.distM[c.id].map((d) => minutes(d, city.speeds.elderly)) },
    ]),
    { name: 'view_covered', type: 'BOOLEAN', values: view.map((d) => coveredInView(s, d)) },
  ];
}

/** The GeoJSON downloads by file name. */
export function geojsonFiles(s: SnapshotData): Record<string, string> {
  const columns = cellColumns(s);
  const cells = s.cells.h3.map((h, i) => {
    const ring = cellToBoundary(h, true);
    return feature({ type: 'Polygon', coordinates: [ring] }, Object.fromEntries(columns.map((c) => [c.name, c.values[i]])));
  });
  const communities = s.communities.map((m) => {
    const f = viewFigure(s, m.coverage);
    return feature(
      { type: 'MultiPolygon', coordinates: m.geometry },
      {
        id: m.id, name: m.name, population: m.population, residents: m.residents, elderly: m.elderly,
        residentsCovered: f.residentsCovered, elderlyCovered: f.elderlyCovered,
        residentsPct: pct(f.residentsCovered, f.residents), elderlyPct: pct(f.elderlyCovered, f.elderly),
        pass: m.compliance ? m.compliance.pass : null,
        failed: m.compliance ? m.compliance.findings.filter((x) => !x.pass).map((x) => x.rule).join(' ') : null,
      },
    );
  });
  const joints = s.joints.map((j) => {
    const f = viewFigure(s, j.coverage);
    return feature(
      { type: 'MultiPolygon', coordinates: j.geometry },
      {
        id: j.id, name: j.name, units: j.units.join(' '), residents: j.residents, elderly: j.elderly, pass: j.pass,
        problems: j.problems.map((p) => p.kind).join(' '), workstations: j.workstations.map((w) => w.name || w.id).join('; '), site: j.site,
        residentsCovered: f.residentsCovered, elderlyCovered: f.elderlyCovered,
      },
    );
  });
  const facilities = s.stations.map((st) =>
    feature({ type: 'Point', coordinates: [st.lon, st.lat] }, { id: st.id, name: st.name, category: st.category, capacity: st.capacity, open: st.open, added: st.added }),
  );
  const walksheds = s.walksheds.map((w) => {
    const st = s.stations.find((x) => x.id === w.station)!;
    return feature({ type: 'MultiPolygon', coordinates: w.geometry }, { station: w.station, name: st.name, category: st.category, tier: s.view.tier, speed: s.view.speed });
  });
  const gaps = s.gaps.map((g) =>
    feature({ type: 'MultiPolygon', coordinates: g.geometry }, { rank: g.rank, cells: g.cells, residents: g.residents, elderly: g.elderly, lon: g.lon, lat: g.lat }),
  );
  return {
    'cells.geojson': collection(s, cells),
    'communities.geojson': collection(s, communities),
    'joints.geojson': collection(s, joints),
    'facilities.geojson': collection(s, facilities),
    'walksheds.geojson': collection(s, walksheds),
    'gaps.geojson': collection(s, gaps),
  };
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with an apostrophe
 * (OWASP's CSV-injection advice): a name "=cmd|' /C calc'!A0" stays a name. Numbers are written as numbers.
 */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csv(header: string[], rows: Array<Array<string | number | boolean | null>>): string {
  // a byte-order mark, so spreadsheet programs read the Chinese names as UTF-8
  return '\ufeff' + [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The CSV downloads by file name: cells, communities at the view, coverage of every category × tier × speed, and every station. */
export function csvFiles(s: SnapshotData): Record<string, string> {
  const columns = cellColumns(s);
  const cells = csv(columns.map((c) => c.name), s.cells.h3.map((_, i) => columns.map((c) => c.values[i])));
  const communities = csv(
    ['id', 'name', 'population', 'residents', 'elderly', 'category', 'tier', 'speed', 'residents_covered', 'elderly_covered', 'residents_pct', 'elderly_pct', 'pass', 'failed_rules'],
    s.communities.map((m) => {
      const f = viewFigure(s, m.coverage);
      return [
        m.id, m.name, m.population, m.residents, m.elderly, f.category, f.tier, f.speed, f.residentsCovered, f.elderlyCovered,
        pct(f.residentsCovered, f.residents), pct(f.elderlyCovered, f.elderly), m.compliance ? m.compliance.pass : null,
        m.compliance ? m.compliance.findings.filter((x) => !x.pass).map((x) => x.rule).join(' ') : null,
      ];
    }),
  );
  const scopes = [
    { kind: 'city', id: '', name: s.city.name, coverage: s.coverage },
    ...s.communities.map((m) => ({ kind: 'community', id: m.id, name: m.name, coverage: m.coverage })),
    ...s.joints.map((j) => ({ kind: 'joint', id: j.id, name: j.name, coverage: j.coverage })),
  ];
  const coverage = csv(
    ['scope', 'id', 'name', 'category', 'tier', 'speed', 'residents', 'residents_covered', 'elderly', 'elderly_covered', 'residents_pct', 'elderly_pct'],
    scopes.flatMap((sc) =>
      sc.coverage.map((f) => [sc.kind, sc.id, sc.name, f.category, f.tier, f.speed, f.residents, f.residentsCovered, f.elderly, f.elderlyCovered, pct(f.residentsCovered, f.residents), pct(f.elderlyCovered, f.elderly)]),
    ),
  );
  const facilities = csv(
    ['id', 'name', 'category', 'lon', 'lat', 'capacity', 'open', 'added'],
    s.stations.map((st) => [st.id, st.name, st.category, st.lon, st.lat, st.capacity, st.open, st.added]),
  );
  return { 'cells.csv': cells, 'communities.csv': communities, 'coverage.csv': coverage, 'facilities.csv': facilities };
}
