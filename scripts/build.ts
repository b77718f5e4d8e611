/**
 * lifecircle build: import a city and compute its walking coverage into a DuckDB file.
 *
 *   npx tsx scripts/build.ts                       # the bundled Harbin sample → data/harbin.duckdb
 *   npx tsx scripts/build.ts --pbf city.osm.pbf --db city.duckdb --communities c.geojson \
 *        --population-field pop --facilities stations.csv --facility-category elderly_care
 *
 * Exit codes: 0 built, 2 bad input (the message names file, feature and field), 1 anything else.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { InputError } from '../server/errors.ts';
import { buildCity, defaultOptions, type BuildOptions } from '../server/pipeline.ts';
import { openDb } from '../server/db/connection.ts';
import { writeCity } from '../server/db/city.ts';
import { complianceTable, coverageTable, gridTable } from '../server/report.ts';
import { isPlainText } from '../server/ingest/text.ts';
import type { Crs } from '../server/ingest/coords.ts';
import { HARBIN_DB, HARBIN_PBF } from '../server/config.ts';


const HELP = `Usage: npm run build:db -- [options]

Input
  --pbf FILE                 OpenStreetMap extract (default: the bundled Harbin sample)
  --city-name NAME           the city's name on the map, published pages and reports (default: the file's name)
  --categories FILE          tags → category mapping (default: data/categories.json)
  --communities FILE         GeoJSON community polygons (default: OSM admin boundaries)
  --community-id-field F     --community-name-field F (default name)
  --population-field F       (default population)   --elderly-field F
  --communities-crs CRS      wgs84 | gcj02 | bd09 (default wgs84)
  --grids FILE               GeoJSON grid management units (网格), checked against the grid-size rule
  --grid-id-field F          --grid-name-field F (default name)
  --households-field F       (default households)   --grid-residents-field F (default residents);
                             a grid without residents gets those of the cells whose centre it holds
  --grids-crs CRS            wgs84 | gcj02 | bd09 (default wgs84)
  --facilities FILE          GeoJSON or CSV facilities; repeat for several files
  --facility-category ID     one category for every facility in the files, or
  --facility-category-field F
  --facility-name-field F    --facility-capacity-field F   --lon-field F   --lat-field F
  --facilities-crs CRS       wgs84 | gcj02 | bd09 (default wgs84)
  --no-osm-facilities        use only the facility files
Analysis
  --admin-level N            OSM admin_level of the communities (default 8)
  --resolution N             H3 resolution of the demand cells (default 10)
  --profile FILE             standards profile (default data/standards/default.json); it sets the
                             walking speeds and tiers unless the options below do
  --speed-general M          walking speed, m/min (default: the profile's, 67)
  --speed-elderly M          elderly walking speed, m/min (default: the profile's, 50)
  --elderly-share S          share of elderly where not given (default 0.2198, Harbin 2020 census)
  --building-m2-per-resident M  building floor m² per resident for residents to follow buildings
                             fully; less spreads the rest over the area (default 3; 0 = buildings only)
  --tiers LIST               tier minutes (default: the profile's, 5,10,15)
  --unit-residents MIN,MAX   residents of the community units cut from coarse boundaries (default 5000,12000)
  --max-snap M               farthest snap to a street, metres (default 300)
  --min-component N          smallest network island snapped to, nodes (default 50)
  --no-access                leave the walk from a point to its street out of the time
Output
  --db FILE                  DuckDB file (default data/harbin.duckdb)
  --quiet                    no progress lines
`;

function parseOptions(argv: string[]): { build: BuildOptions; db: string; quiet: boolean } {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      pbf: { type: 'string' }, 'city-name': { type: 'string' }, db: { type: 'string' }, categories: { type: 'string' }, profile: { type: 'string' },
      communities: { type: 'string' }, 'community-id-field': { type: 'string' }, 'community-name-field': { type: 'string' },
      'population-field': { type: 'string' }, 'elderly-field': { type: 'string' }, 'communities-crs': { type: 'string' },
      grids: { type: 'string' }, 'grid-id-field': { type: 'string' }, 'grid-name-field': { type: 'string' },
      'households-field': { type: 'string' }, 'grid-residents-field': { type: 'string' }, 'grids-crs': { type: 'string' },
      facilities: { type: 'string', multiple: true }, 'facility-category': { type: 'string' },
      'facility-category-field': { type: 'string' }, 'facility-name-field': { type: 'string' },
      'facility-capacity-field': { type: 'string' }, 'lon-field': { type: 'string' }, 'lat-field': { type: 'string' },
      'facilities-crs': { type: 'string' }, 'no-osm-facilities': { type: 'boolean' },
      'admin-level': { type: 'string' }, resolution: { type: 'string' }, 'speed-general': { type: 'string' },
      'speed-elderly': { type: 'string' }, 'elderly-share': { type: 'string' }, 'building-m2-per-resident': { type: 'string' }, tiers: { type: 'string' }, 'unit-residents': { type: 'string' },
      'max-snap': { type: 'string' }, 'min-component': { type: 'string' }, 'no-access': { type: 'boolean' },
      quiet: { type: 'boolean' }, help: { type: 'boolean' },
    },
  });
  if (v.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const number = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InputError(`must be a number, got "${value}"`, { field: name });
    return n;
  };
  const crs = (name: string, value: string | undefined): Crs | undefined => {
    if (value === undefined) return undefined;
    if (value !== 'wgs84' && value !== 'gcj02' && value !== 'bd09') throw new InputError(`must be wgs84, gcj02 or bd09, got "${value}"`, { field: name });
    return value;
  };
  // speeds and tiers come from the standards profile unless given here
  const o = defaultOptions(v.pbf ?? HARBIN_PBF, v.profile);
  o.categoriesFile = v.categories;
  if (v['city-name'] !== undefined) {
    const name = v['city-name'].trim();
    if (!name || name.length > 100 || !isPlainText(name)) {
      throw new InputError(`must be 1–100 characters of plain text, got ${JSON.stringify(v['city-name'].slice(0, 40))}`, { field: 'city-name' });
    }
    o.cityName = name;
  }
  if (v.communities) {
    o.communities = {
      path: v.communities,
      idField: v['community-id-field'],
      nameField: v['community-name-field'] ?? 'name',
      populationField: v['population-field'] ?? 'population',
      elderlyField: v['elderly-field'],
      crs: crs('communities-crs', v['communities-crs']),
    };
  }
  if (v.grids) {
    o.grids = {
      path: v.grids,
      idField: v['grid-id-field'],
      nameField: v['grid-name-field'] ?? 'name',
      householdsField: v['households-field'] ?? 'households',
      residentsField: v['grid-residents-field'] ?? 'residents',
      crs: crs('grids-crs', v['grids-crs']),
    };
  }
  o.facilities = (v.facilities ?? []).map((path) => ({
    path,
    category: v['facility-category'],
    categoryField: v['facility-category-field'],
    nameField: v['facility-name-field'],
    capacityField: v['facility-capacity-field'],
    lonField: v['lon-field'],
    latField: v['lat-field'],
    crs: crs('facilities-crs', v['facilities-crs']),
  }));
  if (o.facilities.length && !v['facility-category'] && !v['facility-category-field']) {
    throw new InputError('give --facility-category ID or --facility-category-field F with --facilities', { field: 'facility-category' });
  }
  o.osmFacilities = !v['no-osm-facilities'];
  o.adminLevel = number('admin-level', v['admin-level'], o.adminLevel);
  o.resolution = number('resolution', v.resolution, o.resolution);
  o.speeds.general = number('speed-general', v['speed-general'], o.speeds.general);
  o.speeds.elderly = number('speed-elderly', v['speed-elderly'], o.speeds.elderly);
  o.elderlyShare = number('elderly-share', v['elderly-share'], o.elderlyShare);
  o.buildingM2PerResident = number('building-m2-per-resident', v['building-m2-per-resident'], o.buildingM2PerResident);
  if (v.tiers !== undefined) o.tiers = v.tiers.split(',').map((t) => number('tiers', t, NaN));
  if (v['unit-residents'] !== undefined) {
    const [lo, hi] = v['unit-residents'].split(',').map((t) => number('unit-residents', t, NaN));
    o.unitResidents = [lo, hi];
  }
  o.maxSnapM = number('max-snap', v['max-snap'], o.maxSnapM);
  o.minComponentNodes = number('min-component', v['min-component'], o.minComponentNodes);
  o.countAccess = !v['no-access'];
  return { build: o, db: v.db ?? HARBIN_DB, quiet: Boolean(v.quiet) };
}

/** Build and store; returns the city so callers (tests, the server) can use it. */
export async function runBuild(argv: string[]) {
  const { build, db: dbPath, quiet } = parseOptions(argv);
  const started = performance.now();
  const log = (stage: string, message: string) => {
    if (!quiet) process.stderr.write(`[${stage}] ${message}\n`);
  };
  const city = buildCity(build, log);
  // What the import could not use as given: counted per kind with the first few named, all of it in import_notes.
  const kinds = new Map<string, string[]>();
  for (const n of city.notes) kinds.set(n.kind, [...(kinds.get(n.kind) ?? []), n.message.includes(n.subject) ? n.message : `${n.subject}: ${n.message}`]);
  for (const [kind, messages] of kinds) {
    const shown = messages.slice(0, 5).join('; ');
    log('notes', `${messages.length} ${kind}: ${shown}${messages.length > 5 ? `; … (${messages.length - 5} more in import_notes)` : ''}`);
  }
  const db = await openDb(dbPath);
  try {
    const t = performance.now();
    await writeCity(db.conn, city);
    log('store', `${dbPath} (${Math.round(performance.now() - t)} ms)`);
  } finally {
    db.close();
  }
  log('done', `${((performance.now() - started) / 1000).toFixed(1)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
  return city;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const city = await runBuild(process.argv.slice(2));
    process.stdout.write(`${coverageTable(city)}\n\n${complianceTable(city)}\n`);
    if (city.grids.length) process.stdout.write(`\n${gridTable(city)}\n`);
  } catch (err) {
    if (err instanceof InputError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
