import { readFileSync } from 'node:fs';
import { along, area, centerOfMass, distance, length, lineString, polygon } from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { loadCategories } from '../server/ingest/categories.ts';
import { osmFacilities } from '../server/ingest/facilities.ts';
import { readPbf, type OsmData, type OsmRelationMember, type Tags } from '../server/ingest/pbf.ts';

const mapping = loadCategories();

/** A hand-built extract: node ids not listed become -1 refs, as readPbf gives for nodes outside the box. */
function buildOsm(spec: {
  nodes: Array<[number, number, number, Tags?]>;
  ways?: Array<[number, number[], Tags]>;
  relations?: Array<[number, OsmRelationMember[], Tags]>;
}): OsmData {
  const nodes = [...spec.nodes].sort((a, b) => a[0] - b[0]);
  const index = new Map(nodes.map((n, i) => [n[0], i]));
  const ways = spec.ways ?? [];
  const offsets = [0];
  for (const [, refs] of ways) offsets.push(offsets[offsets.length - 1] + refs.length);
  const relations = spec.relations ?? [];
  return {
    nodeIds: Float64Array.from(nodes, (n) => n[0]),
    nodeLon: Float64Array.from(nodes, (n) => n[1]),
    nodeLat: Float64Array.from(nodes, (n) => n[2]),
    nodeTags: new Map(nodes.flatMap((n, i) => (n[3] ? [[i, n[3]] as [number, Tags]] : []))),
    wayIds: Float64Array.from(ways, (w) => w[0]),
    wayRefOffsets: Int32Array.from(offsets),
    wayRefs: Int32Array.from(ways.flatMap((w) => w[1].map((id) => index.get(id) ?? -1))),
    wayTags: ways.map((w) => w[2]),
    relationIds: relations.map((r) => r[0]),
    relationMembers: relations.map((r) => r[1]),
    relationTags: relations.map((r) => r[2]),
  };
}

/** A square way's corner nodes: ids base..base+3 around [lon, lat] → [lon + size, lat + size]. */
function square(base: number, lon: number, lat: number, size: number): Array<[number, number, number]> {
  return [
    [base, lon, lat],
    [base + 1, lon + size, lat],
    [base + 2, lon + size, lat + size],
    [base + 3, lon, lat + size],
  ];
}
const ring = (base: number) => [base, base + 1, base + 2, base + 3, base];

describe('OSM objects to facilities', () => {
  it('keeps the area and drops the point when a clinic is mapped as both, and says so', () => {
    const osm = buildOsm({
      nodes: [[1, 126.601, 45.751, { amenity: 'clinic', name: '经纬社区卫生服务站' }], ...square(10, 126.6, 45.75, 0.002)],
      ways: [[100, ring(10), { amenity: 'clinic', healthcare: 'clinic', name: '经纬社区卫生服务站', building: 'yes' }]],
    });
    const { facilities, notes } = osmFacilities(osm, mapping);
    expect(facilities.map((f) => f.id)).toEqual(['osm:w100']);
    expect(facilities[0].lon).toBeCloseTo(126.601, 9);
    expect(facilities[0].lat).toBeCloseTo(45.751, 9);
    expect(notes).toEqual([
      { kind: 'duplicate', subject: 'osm:n1', message: 'same health place as osm:w100 ("经纬社区卫生服务站", 0 m apart); kept osm:w100' },
    ]);
  });

  it('drops an unnamed hospital point 10 m from a named hospital area, but keeps one 20 m away', () => {
    // 0.0001° of latitude is 11.1 m; 0.00018° is 20.0 m.
    const osm = buildOsm({
      nodes: [
        [1, 126.601, 45.7511, { amenity: 'hospital' }],
        [2, 126.601, 45.75118, { healthcare: 'hospital' }],
        ...square(10, 126.6, 45.75, 0.002),
      ],
      ways: [[100, ring(10), { amenity: 'hospital', healthcare: 'hospital', name: '哈尔滨市第一医院' }]],
    });
    const { facilities, notes } = osmFacilities(osm, mapping);
    expect(facilities.map((f) => f.id)).toEqual(['osm:n2', 'osm:w100']);
    expect(notes.map((n) => [n.kind, n.subject])).toEqual([['duplicate', 'osm:n1']]);
  });

  it('keeps two differently named clinics in one building, and two same-named schools 200 m apart', () => {
    const osm = buildOsm({
      nodes: [
        [1, 126.6, 45.75, { amenity: 'clinic', name: '甲诊所' }],
        [2, 126.6, 45.75005, { amenity: 'clinic', name: '乙诊所' }],
        [3, 126.61, 45.75, { amenity: 'school', name: '东风小学' }],
        [4, 126.61, 45.7518, { amenity: 'school', name: '东风小学' }],
      ],
    });
    expect(osmFacilities(osm, mapping).facilities.map((f) => f.id)).toEqual(['osm:n1', 'osm:n2', 'osm:n3', 'osm:n4']);
  });

  it('takes the same-name distance from the options', () => {
    const osm = buildOsm({
      nodes: [
        [3, 126.61, 45.75, { amenity: 'school', name: '东风小学' }],
        [4, 126.61, 45.7518, { amenity: 'school', name: '东风小学', 'addr:street': '东风街' }],
      ],
    });
    expect(osmFacilities(osm, mapping, { sameNameM: 250 }).facilities.map((f) => f.id)).toEqual(['osm:n4']);
  });

  it('places a multipolygon with a hole at the area centroid of outer less inner', () => {
    // Outer 4 × 4 units centred at (2, 2), hole 1 × 1 centred at (1.5, 1.5), unit 0.001°:
    // (16 × 2 − 1 × 1.5) / 15 = 2.0333… units from the corner.
    const osm = buildOsm({
      nodes: [...square(10, 126.6, 45.75, 0.004), ...square(20, 126.601, 45.751, 0.001)],
      ways: [
        [100, ring(10), {}],
        [101, ring(20), {}],
      ],
      relations: [
        [
          7,
          [
            { type: 'way', ref: 100, role: 'outer' },
            { type: 'way', ref: 101, role: 'inner' },
          ],
          { type: 'multipolygon', office: 'government', name: '省人民政府' },
        ],
      ],
    });
    const [f] = osmFacilities(osm, mapping).facilities;
    expect(f.id).toBe('osm:r7');
    expect(f.category).toBe('community_service');
    expect(f.lon).toBeCloseTo(126.6 + 0.0305 / 15, 9);
    expect(f.lat).toBeCloseTo(45.75 + 0.0305 / 15, 9);
  });

  it('places a multipolygon whose ring is split over two ways at the mean of its distinct nodes', () => {
    const osm = buildOsm({
      nodes: square(10, 126.6, 45.75, 0.004),
      ways: [
        [100, [10, 11, 12], {}],
        [101, [12, 13, 10], {}],
      ],
      relations: [
        [
          8,
          [
            { type: 'way', ref: 100, role: 'outer' },
            { type: 'way', ref: 101, role: 'outer' },
          ],
          { type: 'multipolygon', amenity: 'school', name: '哈尔滨市开放大学' },
        ],
      ],
    });
    const [f] = osmFacilities(osm, mapping).facilities;
    expect(f.lon).toBeCloseTo(126.602, 9);
    expect(f.lat).toBeCloseTo(45.752, 9);
  });

  it('places a site relation at the mean of its member nodes and member ways’ nodes', () => {
    const osm = buildOsm({
      nodes: [[1, 126.61, 45.76], ...square(10, 126.6, 45.75, 0.004)],
      ways: [[100, ring(10), { building: 'yes' }]],
      relations: [
        [
          9,
          [
            { type: 'way', ref: 100, role: '' },
            { type: 'node', ref: 1, role: 'entrance' },
          ],
          { type: 'site', amenity: 'kindergarten', name: '安静幼儿园' },
        ],
      ],
    });
    const [f] = osmFacilities(osm, mapping).facilities;
    // Corners sum to 4 × 126.602 = 506.408; with the entrance, (506.408 + 126.61) / 5.
    expect(f.lon).toBeCloseTo((506.408 + 126.61) / 5, 9);
    expect(f.lat).toBeCloseTo((4 * 45.752 + 45.76) / 5, 9);
  });

  it('puts an open way at the middle of its length, not at its middle node', () => {
    const osm = buildOsm({
      nodes: [
        [1, 126.6, 45.75],
        [2, 126.601, 45.75],
        [3, 126.604, 45.75],
      ],
      ways: [[100, [1, 2, 3], { amenity: 'library', name: '街道图书室' }]],
    });
    const [f] = osmFacilities(osm, mapping).facilities;
    expect(f.lon).toBeCloseTo(126.602, 6);
    expect(f.lat).toBeCloseTo(45.75, 9);
  });

  it('reports objects whose nodes are all outside the extract, and places cut ones at the nodes left', () => {
    const osm = buildOsm({
      nodes: [
        [1, 126.6, 45.75],
        [2, 126.602, 45.75],
      ],
      ways: [
        [100, [50, 51, 52, 50], { amenity: 'school', name: '界外小学' }],
        [101, [1, 2, 53, 1], { amenity: 'school', name: '边界小学' }],
      ],
      relations: [[5, [{ type: 'way', ref: 999, role: 'outer' }], { type: 'multipolygon', amenity: 'hospital' }]],
    });
    const { facilities, notes } = osmFacilities(osm, mapping);
    expect(facilities.map((f) => [f.id, f.lon, f.lat])).toEqual([['osm:w101', 126.601, 45.75]]);
    expect(notes).toEqual([
      { kind: 'missing_nodes', subject: 'osm:w100', message: 'all its nodes are outside the extract; skipped' },
      { kind: 'truncated', subject: 'osm:w101', message: '1 of 4 nodes are outside the extract; placed at the mean of the rest' },
      { kind: 'missing_nodes', subject: 'osm:r5', message: 'all its nodes are outside the extract; skipped' },
    ]);
  });

  it('reads capacity from the category’s numeric tags and reports a non-numeric one', () => {
    const osm = buildOsm({
      nodes: [
        [1, 126.6, 45.75, { amenity: 'nursing_home', name: '颐养院', beds: '40' }],
        [2, 126.7, 45.75, { amenity: 'nursing_home', name: '福寿院', beds: 'about 40' }],
        [3, 126.8, 45.75, { amenity: 'social_facility', social_facility: 'day_care', 'name:zh': '日间照料中心', name: 'Day care', capacity: '25' }],
      ],
    });
    const { facilities, notes } = osmFacilities(osm, mapping);
    expect(facilities.map((f) => [f.name, f.category, f.capacity])).toEqual([
      ['颐养院', 'elderly_care', 40],
      ['福寿院', 'elderly_care', null],
      ['日间照料中心', 'elderly_care', 25],
    ]);
    expect(notes).toEqual([{ kind: 'capacity', subject: 'osm:n2', message: 'beds="about 40" is not a number; capacity left unknown' }]);
  });

  it('reports a tagged relation of a type it cannot place', () => {
    const osm = buildOsm({ nodes: [], relations: [[6, [], { type: 'route', amenity: 'school' }]] });
    expect(osmFacilities(osm, mapping).notes).toEqual([
      { kind: 'unsupported', subject: 'osm:r6', message: 'a type=route relation cannot be placed; only multipolygon and site relations are read' },
    ]);
  });
});

describe('the Harbin extract', () => {
  const osm = readPbf(readFileSync('data/harbin/harbin.osm.pbf'), 'harbin.osm.pbf');
  const { facilities, notes } = osmFacilities(osm, mapping);

  /** The categories of docs/domain.md written out as plain conditions, in the documented order. */
  function categoryOf(t: Tags): string | null {
    const elderlyKinds = ['nursing_home', 'assisted_living', 'day_care', 'group_home'];
    if (t.amenity === 'nursing_home') return 'elderly_care';
    if (t.amenity === 'social_facility' && (elderlyKinds.includes(t.social_facility) || ['senior', 'elderly'].includes(t['social_facility:for']))) return 'elderly_care';
    if (['community_centre', 'townhall', 'social_centre'].includes(t.amenity) || t.office === 'government') return 'community_service';
    if (t.amenity === 'pharmacy' || t.healthcare === 'pharmacy') return 'pharmacy';
    if (['clinic', 'doctors', 'hospital'].includes(t.amenity) || t.healthcare) return 'health';
    if (t.amenity === 'kindergarten' || t.amenity === 'childcare') return 'childcare';
    if (t.amenity === 'school') return 'school';
    if (t.amenity === 'library' || t.amenity === 'arts_centre') return 'culture';
    return null;
  }

  /** Every categorised object with a turf-computed position, in reading order: nodes, ways, relations. */
  function rawObjects() {
    const objects: Array<{ id: string; category: string; name: string; isArea: boolean; tagCount: number; at: [number, number] }> = [];
    const coord = (n: number): [number, number] => [osm.nodeLon[n], osm.nodeLat[n]];
    const refsOf = (w: number) => Array.from(osm.wayRefs.slice(osm.wayRefOffsets[w], osm.wayRefOffsets[w + 1]));
    const mean = (nodes: number[]): [number, number] => {
      const distinct = [...new Set(nodes)];
      return [distinct.reduce((s, n) => s + osm.nodeLon[n], 0) / distinct.length, distinct.reduce((s, n) => s + osm.nodeLat[n], 0) / distinct.length];
    };
    const push = (id: string, t: Tags, at: [number, number] | null, isArea: boolean) => {
      const category = categoryOf(t);
      if (category && at) objects.push({ id, category, name: t['name:zh'] || t.name || '', isArea, tagCount: Object.keys(t).length, at });
    };
    for (const [i, t] of osm.nodeTags) push(`osm:n${osm.nodeIds[i]}`, t, coord(i), false);
    osm.wayTags.forEach((t, w) => {
      if (!categoryOf(t)) return;
      const refs = refsOf(w);
      const present = refs.filter((r) => r >= 0);
      const closed = refs.length >= 4 && refs[0] >= 0 && refs[0] === refs[refs.length - 1];
      let at: [number, number] | null = null;
      if (present.length > 0 && present.length < refs.length) at = mean(present);
      else if (closed) at = centerOfMass(polygon([refs.map(coord)])).geometry.coordinates as [number, number];
      else if (present.length > 0) {
        const line = lineString(refs.map(coord));
        at = along(line, length(line) / 2).geometry.coordinates as [number, number];
      }
      push(`osm:w${osm.wayIds[w]}`, t, at, closed);
    });
    osm.relationTags.forEach((t, r) => {
      if (!categoryOf(t) || (t.type !== 'multipolygon' && t.type !== 'site')) return;
      // Area-weighted centroid of closed member rings (inner ones subtracted) when all are closed, else the node mean.
      const members = osm.relationMembers[r].map((m) => ({ role: m.role, w: osm.wayIds.indexOf(m.ref) }));
      const rings = members.map((m) => ({ role: m.role, refs: m.w >= 0 ? refsOf(m.w) : [] }));
      const allClosed = t.type === 'multipolygon' && rings.every((g) => g.refs.length >= 4 && !g.refs.includes(-1) && g.refs[0] === g.refs[g.refs.length - 1]);
      let at: [number, number];
      if (allClosed) {
        let a = 0;
        let x = 0;
        let y = 0;
        for (const g of rings) {
          const p = polygon([g.refs.map(coord)]);
          const sign = g.role === 'inner' ? -1 : 1;
          const [cx, cy] = centerOfMass(p).geometry.coordinates;
          a += sign * area(p);
          x += sign * area(p) * cx;
          y += sign * area(p) * cy;
        }
        at = [x / a, y / a];
      } else at = mean(rings.flatMap((g) => g.refs.filter((n) => n >= 0)));
      push(`osm:r${osm.relationIds[r]}`, t, at, t.type === 'multipolygon');
    });
    return objects;
  }

  /** The documented de-dup, pair by pair: best-mapped first (area, then more tags, then reading order). */
  function dedupe(objects: ReturnType<typeof rawObjects>) {
    const ranked = objects.map((o, order) => ({ ...o, order })).sort((a, b) => Number(b.isArea) - Number(a.isArea) || b.tagCount - a.tagCount || a.order - b.order);
    const kept: typeof ranked = [];
    const dropped: string[] = [];
    for (const o of ranked) {
      const twin = kept.find((k) => {
        if (k.category !== o.category) return false;
        const m = distance(k.at, o.at, { units: 'meters' });
        return (o.name !== '' && o.name === k.name && m <= 150) || ((o.name === '' || k.name === '') && m <= 15);
      });
      if (twin) dropped.push(o.id);
      else kept.push(o);
    }
    return { kept, dropped };
  }

  const expected = dedupe(rawObjects());
  const countBy = (items: Array<{ category: string }>) => {
    const counts: Record<string, number> = {};
    for (const { category } of items) counts[category] = (counts[category] ?? 0) + 1;
    return counts;
  };

  it('finds in each category what a plain count of the raw tags gives after the documented de-dup', () => {
    expect(countBy(facilities)).toEqual(countBy(expected.kept));
  });

  it('holds 396 facilities and no elderly care, as the raw tags show', () => {
    expect(countBy(expected.kept)).toEqual({ community_service: 46, pharmacy: 8, health: 81, childcare: 20, school: 221, culture: 20 });
  });

  it('drops exactly the duplicates the plain count drops', () => {
    expect(notes.filter((n) => n.kind === 'duplicate').map((n) => n.subject).sort()).toEqual(expected.dropped.sort());
  });

  it('keeps exactly the objects the plain count keeps', () => {
    expect(facilities.map((f) => f.id).sort()).toEqual(expected.kept.map((o) => o.id).sort());
  });

  it('places every facility within 1 m of where turf puts it', () => {
    const at = new Map(expected.kept.map((o) => [o.id, o.at]));
    const worst = Math.max(...facilities.map((f) => distance([f.lon, f.lat], at.get(f.id)!, { units: 'meters' })));
    expect(worst).toBeLessThan(1);
  });

  it('gives every facility an id, a known category and coordinates inside the extract', () => {
    for (const f of facilities) {
      expect(f.id).toMatch(/^osm:[nwr]\d+$/);
      expect(f.source).toBe('osm');
      expect(f.lon).toBeGreaterThan(126.5);
      expect(f.lon).toBeLessThan(126.78);
      expect(f.lat).toBeGreaterThan(45.65);
      expect(f.lat).toBeLessThan(45.84);
    }
  });
});
