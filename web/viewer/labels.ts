/**
 * Names on the map as HTML markers (the basemap has no glyphs to draw text with), decluttered after
 * every move as the app does (web/src/map/CommunitiesLayer.svelte): the weightiest label wins its
 * place, labels overlapping a placed one hide, and all hide below `minZoom`.
 */
import * as maplibregl from 'maplibre-gl';

interface Label {
  marker: maplibregl.Marker;
  el: HTMLElement;
  weight: number;
  anchor: 'center' | 'bottom';
  w: number;
  h: number;
}

export class Labels {
  private readonly labels: Label[] = [];

  constructor(
    private readonly map: maplibregl.Map,
    private readonly minZoom: number,
  ) {
    map.on('moveend', () => this.declutter());
  }

  /** A label of class `className` at `at`; `weight` orders who wins a spot. Fill `el` with text (textContent). */
  add(className: string, at: [number, number], weight: number, anchor: 'center' | 'bottom' = 'center'): HTMLElement {
    const el = document.createElement('div');
    el.className = className;
    const marker = new maplibregl.Marker({ element: el, anchor }).setLngLat(at).addTo(this.map);
    this.labels.push({ marker, el, weight, anchor, w: 0, h: 0 });
    return el;
  }

  /** Measure the labels (after their text changed) and place them again. */
  measure(): void {
    for (const l of this.labels) {
      l.w = l.el.offsetWidth;
      l.h = l.el.offsetHeight;
    }
    this.labels.sort((a, b) => b.weight - a.weight);
    this.declutter();
  }

  declutter(): void {
    const show = this.map.getZoom() >= this.minZoom;
    const { width, height } = this.map.getContainer().getBoundingClientRect();
    const placed: Array<[number, number, number, number]> = [];
    for (const l of this.labels) {
      let visible = show;
      if (visible) {
        const p = this.map.project(l.marker.getLngLat());
        const top = l.anchor === 'bottom' ? p.y - l.h : p.y - l.h / 2;
        const box: [number, number, number, number] = [p.x - l.w / 2 - 2, top - 1, p.x + l.w / 2 + 2, top + l.h + 1];
        visible = box[2] > 0 && box[0] < width && box[3] > 0 && box[1] < height && !placed.some((q) => box[0] < q[2] && box[2] > q[0] && box[1] < q[3] && box[3] > q[1]);
        if (visible) placed.push(box);
      }
      l.el.style.visibility = visible ? '' : 'hidden';
    }
  }
}
