/**
 * What a click on the map does, shared by the tool modes: open a cell's or a facility's popup,
 * or ask for the walkshed of a point. They only write app state; layers and the popup react.
 */
import type { Point } from 'geojson';
import type { MapGeoJSONFeature } from 'maplibre-gl';
import { api, type FacilityProps } from '../../lib/api.ts';
import { app } from '../../lib/state.svelte.ts';

let cellRequest: AbortController | null = null;

/** Open the popup of cell `h3` at `lngLat` and fetch its details. */
export function openCell(h3: string, lngLat: [number, number]): void {
  cellRequest?.abort();
  const ctrl = new AbortController();
  cellRequest = ctrl;
  // a walkshed belongs to the popup that opened it
  app.walkshedRequest = null;
  app.popup = { kind: 'cell', h3, lngLat, detail: null, error: null };
  app.track('loading.cell', api.cell(h3, ctrl.signal)).then(
    (detail) => {
      if (app.popup?.kind === 'cell' && app.popup.h3 === h3) app.popup = { ...app.popup, detail };
    },
    (err: Error) => {
      if (err.name !== 'AbortError' && app.popup?.kind === 'cell' && app.popup.h3 === h3) app.popup = { ...app.popup, error: err.message };
    },
  );
}

/** Open a facility's popup and draw its walkshed. */
export function openFacility(f: MapGeoJSONFeature): void {
  const props = f.properties as FacilityProps;
  const [lon, lat] = (f.geometry as Point).coordinates;
  cellRequest?.abort();
  app.popup = { kind: 'facility', lngLat: [lon, lat], facility: { ...props, capacity: props.capacity ?? null } };
  app.walkshedRequest = { kind: 'facility', id: props.id, featureId: f.id, name: props.name, lon, lat };
}

/** Draw the walkshed of any point (snapped to the nearest street by the server). */
export function openPoint(lon: number, lat: number): void {
  cellRequest?.abort();
  app.popup = { kind: 'point', lngLat: [lon, lat] };
  app.walkshedRequest = { kind: 'point', lon, lat };
}

/** Close the popup, and the walkshed it opened. */
export function closePopup(): void {
  cellRequest?.abort();
  app.popup = null;
  app.walkshedRequest = null;
}
