/**
 * Community (街道/社区) outlines, labelled with their names and the share of their elderly within the
 * view's walk (the gaps are weighted by the elderly), as the app labels them.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { SnapshotData } from '../../../server/publish/types.ts';
import { COMMUNITY_LINE } from '../../src/lib/palette.ts';
import { Labels } from '../labels.ts';
import { pct, viewFigure } from '../page.ts';

/** Below this zoom the labels would only cover the map (the app's). */
const LABEL_MIN_ZOOM = 11;

export function addCommunities(map: MapLibreMap, s: SnapshotData): void {
  map.addSource('communities', {
    type: 'geojson',
    data: {
      type: 'FeatureCollection',
      features: s.communities.map((c) => ({ type: 'Feature', properties: { id: c.id }, geometry: { type: 'MultiPolygon', coordinates: c.geometry } })),
    },
  });
  map.addLayer({
    id: 'communities-line',
    type: 'line',
    source: 'communities',
    layout: { 'line-join': 'round' },
    paint: { 'line-color': COMMUNITY_LINE, 'line-opacity': 0.75, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.8, 14, 1.8] },
  });

  const labels = new Labels(map, LABEL_MIN_ZOOM);
  for (const c of s.communities) {
    const el = labels.add('lc-community-label', c.label, c.population ?? c.residents);
    const name = document.createElement('span');
    name.textContent = c.name;
    const share = document.createElement('small');
    const f = viewFigure(s, c.coverage);
    share.textContent = f && f.elderly > 0 ? `${pct(f.elderlyCovered, f.elderly)}%` : '';
    el.append(name, share);
  }
  labels.measure();
}
