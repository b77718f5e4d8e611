/** The test hook `window.__lifecircle`, typed. */
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { AppState } from './state.svelte.ts';

/** What the app exposes on `window.__lifecircle` for browser tests. */
export interface LifecircleHook {
  /** The MapLibre map (null until created). */
  readonly map: MapLibreMap | null;
  /** Resolves once the map has loaded and the cells layer has rendered; rejects if the city or cells failed. */
  ready: Promise<void>;
  /** The app state (selection, loaded data, popup…). */
  state: AppState;
}

declare global {
  interface Window {
    __lifecircle?: LifecircleHook;
  }
}

/** A promise with its settle functions, for `ready`. */
export function deferred<T = void>() {
  let resolve: (value: T) => void = () => {};
  let reject: (err: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
