/**
 * The files of an exported folder that make its map: a page that opens from file:// with no network
 * at all. index.html (the text, rendered by web/viewer/page.ts), the built viewer (one classic script
 * and its stylesheet, `vite build --mode viewer`), the snapshot as a script (data.js) and the city's
 * basemap tiles as a script (basemap.js): classic scripts, because a file:// page may not fetch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWER_ROOT } from '../config.ts';
import type { BasemapTiles } from '../core/tiles.ts';
import { BASEMAP_GLOBAL, BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM, SNAPSHOT_GLOBAL } from '../../web/viewer/files.ts';
import { indexHtml } from '../../web/viewer/page.ts';
import type { SnapshotData } from './types.ts';

/**
 * index.html, viewer.js, viewer.css, data.js and basemap.js for snapshot `s`, keyed by file name.
 * @throws Error naming `npm run build:viewer` when the viewer is not built.
 * @example
 * for (const [name, body] of Object.entries(viewerFiles(snapshot, tiles))) writeFileSync(join(dir, name), body);
 */
export function viewerFiles(s: SnapshotData, tiles: BasemapTiles): Record<string, string | Uint8Array> {
  return {
    'index.html': indexHtml(s),
    'viewer.js': viewerAsset('viewer.js'),
    'viewer.css': viewerAsset('viewer.css'),
    'data.js': `window.${SNAPSHOT_GLOBAL} = ${scriptJson(s)};\n`,
    'basemap.js': `window.${BASEMAP_GLOBAL} = ${JSON.stringify(embeddedTiles(s.city.bbox, tiles))};\n`,
  };
}

function viewerAsset(name: string): Uint8Array {
  const path = join(VIEWER_ROOT, name);
  if (!existsSync(path)) throw new Error(`the published map's viewer is not built: ${path} is missing (run npm run build:viewer)`);
  return readFileSync(path);
}

const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * JSON as a JavaScript expression that nothing in it can break out of: `<`, `>`, `&` (no `</script>`
 * or `<!--` should the file ever be inlined into a page) and U+2028/2029 (line ends to older
 * JavaScript) become \u escapes, which mean the same inside JSON strings, the only place they occur.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(SCRIPT_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Web Mercator tile column and row of a point at zoom z. */
function tileXY(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const s = Math.sin((lat * Math.PI) / 180);
  const x = Math.floor(((lon + 180) / 360) * n);
  const y = Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n);
  return [Math.min(Math.max(x, 0), n - 1), Math.min(Math.max(y, 0), n - 1)];
}

/**
 * Every tile over `bbox` at the embedded zooms (web/viewer/files.ts: z9–14, ≈ 4 MB of base64 for
 * Harbin), base64 MVT keyed "z/x/y"; tiles with no feature are left out (the viewer reads a missing
 * key as an empty tile).
 */
export function embeddedTiles([west, south, east, north]: [number, number, number, number], tiles: BasemapTiles): Record<string, string> {
  const out: Record<string, string> = {};
  for (let z = BASEMAP_MIN_ZOOM; z <= BASEMAP_MAX_ZOOM; z++) {
    const [x0, y0] = tileXY(west, north, z);
    const [x1, y1] = tileXY(east, south, z);
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const bytes = tiles.tile(z, x, y);
        if (bytes) out[`${z}/${x}/${y}`] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
      }
    }
  }
  return out;
}
