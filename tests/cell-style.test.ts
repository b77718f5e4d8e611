/**
 * The cells' colour expression, evaluated by MapLibre's own expression engine
 * (@maplibre/maplibre-gl-style-spec): a cell is within a tier exactly when the server counts it
 * covered (metres / speed ≤ tier), and gaps are the weighted population beyond the tier.
 */
import { describe, expect, it } from 'vitest';
import { createPropertyExpression } from '@maplibre/maplibre-gl-style-spec';
import { cellFillColor, type CellSelection } from '../web/src/map/cellStyle.ts';

// hand-written from web/src/lib/palette.ts's hex values, not computed by the code under test
const RAMP_RGB = [[0x22, 0x5e, 0xa8], [0x41, 0xb6, 0xc4], [0xa1, 0xda, 0xb4], [0xf4, 0xf1, 0xc1]];
const GAP_RGB = [0xd1, 0x12, 0x7b];
const GAP_UNREACHABLE_RGB = [0x7d, 0x05, 0x52];
const GREY_RGB = [0x8c, 0x8c, 0x8c];

const selection: CellSelection = { category: 'school', tier: 10, speedMPerMin: 50, weighting: 'elderly', tiers: [5, 10, 15] };

function colour(s: CellSelection, props: Record<string, number>): [number, number, number, number] {
  const spec = { type: 'color', 'property-type': 'data-driven', expression: { interpolated: false, parameters: ['zoom', 'feature'] } } as const;
  const compiled = createPropertyExpression(cellFillColor(s), 'fill-color', spec as never);
  if (compiled.result !== 'success') throw new Error(JSON.stringify(compiled.value));
  const c = compiled.value.evaluate({ zoom: 12 }, { type: 'Polygon', properties: props } as never) as { r: number; g: number; b: number; a: number };
  // colours come back premultiplied by alpha
  return [Math.round(c.r * 255 / c.a), Math.round(c.g * 255 / c.a), Math.round(c.b * 255 / c.a), Math.round(c.a * 100) / 100];
}

describe('the cell colours', () => {
  it('steps the walk at the tiers: 250 m at 50 m/min is 5 min, the first step', () => {
    expect(colour(selection, { d_school: 250, r: 10, e: 2 })).toEqual([...RAMP_RGB[0], 0.66]);
    expect(colour(selection, { d_school: 251, r: 10, e: 2 })).toEqual([...RAMP_RGB[1], 0.66]);
  });

  it('counts a cell exactly at the tier as covered, as the server does', () => {
    expect(colour(selection, { d_school: 500, r: 10, e: 2 })).toEqual([...RAMP_RGB[1], 0.66]);
    expect(colour(selection, { d_school: 501, r: 10, e: 2 })).toEqual([...GAP_RGB, 0.66]);
  });

  it('marks a gap only where the weighted group lives', () => {
    // beyond 10 min with residents but no elderly: with elderly weighting it is no gap, just far
    expect(colour(selection, { d_school: 700, r: 10, e: 0 })).toEqual([...RAMP_RGB[2], 0.24]);
    expect(colour({ ...selection, weighting: 'residents' }, { d_school: 700, r: 10, e: 0 })).toEqual([...GAP_RGB, 0.66]);
  });

  it('shades cells no facility can reach: darker gap when populated, grey when empty', () => {
    expect(colour(selection, { d_school: -1, r: 10, e: 3 })).toEqual([...GAP_UNREACHABLE_RGB, 0.66]);
    expect(colour(selection, { d_school: -1, r: 0, e: 0 })).toEqual([...GREY_RGB, 0.24]);
  });

  it('follows the speed: the same 600 m is within 10 min at 67 m/min and a gap at 50', () => {
    expect(colour({ ...selection, speedMPerMin: 67 }, { d_school: 600, r: 5, e: 1 })).toEqual([...RAMP_RGB[1], 0.66]);
    expect(colour(selection, { d_school: 600, r: 5, e: 1 })).toEqual([...GAP_RGB, 0.66]);
  });
});
