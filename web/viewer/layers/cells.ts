/**
 * The demand cells: the app's hexagon layer (web/src/map/hexLayer.ts) coloured once by the app's
 * colours (web/src/map/cellStyle.ts) for the snapshot's view, gaps weighted by the elderly; and the
 * clicked cell's outline.
 */
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { cellToBoundary } from 'h3-js';
import type { SnapshotData } from '../../../server/publish/types.ts';
import { cellColours, type CellSelection } from '../../src/map/cellStyle.ts';
import { HexLayer } from '../../src/map/hexLayer.ts';
import { nullIsBeyondReach } from '../page.ts';

const SELECTED = 'cell-selected';

export function addCells(map: MapLibreMap, s: SnapshotData, onDrawn: () => void): { select(h3: string | null): void } {
  const { category } = s.view;
  const selection: CellSelection = { category, tier: s.view.tier, speedMPerMin: s.city.speeds[s.view.speed], weighting: 'elderly', tiers: s.city.tiers };
  // A scenario keeps metres only within its reach, which every tier ends inside: a missing distance
  // there is beyond every tier (the last ramp step, or the gap), as the app draws it.
  const dist = s.cells.distM[category] ?? [];
  const distM = { [category]: nullIsBeyondReach(s) ? dist.map((d) => d ?? Infinity) : dist };
  const layer = new HexLayer('cells-fill', s.cells.h3, onDrawn);
  map.addLayer(layer);
  layer.setColours(cellColours(selection, { residents: s.cells.residents, elderly: s.cells.elderly, distM }));

  map.addSource(SELECTED, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'cells-selected', type: 'line', source: SELECTED, paint: { 'line-color': '#111', 'line-width': 2.5 } });
  return {
    select(h3) {
      (map.getSource(SELECTED) as GeoJSONSource).setData({
        type: 'FeatureCollection',
        features: h3 ? [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [cellToBoundary(h3, true)] } }] : [],
      });
    },
  };
}
