/**
 * The MapLibre style of the city's own basemap (tiles from server/core/tiles.ts, layers water, green, buildings,
 * roads, boundaries). Calm and pale, so the coloured cells and facility symbols on top stay readable: no hue in
 * it competes with the walking-time ramp or the gap magenta.
 *
 * No glyphs, no sprite, no text: nothing may be downloaded, so labels are HTML markers drawn by the app.
 * The tiles hold buildings from z13 and minor streets, service roads and paths from z12 (core/tiles.ts); the layers
 * below start no earlier.
 * The server serves this same style at /api/style.json, so this module imports nothing browser-only.
 */
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';

/** The vector source's id in the style. */
export const BASEMAP_SOURCE = 'basemap';

interface Palette {
  background: string;
  water: string;
  waterLine: string;
  green: string;
  wood: string;
  building: string;
  buildingOutline: string;
  casing: string;
  minor: string;
  major: string;
  trunk: string;
  trunkCasing: string;
  path: string;
  rail: string;
  boundary: string;
}

const LIGHT: Palette = {
  background: '#f5f4f1',
  water: '#d3dee6',
  waterLine: '#bfcfdb',
  green: '#e4ebdc',
  wood: '#dae4d1',
  building: '#e6e3de',
  buildingOutline: '#d6d1ca',
  casing: '#dcd8d1',
  minor: '#ffffff',
  major: '#ffffff',
  trunk: '#f8e9cc',
  trunkCasing: '#e2ceaa',
  path: '#c3bdb4',
  rail: '#b3aea7',
  boundary: '#a39cb0',
};

const DARK: Palette = {
  background: '#1e2124',
  water: '#1d2b35',
  waterLine: '#243644',
  green: '#222a24',
  wood: '#253027',
  building: '#2a2d31',
  buildingOutline: '#33373c',
  casing: '#1a1c1f',
  minor: '#33383e',
  major: '#40464e',
  trunk: '#524a3c',
  trunkCasing: '#2e2a23',
  path: '#4a4f56',
  rail: '#555a61',
  boundary: '#6d6680',
};

type RoadClass = 'motorway' | 'trunk' | 'primary' | 'secondary' | 'tertiary' | 'minor' | 'service' | 'path' | 'rail';

/** Line width in pixels per road class at zooms 10, 13, 16 and 19 (0: not drawn yet). */
const ROAD_WIDTH: Record<RoadClass, [number, number, number, number]> = {
  motorway: [1.2, 2.6, 8, 22],
  trunk: [1.2, 2.6, 8, 22],
  primary: [0.9, 2.2, 7, 19],
  secondary: [0.7, 1.8, 6, 16],
  tertiary: [0.4, 1.3, 5, 13],
  minor: [0, 0.6, 3.5, 10],
  service: [0, 0.3, 2, 6],
  path: [0, 0.3, 1, 2.5],
  rail: [0.5, 0.8, 1.5, 2.5],
};
const WIDTH_ZOOMS = [10, 13, 16, 19];

/** Width by zoom (exponential, so streets widen like the ground they cover) and class, plus `extra` for casings. */
function roadWidth(extra = 0): ExpressionSpecification {
  const stops: unknown[] = [];
  WIDTH_ZOOMS.forEach((z, i) => {
    const match: unknown[] = ['match', ['get', 'class']];
    for (const [cls, widths] of Object.entries(ROAD_WIDTH)) match.push(cls, widths[i] > 0 ? widths[i] + extra : 0);
    match.push(0);
    stops.push(z, match);
  });
  return ['interpolate', ['exponential', 1.5], ['zoom'], ...stops] as ExpressionSpecification;
}

const classIn = (...classes: RoadClass[]): ExpressionSpecification => ['in', ['get', 'class'], ['literal', classes]];

/**
 * The basemap style for tiles at `tileUrl` (a template with {z}/{x}/{y}; absolute, since MapLibre resolves tile
 * URLs in its worker). `bounds` ([w, s, e, n]) keeps MapLibre from asking for tiles outside the city.
 * @example new maplibregl.Map({ container, style: basemapStyle(new URL('api/tiles/basemap/{z}/{x}/{y}.pbf', location.href).href) })
 */
export function basemapStyle(tileUrl: string, opts: { dark?: boolean; bounds?: [number, number, number, number] } = {}): StyleSpecification {
  const p = opts.dark ? DARK : LIGHT;
  const src = { source: BASEMAP_SOURCE };
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': p.background } },
    {
      id: 'green',
      type: 'fill',
      ...src,
      'source-layer': 'green',
      paint: { 'fill-color': ['match', ['get', 'class'], ['forest', 'wood', 'scrub'], p.wood, p.green] },
    },
    {
      id: 'water',
      type: 'fill',
      ...src,
      'source-layer': 'water',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': p.water },
    },
    {
      id: 'waterway',
      type: 'line',
      ...src,
      'source-layer': 'water',
      filter: ['==', ['geometry-type'], 'LineString'],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': p.waterLine,
        'line-width': ['interpolate', ['exponential', 1.5], ['zoom'], 10, ['match', ['get', 'class'], 'stream', 0.5, 1], 18, ['match', ['get', 'class'], 'stream', 3, 8]],
      },
    },
    {
      id: 'buildings',
      type: 'fill',
      ...src,
      'source-layer': 'buildings',
      minzoom: 14,
      paint: { 'fill-color': p.building, 'fill-outline-color': p.buildingOutline, 'fill-opacity': ['interpolate', ['linear'], ['zoom'], 14, 0.6, 15, 1] },
    },
    {
      id: 'roads-path',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      minzoom: 14,
      filter: classIn('path'),
      paint: { 'line-color': p.path, 'line-width': roadWidth(), 'line-dasharray': [2, 1.5] },
    },
    {
      id: 'roads-casing',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      minzoom: 12,
      filter: classIn('service', 'minor', 'tertiary', 'secondary', 'primary'),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': p.casing, 'line-width': roadWidth(1.5) },
    },
    {
      id: 'roads-minor',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      minzoom: 12,
      filter: classIn('service', 'minor'),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': p.minor, 'line-width': roadWidth() },
    },
    {
      id: 'roads-major',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: classIn('tertiary', 'secondary', 'primary'),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      // below z12 there is no casing: a touch of grey keeps white roads visible on the pale ground
      paint: { 'line-color': ['step', ['zoom'], p.casing, 12, p.major], 'line-width': roadWidth() },
    },
    {
      id: 'roads-trunk-casing',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      minzoom: 12,
      filter: classIn('trunk', 'motorway'),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': p.trunkCasing, 'line-width': roadWidth(1.5) },
    },
    {
      id: 'roads-trunk',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: classIn('trunk', 'motorway'),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': ['step', ['zoom'], p.trunkCasing, 12, p.trunk], 'line-width': roadWidth() },
    },
    {
      id: 'rail',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: classIn('rail'),
      paint: { 'line-color': p.rail, 'line-width': roadWidth(), 'line-dasharray': [3, 2] },
    },
    {
      id: 'boundaries',
      type: 'line',
      ...src,
      'source-layer': 'boundaries',
      filter: ['any', ['==', ['get', 'admin_level'], 6], ['>=', ['zoom'], 11]],
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': p.boundary,
        // sub-district lines stay faint: the app draws the communities it counts in its own colour
        'line-opacity': ['match', ['get', 'admin_level'], 6, 0.9, 0.5],
        'line-width': ['interpolate', ['linear'], ['zoom'], 10, ['match', ['get', 'admin_level'], 6, 1.2, 0.6], 16, ['match', ['get', 'admin_level'], 6, 2.5, 1.2]],
        'line-dasharray': [4, 2],
      },
    },
  ];
  return {
    version: 8,
    name: opts.dark ? 'lifecircle basemap (dark)' : 'lifecircle basemap',
    sources: {
      [BASEMAP_SOURCE]: {
        type: 'vector',
        tiles: [tileUrl],
        minzoom: 0,
        maxzoom: 16,
        ...(opts.bounds ? { bounds: opts.bounds } : {}),
        attribution: '© OpenStreetMap contributors',
      },
    },
    layers,
  };
}
