/**
 * The view category's stations in its colour: added ones larger and ringed dark, closed ones grey
 * (web/src/map/StationsLayer.svelte for the selected category).
 */
import type { ExpressionSpecification, Map as MapLibreMap } from 'maplibre-gl';
import type { SnapshotData } from '../../../server/publish/types.ts';
import { STATION_ADDED_RING, STATION_CLOSED, categoryColours } from '../../src/lib/palette.ts';

export const STATIONS_LAYER = 'stations';

export function addStations(map: MapLibreMap, s: SnapshotData): void {
  const colour = categoryColours(s.categories.map((c) => c.id))[s.view.category];
  map.addSource('stations', {
    type: 'geojson',
    data: {
      type: 'FeatureCollection',
      // the index into s.stations: a click finds the station's record by it
      features: s.stations.flatMap((st, i) =>
        st.category === s.view.category ? [{ type: 'Feature' as const, properties: { i, open: st.open, added: st.added }, geometry: { type: 'Point' as const, coordinates: [st.lon, st.lat] } }] : [],
      ),
    },
  });
  const added: ExpressionSpecification = ['==', ['get', 'added'], true];
  const open: ExpressionSpecification = ['==', ['get', 'open'], true];
  map.addLayer({
    id: STATIONS_LAYER,
    type: 'circle',
    source: 'stations',
    layout: { 'circle-sort-key': ['case', added, 1, 0] },
    paint: {
      'circle-color': ['case', open, colour, STATION_CLOSED],
      'circle-opacity': ['case', open, 1, 0.7],
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, ['case', added, 6, 4], 15, ['case', added, 11, 8]],
      'circle-stroke-color': ['case', added, STATION_ADDED_RING, '#fff'],
      'circle-stroke-width': ['case', added, 2.5, 1.5],
    },
  });
  map.on('mouseenter', STATIONS_LAYER, () => (map.getCanvas().style.cursor = 'pointer'));
  map.on('mouseleave', STATIONS_LAYER, () => (map.getCanvas().style.cursor = ''));
}
