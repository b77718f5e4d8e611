import { readFileSync } from 'node:fs';
import gcoord from 'gcoord';
import { describe, expect, it } from 'vitest';
import { haversine } from '../server/core/geo.ts';
import { errorOf } from './helpers/errors.ts';
import { loadCategories } from '../server/ingest/categories.ts';
import { readFacilitiesCSV } from '../server/ingest/csv.ts';
import { readCommunitiesGeoJSON, readFacilitiesGeoJSON } from '../server/ingest/geojson.ts';


const categories = loadCategories();
const fixture = (name: string) => readFileSync(`tests/fixtures/ingest/${name}`, 'utf8');
const KNOWN = 'known categories are elderly_care, community_service, pharmacy, health, childcare, school, culture';

const communityOptions = (file: string) => ({ file, idField: 'code', nameField: 'name', populationField: 'pop', elderlyField: 'elderly60', crs: 'wgs84' as const });
const readCommunities = (file: string, over: Record<string, unknown> = {}) =>
  readCommunitiesGeoJSON(fixture(file), { ...communityOptions(file), ...over });

/** A one-feature collection around the given geometry and properties. */
const collection = (geometry: unknown, properties: Record<string, unknown> = { name: '经纬社区', pop: 100 }) =>
  JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties, geometry }] });
const square = [[126.61, 45.76], [126.62, 45.76], [126.62, 45.768], [126.61, 45.768], [126.61, 45.76]];
const readInline = (text: string) => readCommunitiesGeoJSON(text, { file: 'c.geojson', nameField: 'name', populationField: 'pop', crs: 'wgs84' });

describe('community polygons from GeoJSON', () => {
  it('reads polygons, multipolygons, numeric-text populations and optional elderly counts', () => {
    const { communities, notes } = readCommunities('communities.geojson');
    expect(communities.map((c) => [c.id, c.name, c.source, c.population, c.elderly])).toEqual([
      ['communities.geojson:230102001', '经纬社区', 'import', 8200, 1900],
      ['communities.geojson:230102002', '安静社区', 'import', 6150, null],
    ]);
    expect(communities[0].polygon).toEqual([
      [
        [[126.61, 45.76], [126.62, 45.76], [126.62, 45.768], [126.61, 45.768], [126.61, 45.76]],
        [[126.613, 45.762], [126.615, 45.762], [126.615, 45.764], [126.613, 45.764], [126.613, 45.762]],
      ],
    ]);
    expect(communities[1].polygon.length).toBe(2);
    expect(notes).toEqual([{ kind: 'no_elderly', subject: '2 ("安静社区")', message: 'no elderly count; the configured elderly share applies' }]);
  });

  it('numbers features from 1 when there is no id field', () => {
    const { communities } = readCommunities('communities.geojson', { idField: undefined });
    expect(communities.map((c) => c.id)).toEqual(['communities.geojson:1', 'communities.geojson:2']);
  });

  it('converts GCJ-02 vertices to WGS84 the way gcoord does, within 0.5 m', () => {
    const { communities } = readCommunities('communities.geojson', { crs: 'gcj02' });
    const [lon, lat] = communities[0].polygon[0][0][0];
    const [refLon, refLat] = gcoord.transform([126.61, 45.76], gcoord.GCJ02, gcoord.WGS84) as [number, number];
    expect(haversine(lon, lat, refLon, refLat)).toBeLessThan(0.5);
  });

  it('converts BD-09 vertices to WGS84 the way gcoord does, within 0.5 m', () => {
    const { communities } = readCommunities('communities.geojson', { crs: 'bd09' });
    const [lon, lat] = communities[1].polygon[1][0][2];
    const [refLon, refLat] = gcoord.transform([126.636, 45.763], gcoord.BD09, gcoord.WGS84) as [number, number];
    expect(haversine(lon, lat, refLon, refLat)).toBeLessThan(0.5);
  });

  it('refuses a self-intersecting polygon, naming the feature and where it crosses itself', () => {
    expect(errorOf(() => readCommunities('communities-self-intersecting.geojson', { idField: undefined, elderlyField: undefined }))).toBe(
      'communities-self-intersecting.geojson, feature 2 ("南岗样例社区"), field "geometry": ring 1 (outer) crosses itself near lon 126.605000, lat 45.755000; draw it as a simple polygon (in QGIS: Fix Geometries) and import again',
    );
  });

  it('refuses coordinates in projected metres, saying they must be degrees', () => {
    expect(errorOf(() => readCommunities('communities-projected.geojson', { idField: undefined }))).toBe(
      'communities-projected.geojson, feature 1 ("道里样例社区"), field "geometry": coordinate [14094450.5, 5741220] is outside lon ±180 / lat ±90; it looks like projected metres, but coordinates must be WGS84, GCJ-02 or BD-09 degrees',
    );
  });

  it('refuses a population that is not a number, naming the feature and field', () => {
    expect(errorOf(() => readCommunities('communities-bad-population.geojson', { idField: undefined }))).toBe(
      'communities-bad-population.geojson, feature 2 ("安静社区"), field "pop": "约六千" is not a number',
    );
  });

  it('refuses an empty file, naming it', () => {
    expect(errorOf(() => readCommunities('empty.geojson'))).toBe('empty.geojson: the file is empty');
  });

  it('refuses text that is not JSON', () => {
    expect(errorOf(() => readInline('{"type": "FeatureCollection",'))).toMatch(/^c\.geojson: not valid JSON: /);
  });

  it('refuses a single Feature where a FeatureCollection is expected', () => {
    expect(errorOf(() => readInline(JSON.stringify({ type: 'Feature', properties: {}, geometry: null })))).toBe(
      'c.geojson: expected a GeoJSON FeatureCollection, found type "Feature"',
    );
  });

  it('refuses a FeatureCollection with no features', () => {
    expect(errorOf(() => readInline(JSON.stringify({ type: 'FeatureCollection', features: [] })))).toBe('c.geojson: the FeatureCollection has no features');
  });

  it('refuses a feature with no geometry', () => {
    expect(errorOf(() => readInline(collection(null)))).toBe('c.geojson, feature 1 ("经纬社区"), field "geometry": the feature has no geometry');
  });

  it('refuses a point where a community polygon is expected', () => {
    expect(errorOf(() => readInline(collection({ type: 'Point', coordinates: [126.61, 45.76] })))).toBe(
      'c.geojson, feature 1 ("经纬社区"), field "geometry": geometry type Point is not supported; expected Polygon or MultiPolygon',
    );
  });

  it('refuses a ring that is not closed', () => {
    expect(errorOf(() => readInline(collection({ type: 'Polygon', coordinates: [square.slice(0, 4)] })))).toBe(
      'c.geojson, feature 1 ("经纬社区"), field "geometry": ring 1 (outer) is not closed: it starts at [126.61,45.76] and ends at [126.61,45.768]',
    );
  });

  it('refuses a ring of fewer than 4 positions', () => {
    expect(errorOf(() => readInline(collection({ type: 'Polygon', coordinates: [[[126.61, 45.76], [126.62, 45.76], [126.61, 45.76]]] })))).toBe(
      'c.geojson, feature 1 ("经纬社区"), field "geometry": ring 1 (outer) has 3 positions; a ring needs at least 4, the first repeated at the end',
    );
  });

  it('refuses a coordinate that overflows to infinity', () => {
    const text = collection({ type: 'Polygon', coordinates: [square] }).replace('126.62,45.768', '126.62,1e999');
    expect(errorOf(() => readInline(text))).toBe('c.geojson, feature 1 ("经纬社区"), field "geometry": coordinate [126.62, Infinity] is not a pair of finite numbers');
  });

  it('names the polygon of a multipolygon whose hole crosses itself', () => {
    const bowtie = [[126.613, 45.762], [126.615, 45.764], [126.615, 45.762], [126.613, 45.764], [126.613, 45.762]];
    expect(errorOf(() => readInline(collection({ type: 'MultiPolygon', coordinates: [[square], [square, bowtie]] })))).toBe(
      'c.geojson, feature 1 ("经纬社区"), field "geometry": polygon 2, ring 2 (hole) crosses itself near lon 126.614000, lat 45.763000; draw it as a simple polygon (in QGIS: Fix Geometries) and import again',
    );
  });

  it('accepts a ring with a repeated vertex as not self-intersecting', () => {
    const repeated = [square[0], square[1], square[1], square[2], square[3], square[4]];
    expect(readInline(collection({ type: 'Polygon', coordinates: [repeated] })).communities.length).toBe(1);
  });

  it('refuses a missing population', () => {
    expect(errorOf(() => readInline(collection({ type: 'Polygon', coordinates: [square] }, { name: '经纬社区' })))).toBe(
      'c.geojson, feature 1 ("经纬社区"), field "pop": the population is missing',
    );
  });

  it('refuses a negative population', () => {
    expect(errorOf(() => readInline(collection({ type: 'Polygon', coordinates: [square] }, { name: '经纬社区', pop: -5 })))).toBe(
      'c.geojson, feature 1 ("经纬社区"), field "pop": -5 is negative',
    );
  });

  it('refuses more elderly residents than residents', () => {
    const text = collection({ type: 'Polygon', coordinates: [square] }, { name: '经纬社区', pop: 100, old: 120 });
    expect(errorOf(() => readCommunitiesGeoJSON(text, { file: 'c.geojson', nameField: 'name', populationField: 'pop', elderlyField: 'old', crs: 'wgs84' }))).toBe(
      'c.geojson, feature 1 ("经纬社区"), field "old": 120 elderly residents is more than the population, 100',
    );
  });

  it('refuses a repeated id', () => {
    const text = JSON.stringify({
      type: 'FeatureCollection',
      features: [1, 2].map(() => ({ type: 'Feature', properties: { code: 'A1', pop: 1 }, geometry: { type: 'Polygon', coordinates: [square] } })),
    });
    expect(errorOf(() => readCommunitiesGeoJSON(text, { file: 'c.geojson', idField: 'code', nameField: 'name', populationField: 'pop', crs: 'wgs84' }))).toBe(
      'c.geojson, feature 2 ("A1"), field "code": duplicate id "A1"',
    );
  });

  it('names an unnamed community by its id and notes it', () => {
    const { communities, notes } = readInline(collection({ type: 'Polygon', coordinates: [square] }, { pop: 10 }));
    expect(communities[0].name).toBe('1');
    expect(notes).toEqual([{ kind: 'no_name', subject: '1', message: 'no name; shown by its id' }]);
  });
});

describe('facilities from CSV', () => {
  const read = (file: string, over: Record<string, unknown> = {}) =>
    readFacilitiesCSV(fixture(file), { file, categoryField: 'kind', nameField: 'name', crs: 'wgs84', categories, ...over });

  it('reads quoted names with commas and quotes, a byte-order mark, CRLF and a blank line', () => {
    expect(read('facilities.csv', { capacityField: 'beds' })).toEqual([
      { id: 'facilities.csv:2', name: '经纬街道养老服务中心, 东楼', category: 'elderly_care', lon: 126.615, lat: 45.764, source: 'facilities.csv', capacity: 60 },
      { id: 'facilities.csv:3', name: '社区卫生服务站 "安静"', category: 'health', lon: 126.625, lat: 45.763, source: 'facilities.csv', capacity: null },
      { id: 'facilities.csv:5', name: '哈尔滨市第十七中学', category: 'school', lon: 126.6331, lat: 45.7615, source: 'facilities.csv', capacity: null },
    ]);
  });

  it('gives every row the category named for the whole file', () => {
    const rows = read('facilities.csv', { categoryField: undefined, category: 'health' });
    expect(rows.map((f) => f.category)).toEqual(['health', 'health', 'health']);
  });

  it('converts BD-09 rows to WGS84 the way gcoord does, within 0.5 m', () => {
    const [first] = read('facilities.csv', { crs: 'bd09' });
    const [refLon, refLat] = gcoord.transform([126.615, 45.764], gcoord.BD09, gcoord.WGS84) as [number, number];
    expect(haversine(first.lon, first.lat, refLon, refLat)).toBeLessThan(0.5);
  });

  it('refuses a CSV row whose lon is missing, naming the row and field', () => {
    expect(errorOf(() => read('facilities-missing-lon.csv'))).toBe('facilities-missing-lon.csv, row 3, field "lon": the coordinate is missing');
  });

  it('refuses a CSV row whose lat is not a number, naming the row and field', () => {
    expect(errorOf(() => read('facilities-bad-lat.csv'))).toBe('facilities-bad-lat.csv, row 3, field "lat": "45.76.30" is not a number');
  });

  it('refuses an unknown category, naming the row, the value and the known ids', () => {
    expect(errorOf(() => read('facilities-unknown-category.csv'))).toBe(`facilities-unknown-category.csv, row 3, field "kind": unknown category "hospital"; ${KNOWN}`);
  });

  it('refuses an empty CSV, naming the file', () => {
    expect(errorOf(() => read('empty.csv'))).toBe('empty.csv: the file is empty');
  });

  it('refuses a header without the lon column, naming the column and listing those it has', () => {
    expect(errorOf(() => read('facilities-missing-column.csv'))).toBe(
      'facilities-missing-column.csv, field "lon": the header has no column "lon"; it has "name", "longitude", "latitude", "kind"',
    );
  });

  it('reads other coordinate columns when told their names', () => {
    const [f] = read('facilities-missing-column.csv', { lonField: 'longitude', latField: 'latitude' });
    expect([f.lon, f.lat, f.category]).toEqual([126.615, 45.764, 'community_service']);
  });

  it('refuses a header with no rows', () => {
    expect(errorOf(() => readFacilitiesCSV('name,lon,lat\r\n', { file: 'h.csv', category: 'health', crs: 'wgs84', categories }))).toBe(
      'h.csv: the file has a header but no rows',
    );
  });

  it('refuses a row with more fields than the header', () => {
    expect(errorOf(() => readFacilitiesCSV('name,lon,lat\n甲,126.6,45.7\n乙,126.6,45.7,多\n', { file: 'h.csv', category: 'health', crs: 'wgs84', categories }))).toBe(
      'h.csv, row 3: has 4 fields but the header has 3',
    );
  });

  it('refuses a quoted field that is never closed', () => {
    expect(errorOf(() => readFacilitiesCSV('name,lon,lat\n"甲,126.6,45.7\n', { file: 'h.csv', category: 'health', crs: 'wgs84', categories }))).toBe(
      'h.csv, row 2: a quoted field is never closed',
    );
  });

  it('refuses projected metres in lon and lat', () => {
    expect(errorOf(() => readFacilitiesCSV('lon,lat\n14094450,5741220\n', { file: 'h.csv', category: 'health', crs: 'wgs84', categories }))).toBe(
      'h.csv, row 2, field "lon, lat": coordinate [14094450, 5741220] is outside lon ±180 / lat ±90; it looks like projected metres, but coordinates must be WGS84, GCJ-02 or BD-09 degrees',
    );
  });

  it('refuses a capacity that is not a number', () => {
    expect(errorOf(() => readFacilitiesCSV('lon,lat,beds\n126.6,45.7,很多\n', { file: 'h.csv', category: 'health', capacityField: 'beds', crs: 'wgs84', categories }))).toBe(
      'h.csv, row 2, field "beds": "很多" is not a number',
    );
  });

  it('refuses a whole-file category that is not in categories.json', () => {
    expect(errorOf(() => readFacilitiesCSV('lon,lat\n126.6,45.7\n', { file: 'h.csv', category: 'hospital', crs: 'wgs84', categories }))).toBe(
      `h.csv, field "category": unknown category "hospital"; ${KNOWN}`,
    );
  });

  it('refuses to guess when neither a category nor a category column is given', () => {
    expect(errorOf(() => readFacilitiesCSV('lon,lat\n126.6,45.7\n', { file: 'h.csv', crs: 'wgs84', categories }))).toBe(
      "h.csv: give either a category for the whole file or the field that holds each row's category",
    );
  });
});

describe('facilities from GeoJSON', () => {
  const read = (file: string) => readFacilitiesGeoJSON(fixture(file), { file, categoryField: 'kind', nameField: 'name', capacityField: 'beds', crs: 'wgs84', categories });

  it('reads points as they are and polygons at their centroid', () => {
    const [point, area] = read('facilities.geojson');
    expect(point).toEqual({ id: 'facilities.geojson:1', name: '经纬社区卫生服务站', category: 'health', lon: 126.615, lat: 45.764, source: 'facilities.geojson', capacity: 4 });
    expect([area.id, area.name, area.category, area.capacity]).toEqual(['facilities.geojson:2', '安静幼儿园', 'childcare', null]);
    expect(area.lon).toBeCloseTo(126.622, 9);
    expect(area.lat).toBeCloseTo(45.7615, 9);
  });

  it('refuses an unknown category, naming the feature, the value and the known ids', () => {
    expect(errorOf(() => read('facilities-unknown-category.geojson'))).toBe(
      `facilities-unknown-category.geojson, feature 2 ("老年活动室"), field "kind": unknown category "elderly"; ${KNOWN}`,
    );
  });

  it('refuses a line', () => {
    const text = collection({ type: 'LineString', coordinates: [[126.6, 45.7], [126.61, 45.7]] }, { kind: 'school' });
    expect(errorOf(() => readFacilitiesGeoJSON(text, { file: 'f.geojson', categoryField: 'kind', crs: 'wgs84', categories }))).toBe(
      'f.geojson, feature 1, field "geometry": geometry type LineString is not supported; expected Point, Polygon or MultiPolygon',
    );
  });

  it('refuses a point in projected metres', () => {
    const text = collection({ type: 'Point', coordinates: [14094450, 5741220] }, { kind: 'school' });
    expect(errorOf(() => readFacilitiesGeoJSON(text, { file: 'f.geojson', categoryField: 'kind', crs: 'wgs84', categories }))).toBe(
      'f.geojson, feature 1, field "geometry": coordinate [14094450, 5741220] is outside lon ±180 / lat ±90; it looks like projected metres, but coordinates must be WGS84, GCJ-02 or BD-09 degrees',
    );
  });
});
