/**
 * Gap clusters of the view (touching populated cells beyond the tier), outlined; the largest carry a
 * badge with their rank and elderly count (web/src/map/GapsLayer.svelte).
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { SnapshotData } from '../../../server/publish/types.ts';
import { GAP_OUTLINE } from '../../src/lib/palette.ts';
import type { Labels } from '../labels.ts';
import type { Words } from '../words.ts';

/** How many of the largest clusters get a badge (the app's). */
const BADGES = 5;

/** `labels`: the badges' declutter, shared with the joint communities' names (main.ts). */
export function addGaps(map: MapLibreMap, s: SnapshotData, labels: Labels): { relabel(w: Words): void } {
  map.addSource('gaps', {
    type: 'geojson',
    data: {
      type: 'FeatureCollection',
      features: s.gaps.map((g) => ({ type: 'Feature', properties: { rank: g.rank }, geometry: { type: 'MultiPolygon', coordinates: g.geometry } })),
    },
  });
  map.addLayer({
    id: 'gaps-line',
    type: 'line',
    source: 'gaps',
    layout: { 'line-join': 'round' },
    paint: { 'line-color': GAP_OUTLINE, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 14, 1.8] },
  });
  // decluttered, the higher rank first: the largest clusters' centres lie close together
  const badges = [...s.gaps].sort((a, b) => a.rank - b.rank).slice(0, BADGES).map((g) => {
    const el = labels.add('lc-gap-badge', [g.lon, g.lat], -g.rank, 'bottom');
    return (w: Words) => {
      el.textContent = `#${g.rank} · ${w.t('gap.elderly', { n: w.int(g.elderly) })}`;
      el.title = [w.t('gap.label', { rank: g.rank }), w.t('gap.elderly', { n: w.int(g.elderly) }), w.t('gap.residents', { n: w.int(g.residents) }), w.t('gap.cells', { n: w.int(g.cells) })].join(' · ');
    };
  });
  return {
    relabel(w) {
      badges.forEach((f) => f(w));
      labels.measure();
    },
  };
}
