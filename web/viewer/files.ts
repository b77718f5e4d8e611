/**
 * The exported folder's layout, shared by the server that writes it (server/publish/viewer.ts) and the
 * page that reads it. No DOM, no imports.
 */

/** The downloads the publisher writes beside the map, in the order the page lists them. */
export const DOWNLOADS = [
  'cells.geojson', 'communities.geojson', 'joints.geojson', 'facilities.geojson', 'walksheds.geojson', 'gaps.geojson',
  'cells.csv', 'communities.csv', 'coverage.csv', 'facilities.csv', 'cells.parquet', 'map.png', 'report.pdf', 'report.html',
  'snapshot.json', 'ATTRIBUTION.txt',
] as const;

/**
 * Zooms of the embedded basemap tiles. Measured on Harbin (≈ 21 × 19 km): z9–14 is 2.9 MB of tiles
 * (4 MB as base64), z15 would add 1.4 MB and z16 2 MB more. z14 tiles are cut to ≈ 0.4 m, so MapLibre
 * over-zooms them to street level without visible loss; z9 keeps the whole city in view on a phone.
 */
export const BASEMAP_MIN_ZOOM = 9;
export const BASEMAP_MAX_ZOOM = 14;

/** The custom protocol of the embedded tiles: `lcembed://z/x/y`. */
export const EMBED_PROTOCOL = 'lcembed';

/** What data.js and basemap.js define, read by viewer.js. */
export const SNAPSHOT_GLOBAL = 'LIFECIRCLE_SNAPSHOT';
export const BASEMAP_GLOBAL = 'LIFECIRCLE_BASEMAP';
