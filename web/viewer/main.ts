/**
 * The viewer of a published map, opened from the exported folder (file://, no network): the
 * snapshot from data.js, the city's basemap tiles from basemap.js, MapLibre and its worker from this
 * one script. The page's text is already in index.html (page.ts, written by the server, in Chinese);
 * this script draws the map and renders the text again when the language changes.
 */
import 'maplibre-gl/dist/maplibre-gl.css';
import './viewer.css';
import * as maplibregl from 'maplibre-gl';
import type { VectorSourceSpecification } from 'maplibre-gl';
import type { SnapshotData } from '../../server/publish/types.ts';
import { BASEMAP_SOURCE, basemapStyle } from '../src/map/style.ts';
import { clickInfo } from './click.ts';
import { serveEmbeddedTiles, useBundledWorker } from './embed.ts';
import { BASEMAP_GLOBAL, BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM, SNAPSHOT_GLOBAL } from './files.ts';
import { addCells } from './layers/cells.ts';
import { addCommunities } from './layers/communities.ts';
import { addGaps } from './layers/gaps.ts';
import { addJoints } from './layers/joints.ts';
import { Labels } from './labels.ts';
import { addStations } from './layers/stations.ts';
import { esc, pageParts } from './page.ts';
import { words, type Words } from './words.ts';

const globals = window as unknown as Record<string, unknown>;
const s = globals[SNAPSHOT_GLOBAL] as SnapshotData | undefined;
if (!s) throw new Error('data.js did not define the snapshot: keep index.html with the files beside it');
const snapshot = s;
const tiles = (globals[BASEMAP_GLOBAL] ?? {}) as Record<string, string>;

// Chinese by default; `index.html#en` opens in English (a link that keeps the choice).
let w: Words = words(location.hash === '#en' ? 'en' : 'zh');
const relabels: Array<(w: Words) => void> = [];
let rerenderInfo = () => {};

function renderText(): void {
  for (const [id, html] of Object.entries(pageParts(snapshot, w))) document.getElementById(id)!.innerHTML = html;
  document.documentElement.lang = w.htmlLang;
  for (const f of relabels) f(w);
  rerenderInfo();
}

document.addEventListener('click', (e) => {
  if (!(e.target instanceof Element) || !e.target.closest('#lang-switch')) return;
  w = words(w.lang === 'zh' ? 'en' : 'zh');
  renderText();
  try {
    history.replaceState(null, '', w.lang === 'en' ? '#en' : location.pathname);
  } catch {
    // some browsers refuse history on file://: the switch still works, the address just keeps its hash
  }
});
if (w.lang !== 'zh') renderText();

function showMap(): maplibregl.Map {
  useBundledWorker();
  const style = basemapStyle(serveEmbeddedTiles(tiles), { bounds: snapshot.city.bbox });
  // only these zooms are embedded: MapLibre over-zooms the deepest and asks for nothing outside them
  Object.assign(style.sources[BASEMAP_SOURCE] as VectorSourceSpecification, { minzoom: BASEMAP_MIN_ZOOM, maxzoom: BASEMAP_MAX_ZOOM });
  const [west, south, east, north] = snapshot.city.bbox;
  // the panel floats over the map's right side on a wide screen: keep the city clear of it
  const wide = window.innerWidth > 900;
  const map = new maplibregl.Map({
    container: 'map',
    style,
    bounds: snapshot.city.bbox,
    fitBoundsOptions: { padding: wide ? { top: 24, bottom: 24, left: 24, right: 360 } : 12 },
    minZoom: BASEMAP_MIN_ZOOM,
    maxBounds: [west - (east - west), south - (north - south), east + (east - west), north + (north - south)],
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    fadeDuration: 0,
  });
  map.touchZoomRotate.disableRotation();
  // the credit lines are the snapshot's, HTML to MapLibre: escaped
  map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: snapshot.attribution.map(esc) }), 'bottom-left');
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  // bottom left, with the attribution: the panel floats over the right side
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  return map;
}

let map: maplibregl.Map;
try {
  map = showMap();
} catch (err) {
  // no WebGL2: the page still has its title, legend, figures and downloads
  const note = document.createElement('p');
  note.className = 'no-map';
  note.textContent = w.t('viewer.noMap');
  document.getElementById('map')!.append(note);
  throw err;
}

const loaded = new Promise<void>((resolve) => map.once('load', () => resolve()));
const drawn = new Promise<void>((resolve) => {
  map.once('style.load', () => {
    // bottom to top, over the basemap
    const cells = addCells(map, snapshot, () => {
      document.documentElement.dataset.cellsDrawn = 'true';
      resolve();
    });
    addCommunities(map, snapshot);
    // gap badges and joint communities' names at every zoom, decluttered together
    const markers = new Labels(map, 0);
    relabels.push(addGaps(map, snapshot, markers).relabel, addJoints(map, snapshot, markers).relabel);
    addStations(map, snapshot);
    rerenderInfo = clickInfo(map, snapshot, cells, () => w).rerender;
    for (const f of relabels) f(w);
  });
});

// for tests: the map, and when it has loaded with the cells drawn (the app's hook, web/src/lib/hook.ts)
globals.__lifecircle = { map, ready: Promise.all([loaded, drawn]).then(() => {}) };
