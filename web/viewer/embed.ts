/**
 * MapLibre on a page opened from file:// with no network: its worker from a Blob URL and the basemap
 * tiles from basemap.js through a custom protocol.
 */
import * as maplibregl from 'maplibre-gl';
// The worker bundle is self-contained (no imports), so its text alone makes the worker. Chromium
// refuses a worker script from a file:// URL but allows blob: (MapLibre 6 starts it as a module
// worker; from an opaque file:// origin it re-reads the blob into a data: URL itself).
import workerSource from 'maplibre-gl/dist/maplibre-gl-worker.mjs?raw';
import { EMBED_PROTOCOL } from './files.ts';

/** Start MapLibre's worker from the bundled text. Call before the first map. */
export function useBundledWorker(): void {
  maplibregl.setWorkerUrl(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
}

/** base64 → bytes (atob: Uint8Array.fromBase64 is too new to count on). */
function decode(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

/**
 * Answer `lcembed://z/x/y` from the embedded tiles (base64 MVT keyed "z/x/y"). A tile that is not
 * there has no features (the server leaves empty tiles out): empty data, which MapLibre reads as an
 * empty tile, not an error. The handler runs on the main thread; the worker asks it for each tile.
 */
export function serveEmbeddedTiles(tiles: Readonly<Record<string, string>>): string {
  maplibregl.addProtocol(EMBED_PROTOCOL, async (params) => {
    const b64 = tiles[params.url.slice(EMBED_PROTOCOL.length + 3)];
    return { data: b64 ? decode(b64) : new ArrayBuffer(0) };
  });
  return `${EMBED_PROTOCOL}://{z}/{x}/{y}`;
}
