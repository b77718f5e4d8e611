import gcoord from 'gcoord';
import { describe, expect, it } from 'vitest';
import { haversine } from '../server/core/geo.ts';
import { bd09ToGcj02, gcj02ToBd09, gcj02ToWgs84, toWgs84, wgs84ToGcj02 } from '../server/ingest/coords.ts';

/** 8 × 8 = 64 points over the Harbin extract's box (lon 126.5061–126.7719, lat 45.6579–45.8309). */
const harbin: Array<[number, number]> = [];
for (let i = 0; i < 8; i++) {
  for (let j = 0; j < 8; j++) harbin.push([126.5061 + (i * 0.2658) / 7, 45.6579 + (j * 0.173) / 7]);
}

const metres = (a: [number, number], b: [number, number]) => haversine(a[0], a[1], b[0], b[1]);
const worst = (errors: number[]) => Math.max(...errors);

describe('GCJ-02 and BD-09 to WGS84', () => {
  it('agrees with gcoord within 0.5 m on GCJ-02 points across Harbin', () => {
    const errors = harbin.map((p) => metres(toWgs84(p[0], p[1], 'gcj02'), gcoord.transform(p, gcoord.GCJ02, gcoord.WGS84) as [number, number]));
    expect(harbin.length).toBeGreaterThanOrEqual(50);
    expect(worst(errors)).toBeLessThan(0.5);
  });

  it('agrees with gcoord within 0.5 m on BD-09 points across Harbin', () => {
    const errors = harbin.map((p) => metres(toWgs84(p[0], p[1], 'bd09'), gcoord.transform(p, gcoord.BD09, gcoord.WGS84) as [number, number]));
    expect(worst(errors)).toBeLessThan(0.5);
  });

  it("recovers the WGS84 point that gcoord's forward formula shifted to GCJ-02, within 0.5 m", () => {
    const errors = harbin.map((w) => {
      const [lon, lat] = gcoord.transform(w, gcoord.WGS84, gcoord.GCJ02) as [number, number];
      return metres(toWgs84(lon, lat, 'gcj02'), w);
    });
    expect(worst(errors)).toBeLessThan(0.5);
  });

  it("recovers the WGS84 point that gcoord's forward formula shifted to BD-09, within 0.5 m", () => {
    const errors = harbin.map((w) => {
      const [lon, lat] = gcoord.transform(w, gcoord.WGS84, gcoord.BD09) as [number, number];
      return metres(toWgs84(lon, lat, 'bd09'), w);
    });
    expect(worst(errors)).toBeLessThan(0.5);
  });

  it('matches gcoord on the forward formulas to a millimetre', () => {
    for (const w of harbin) {
      expect(metres(wgs84ToGcj02(w[0], w[1]), gcoord.transform(w, gcoord.WGS84, gcoord.GCJ02) as [number, number])).toBeLessThan(0.001);
      expect(metres(gcj02ToBd09(w[0], w[1]), gcoord.transform(w, gcoord.GCJ02, gcoord.BD09) as [number, number])).toBeLessThan(0.001);
    }
  });

  it('inverts its own forward formulas to a millimetre', () => {
    for (const p of harbin) {
      expect(metres(wgs84ToGcj02(...gcj02ToWgs84(p[0], p[1])), p)).toBeLessThan(0.001);
      expect(metres(gcj02ToBd09(...bd09ToGcj02(p[0], p[1])), p)).toBeLessThan(0.001);
    }
  });

  it('shifts Harbin by the few hundred metres the Chinese map providers are known for', () => {
    const p: [number, number] = [126.6425, 45.7596];
    expect(metres(toWgs84(p[0], p[1], 'gcj02'), p)).toBeGreaterThan(300);
    expect(metres(toWgs84(p[0], p[1], 'gcj02'), p)).toBeLessThan(700);
    expect(metres(toWgs84(p[0], p[1], 'bd09'), p)).toBeGreaterThan(900);
    expect(metres(toWgs84(p[0], p[1], 'bd09'), p)).toBeLessThan(1500);
  });

  it('leaves WGS84 as it is', () => {
    expect(toWgs84(126.6425, 45.7596, 'wgs84')).toEqual([126.6425, 45.7596]);
  });

  it('leaves GCJ-02 points outside China unshifted, as the formula defines', () => {
    expect(toWgs84(2.3522, 48.8566, 'gcj02')).toEqual([2.3522, 48.8566]);
  });
});
