/**
 * A scenario's joint communities: thick outlines, green when the joint-community rule holds and red
 * when not, labelled with name and residents (web/src/map/JointLayer.svelte).
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { SnapshotData } from '../../../server/publish/types.ts';
import { JOINT_FAIL, JOINT_PASS } from '../../src/lib/palette.ts';
import type { Labels } from '../labels.ts';
import type { Words } from '../words.ts';

/** `labels`: shared with the gap badges (main.ts), which must not cover a joint community's name. */
export function addJoints(map: MapLibreMap, s: SnapshotData, labels: Labels): { relabel(w: Words): void } {
  map.addSource('joints', {
    type: 'geojson',
    data: {
      type: 'FeatureCollection',
      features: s.joints.map((j) => ({ type: 'Feature', properties: { id: j.id, pass: j.pass }, geometry: { type: 'MultiPolygon', coordinates: j.geometry } })),
    },
  });
  map.addLayer({
    id: 'joints-line',
    type: 'line',
    source: 'joints',
    layout: { 'line-join': 'round' },
    paint: { 'line-color': ['case', ['get', 'pass'], JOINT_PASS, JOINT_FAIL], 'line-width': 3.5 },
  });
  const residents = s.joints.map((j) => {
    // above any gap badge: a joint community is what its scenario is about
    const el = labels.add('lc-joint-label', j.label, 1e9 + j.residents);
    const name = document.createElement('span');
    name.textContent = j.name;
    const small = document.createElement('small');
    el.append(name, small);
    return (w: Words) => (small.textContent = w.t('merge.residentsShort', { n: w.int(j.residents) }));
  });
  return {
    relabel(w) {
      residents.forEach((f) => f(w));
      labels.measure();
    },
  };
}
