/** The MapLibre map, handed from MapView to the layer components inside it through Svelte context. */
import { getContext, setContext } from 'svelte';
import type { Map as MapLibreMap } from 'maplibre-gl';

const KEY = Symbol('lifecircle.map');

/** Filled by MapView once the map exists; children render only after its `load`. */
export interface MapHolder {
  map: MapLibreMap | null;
}

export function provideMap(holder: MapHolder): void {
  setContext(KEY, holder);
}

/** The map of the enclosing MapView; layer components are mounted only once it has loaded. */
export function getMap(): MapLibreMap {
  const map = getContext<MapHolder | undefined>(KEY)?.map;
  if (!map) throw new Error('getMap() outside a loaded MapView');
  return map;
}

/**
 * An empty GeoJSON source, created once per layer component and fed with `setData` later.
 * @example addEmptySource(map, 'gaps', { promoteId: 'clusterId' })
 */
export function addEmptySource(map: MapLibreMap, id: string, extra: { promoteId?: string } = {}): void {
  map.addSource(id, { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, ...extra });
}

/** Remove layers (in order) and then their source, ignoring ones already gone (map torn down). */
export function removeAll(map: MapLibreMap, layers: string[], source?: string): void {
  try {
    for (const l of layers) if (map.getLayer(l)) map.removeLayer(l);
    if (source && map.getSource(source)) map.removeSource(source);
  } catch {
    // the map was removed first
  }
}
