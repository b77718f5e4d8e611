import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPbf } from '../server/ingest/pbf.ts';
import { errorOf } from './helpers/errors.ts';
import { HARBIN_PBF, seeded } from './helpers/harbin.ts';

const bytes = readFileSync(HARBIN_PBF);

describe('reading OSM PBF', () => {
  it('reads the Harbin extract with the counts osmium reports (data/harbin/SOURCE.md)', () => {
    const osm = readPbf(bytes);
    expect(osm.nodeIds.length).toBe(226_042);
    expect(osm.wayIds.length).toBe(34_996);
    expect(osm.relationIds.length).toBe(394);
    const highways = new Map<string, number>();
    for (const t of osm.wayTags) if (t.highway) highways.set(t.highway, (highways.get(t.highway) ?? 0) + 1);
    expect([...highways.values()].reduce((a, b) => a + b, 0)).toBe(10_083);
    expect(highways.get('service')).toBe(1_860);
    expect(highways.get('footway')).toBe(1_797);
    expect(highways.get('trunk')).toBe(981);
    const all = [...osm.wayTags, ...osm.nodeTags.values(), ...osm.relationTags];
    expect(all.filter((t) => t.building).length).toBe(16_099);
    expect(all.filter((t) => t.amenity).length).toBe(1_240);
  });

  it('keeps node ids ascending and coordinates inside the extract box', () => {
    const osm = readPbf(bytes);
    let unordered = 0;
    for (let i = 1; i < osm.nodeIds.length; i++) if (!(osm.nodeIds[i] > osm.nodeIds[i - 1])) unordered++;
    expect(unordered).toBe(0);
    let minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
    for (let i = 0; i < osm.nodeIds.length; i++) {
      minLon = Math.min(minLon, osm.nodeLon[i]);
      maxLon = Math.max(maxLon, osm.nodeLon[i]);
      minLat = Math.min(minLat, osm.nodeLat[i]);
      maxLat = Math.max(maxLat, osm.nodeLat[i]);
    }
    // SOURCE.md: lon 126.5061–126.7719, lat 45.6579–45.8309
    expect(minLon).toBeGreaterThanOrEqual(126.506);
    expect(maxLon).toBeLessThanOrEqual(126.772);
    expect(minLat).toBeGreaterThanOrEqual(45.6578);
    expect(maxLat).toBeLessThanOrEqual(45.831);
  });

  it('refuses a truncated file, naming the file, the blob and the byte where it ends', () => {
    expect(errorOf(() => readPbf(bytes.subarray(0, 1_000_000), 'cut.osm.pbf'))).toMatch(
      /^cut\.osm\.pbf: truncated: blob \d+ \(OSMData\) needs \d+ bytes at byte \d+, file ends at 1000000$/,
    );
    expect(errorOf(() => readPbf(bytes.subarray(0, 2), 'two.osm.pbf'))).toBe('two.osm.pbf: truncated: blob 0 header length cut off at byte 0');
  });

  it('refuses random bytes and an empty file', () => {
    const rand = seeded(3);
    const noise = Uint8Array.from({ length: 4096 }, () => Math.floor(rand() * 256));
    expect(errorOf(() => readPbf(noise, 'noise.osm.pbf'))).toMatch(/^noise\.osm\.pbf: not an OSM PBF file: blob 0 at byte 0 declares a header of -?\d+ bytes$/);
    expect(errorOf(() => readPbf(new Uint8Array(0), 'empty.osm.pbf'))).toBe('empty.osm.pbf: the file is empty');
  });

  it('refuses a file whose compressed data is corrupt', () => {
    const broken = Uint8Array.from(bytes.subarray(0, 200_000));
    // overwrite the middle of the first data blob's zlib stream
    for (let i = 1_000; i < 1_200; i++) broken[i] = 0x55;
    expect(errorOf(() => readPbf(broken, 'bad.osm.pbf'))).toMatch(/^bad\.osm\.pbf: (corrupt blob 1 at byte \d+: .+|truncated: .+)$/);
  });
});
