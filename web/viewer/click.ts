/**
 * Clicks on the map: a station shows its record, a cell its figures and the communities around it
 * (outlined while shown), a place off the cells the communities there. One popup, its content from
 * info.ts, rendered again when the language changes.
 */
import * as maplibregl from 'maplibre-gl';
import type { MultiPolygon } from 'geojson';
import { latLngToCell } from 'h3-js';
import type { SnapshotData } from '../../server/publish/types.ts';
import { bboxOf, contains } from '../src/lib/geo.ts';
import { cellInfoHtml, placesInfoHtml, stationInfoHtml, type Place } from './info.ts';
import { STATIONS_LAYER } from './layers/stations.ts';
import type { Words } from './words.ts';

/**
 * Pan so that `el` (the popup) lies within the map's visible part: a cell's table is taller than
 * the space below a click in the middle, and on a wide screen the panel covers the map's right side.
 */
function keepInView(map: maplibregl.Map, el: HTMLElement): void {
  const m = map.getContainer().getBoundingClientRect();
  const panel = document.getElementById('panel');
  const right = panel && getComputedStyle(panel).position === 'absolute' ? Math.min(m.right, panel.getBoundingClientRect().left) : m.right;
  const r = el.getBoundingClientRect();
  const margin = 8;
  const dx = r.right > right - margin ? r.right - right + margin : r.left < m.left + margin ? r.left - m.left - margin : 0;
  const dy = r.bottom > m.bottom - margin ? Math.min(r.bottom - m.bottom + margin, r.top - m.top - margin) : r.top < m.top + margin ? r.top - m.top - margin : 0;
  if (dx || dy) map.panBy([dx, dy], { duration: 300 });
}

export function clickInfo(map: maplibregl.Map, s: SnapshotData, cells: { select(h3: string | null): void }, words: () => Words): { rerender(): void } {
  const index = new Map(s.cells.h3.map((h, i) => [h, i]));
  const areas = [
    ...s.joints.map((c): Place => ({ kind: 'joint', c })),
    ...s.communities.map((c): Place => ({ kind: 'community', c })),
  ].map((p) => {
    const g: MultiPolygon = { type: 'MultiPolygon', coordinates: p.c.geometry };
    return { p, g, box: bboxOf(g) };
  });
  const placesAt = (lon: number, lat: number) => areas.filter((a) => contains(a.box, a.g, lon, lat)).map((a) => a.p);

  // closeOnClick off: the popup's own click handler would close it after ours reopened it
  const popup = new maplibregl.Popup({ maxWidth: '420px', closeOnClick: false, focusAfterOpen: false, className: 'lc-popup' });
  const content = document.createElement('div');
  let render: (() => string) | null = null;
  popup.on('close', () => {
    render = null;
    cells.select(null);
  });

  map.on('click', (e) => {
    const station = map.queryRenderedFeatures(e.point, { layers: [STATIONS_LAYER] })[0];
    const cell = station ? undefined : index.get(latLngToCell(e.lngLat.lat, e.lngLat.lng, s.cells.resolution));
    let at: [number, number] = [e.lngLat.lng, e.lngLat.lat];
    if (station) {
      const i = station.properties.i as number;
      at = [s.stations[i].lon, s.stations[i].lat];
      render = () => stationInfoHtml(s, words(), i);
    } else if (cell !== undefined) {
      const places = placesAt(s.cells.lon[cell], s.cells.lat[cell]);
      render = () => cellInfoHtml(s, words(), cell, places);
    } else {
      const places = placesAt(e.lngLat.lng, e.lngLat.lat);
      render = places.length ? () => placesInfoHtml(s, words(), places) : null;
    }
    cells.select(cell === undefined ? null : s.cells.h3[cell]);
    if (!render) {
      popup.remove();
      return;
    }
    content.innerHTML = render();
    // moving an open popup fires no close
    popup.setLngLat(at);
    if (!popup.isOpen()) popup.setDOMContent(content).addTo(map);
    keepInView(map, popup.getElement());
  });

  return {
    rerender() {
      if (render) content.innerHTML = render();
    },
  };
}
