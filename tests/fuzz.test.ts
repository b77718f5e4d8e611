/**
 * Input hardening, the fuzz test: valid inputs mutated — bytes flipped, set, cut, deleted, duplicated and
 * repeated, odd tokens inserted (NaN, 1e999, NUL, half surrogate pairs, U+FFFD, a byte-order mark, formula
 * text), JSON values swapped for other types, extreme numbers, huge or nested-deep values, keys dropped or
 * added, CSV cells rewritten — and thrown at every importer and at the HTTP endpoints, for a bounded time.
 *
 * Time: FUZZ_SECONDS in all, 45 when CI is set and 10 otherwise (Harbin's build before it not counted), 40 %
 * on the importers and 60 % over HTTP. Seed: FUZZ_SEED; unset, a fixed one in CI and one drawn from the clock
 * elsewhere (so local runs keep exploring); it is printed at the
 * start and named in every failure with the iteration and the input, so `FUZZ_SEED=<seed> FUZZ_SECONDS=<more>`
 * replays the run (iteration by iteration: a slower machine just stops earlier). An input that hangs fails
 * nothing by itself (vitest cannot interrupt a loop): with FUZZ_TRACE=<file> each iteration's target is appended
 * to the file before it runs, and each importer input written to <file>.input, so the last ones name the culprit.
 *
 * Invariants. Importers (readPbf and the OSM importers on what it returns, the GeoJSON and CSV readers, the
 * category mapping and standards profile loaders, and the demand grid over imported communities, each fed
 * the bytes as the build decodes them) return or throw InputError, nothing else. HTTP answers below 500,
 * and every 4xx is JSON with a message. Nothing changes: the fuzzer sends only requests that change nothing
 * even when they succeed (previews, the joint check, reads with mutated query strings and paths) and
 * mutated changes that cannot be accepted — edits, renames and imports carry a stale baseVersion (so a
 * mutation that stays valid gets 409, after all its validation), a publish keeps a name already taken —
 * and afterwards every stored table, and everything a client can read about scenarios, maps and tokens,
 * equals what it was. (Counting accepted changes instead would let the fuzzer change things, but then a
 * change that should have been refused would pass unnoticed.) Left out: scenario siting (/suggest, whose
 * exactSeconds runs HiGHS for up to two minutes), joint suggestions (seconds each), undo and redo (an
 * empty body is a valid undo), creating scenarios and tokens and deleting anything: the corpus
 * (tests/hardening.test.ts) covers them.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import { buildDemand } from '../server/core/grid.ts';
import { BasemapTiles } from '../server/core/tiles.ts';
import { readBasemap } from '../server/db/basemap.ts';
import { InputError } from '../server/errors.ts';
import { osmBasemap } from '../server/ingest/basemap.ts';
import { osmBoundaries } from '../server/ingest/boundaries.ts';
import { osmResidentialBuildings } from '../server/ingest/buildings.ts';
import { loadCategories } from '../server/ingest/categories.ts';
import type { Crs } from '../server/ingest/coords.ts';
import { readFacilitiesCSV } from '../server/ingest/csv.ts';
import { osmFacilities } from '../server/ingest/facilities.ts';
import { readCommunitiesGeoJSON, readFacilitiesGeoJSON, readGridsGeoJSON } from '../server/ingest/geojson.ts';
import { buildNetwork } from '../server/ingest/network.ts';
import { readPbf } from '../server/ingest/pbf.ts';
import { DEFAULT_PROFILE_PATH, loadProfile } from '../server/ingest/profile.ts';
import { tilesRoutes } from '../server/routes/tiles.ts';
import { smallPbf } from './fixtures/hardening/pbf.ts';
import { storedTables } from './helpers/fingerprint.ts';
import { harbinApp, seeded, type Built } from './helpers/harbin.ts';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? (process.env.CI ? 45 : 10));
/** CI runs one fixed seed, so a landing is judged on the same inputs each time; elsewhere each run explores a new one. */
const CI_SEED = 20261202;
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : process.env.CI ? CI_SEED : Date.now() % 2 ** 31;
const TRACE = process.env.FUZZ_TRACE;
/** Mutations never grow an input past this, so a run stays within memory (the body limit is 1 MiB). */
const MAX_BYTES = 512 * 1024;

type Rand = () => number;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const below = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T,>(r: Rand, xs: readonly T[]): T => xs[below(r, xs.length)];
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** Text and bytes worth inserting: what breaks parsers, numbers, encodings and spreadsheets. */
const TOKENS: Array<string | number[]> = [
  '"', '[', ']', '{', '}', ',', ':', '\n', '\r\n', '"",', 'null', 'true', '-', '.', 'e', '0', '1e999', '-1e999', 'NaN', 'Infinity',
  '1e308', '-0', '9007199254740993', '\\u0000', '\\ud800', '\\udfff\\ud800', '\u0000', '\ufffd', '\ufeff', '\u202e', '\u200b', 'e\u0301',
  '🙂', '𠀀', "=cmd|' /C calc'!A0", '+1', '@A1', '\t=1', '9'.repeat(400), 'x'.repeat(5000), '%FF', '%00', '../', '\\',
  [0xe9], [0xff, 0xfe], [0xc0, 0xaf], [0x80], [0xe4, 0xb8], [0xc9, 0xe7, 0xc7, 0xf8], [0x00, 0x00],
];
const token = (r: Rand) => {
  const t = pick(r, TOKENS);
  return typeof t === 'string' ? utf8(t) : Uint8Array.from(t);
};

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/** One to four byte-level mutations. */
function mutateBytes(r: Rand, input: Uint8Array): Uint8Array {
  let b = input;
  for (let n = 1 + below(r, 4); n > 0; n--) {
    const at = below(r, b.length + 1);
    const kind = below(r, 8);
    if (kind === 0 && b.length) (b = b.slice()), (b[Math.min(at, b.length - 1)] ^= 1 << below(r, 8));
    else if (kind === 1 && b.length) (b = b.slice()), (b[Math.min(at, b.length - 1)] = pick(r, [0, 0xff, 0x7f, 0x80, 0x22, 0x5b, 0x7b, 0x2c, 0x0a, 0x30 + below(r, 10)]));
    else if (kind === 2) b = b.subarray(0, at);
    else if (kind === 3) b = splice(b, at, below(r, Math.min(64, b.length - at) + 1));
    else if (kind === 4 || kind === 5) b = splice(b, at, 0, token(r));
    else {
      // duplicate a slice, up to 100 times over
      const from = below(r, b.length + 1);
      const slice = b.slice(from, from + 1 + below(r, 256));
      const times = kind === 6 ? 1 : 1 + below(r, 100);
      if (b.length + slice.length * times > MAX_BYTES) continue;
      const copies = new Uint8Array(slice.length * times);
      for (let t = 0; t < times; t++) copies.set(slice, t * slice.length);
      b = splice(b, at, 0, copies);
    }
  }
  return b;
}

/** Every field of a JSON value with its path, the value itself first (path []). */
function paths(value: Json, prefix: string[] = []): string[][] {
  const out = [prefix];
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}
function at(value: Json, path: string[]): Json {
  return path.reduce<Json>((v, k) => (v as Record<string, Json>)[k], value);
}
/** A copy with the field at `path` replaced, or removed when `by` is undefined. */
function replaced(value: Json, path: string[], by: Json | undefined): Json | undefined {
  if (path.length === 0) return by;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, Json>) }) as Record<string, Json> & Json[];
  const next = replaced(copy[path[0] as never], path.slice(1), by);
  if (next !== undefined) copy[path[0] as never] = next as never;
  else if (Array.isArray(copy)) copy.splice(Number(path[0]), 1);
  else delete copy[path[0]];
  return copy;
}

const INF = '__inf__';
const DEEP = '__deep__';
/** Values of every kind to put in place of another. */
function oddValue(r: Rand, was: Json): Json {
  return pick<() => Json>(r, [
    () => null, () => true, () => false, () => 0, () => -1, () => 0.5, () => 1e308, () => -1e308, () => 2 ** 53, () => 2 ** 31,
    () => INF, () => `-${INF}`, () => DEEP, () => '', () => ' ', () => 'x'.repeat(below(r, 100_000)), () => '\u0000', () => '\ud800',
    () => '\ufffd', () => "=cmd|' /C calc'!A0", () => '\u202e\u0635\u0644', () => 'e\u0301🙂𠀀', () => '1e999', () => 'NaN',
    () => [], () => ({}), () => [was], () => ({ was }), () => (typeof was === 'number' ? String(was) : typeof was === 'string' && was !== '' && Number.isFinite(Number(was)) ? Number(was) : was),
    () => (typeof was === 'number' ? -was : was), () => (typeof was === 'number' ? was * 1e6 : was), () => (typeof was === 'number' ? was + 1e-9 : was),
  ])();
}

/** One structural mutation of a JSON value: a field swapped for an odd value, dropped, doubled, or a new one added. */
function mutateJson(r: Rand, value: Json): Json {
  const path = pick(r, paths(value));
  const here = at(value, path);
  const kind = below(r, 6);
  if (kind <= 2 || path.length === 0) return replaced(value, path, oddValue(r, here)) as Json;
  if (kind === 3) return (replaced(value, path, undefined) ?? null) as Json;
  if (kind === 4 && Array.isArray(here)) return replaced(value, path, [...here, ...here]) as Json;
  if (here !== null && typeof here === 'object' && !Array.isArray(here)) return replaced(value, path, { ...here, [pick(r, ['extra', '__proto__', 'constructor', ''])]: oddValue(r, null) }) as Json;
  return replaced(value, path, oddValue(r, here)) as Json;
}

/** JSON text with the sentinels made real: 1e999 (Infinity, which JSON.stringify cannot write) and nesting. */
function jsonText(r: Rand, value: Json): string {
  return JSON.stringify(value)
    .replaceAll(`"-${INF}"`, '-1e999')
    .replaceAll(`"${INF}"`, '1e999')
    .replaceAll(`"${DEEP}"`, () => {
      const levels = pick(r, [10, 1000, 100_000]);
      return '['.repeat(levels) + ']'.repeat(levels);
    });
}

/** A JSON input mutated: structurally (once or twice), then perhaps at the byte level. */
function mutatedJson(r: Rand, value: Json): Uint8Array {
  let v = value;
  for (let n = 1 + below(r, 2); n > 0; n--) v = mutateJson(r, v);
  const bytes = utf8(jsonText(r, v));
  return r() < 0.3 ? mutateBytes(r, bytes) : bytes;
}

const CELLS = ['', ' ', 'NaN', 'Infinity', '-Infinity', '1e999', '0x7E', '=1+1', "=cmd|' /C calc'!A0", '"', '""', '"a', 'a"b', '\u0000', 'x'.repeat(300), '-0', '+126.6', ' 126.6 ', '１２６.６', '126,6', '1e-400', '\ufffd'];
/** A CSV input mutated: a cell rewritten, a column or row added or dropped, or bytes. */
function mutatedCsv(r: Rand, csv: string): Uint8Array {
  const rows = csv.split('\n');
  const k = below(r, rows.length);
  const cells = rows[k].split(',');
  const kind = below(r, 5);
  if (kind <= 1) cells[below(r, cells.length)] = pick(r, CELLS);
  else if (kind === 2) cells.splice(below(r, cells.length + 1), pick(r, [0, 1]), pick(r, CELLS));
  else if (kind === 3) rows.splice(below(r, rows.length + 1), 0, rows[k]);
  if (kind <= 2) rows[k] = cells.join(',');
  const bytes = utf8(rows.join('\n'));
  return kind === 4 || r() < 0.3 ? mutateBytes(r, bytes) : bytes;
}

/** Run `fn` until the time is up, one target a round; the count per target. */
async function forAWhile(ms: number, r: Rand, targets: Record<string, (r: Rand, i: number) => unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(Object.keys(targets).map((k) => [k, 0]));
  const names = Object.keys(targets);
  const end = performance.now() + ms;
  for (let i = 0; performance.now() < end; i++) {
    const name = pick(r, names);
    if (TRACE) appendFileSync(TRACE, `${i} ${name}\n`);
    await targets[name](r, i);
    counts[name]++;
  }
  return counts;
}

const where = (target: string, i: number, input: Uint8Array | string) => {
  const b = typeof input === 'string' ? utf8(input) : input;
  return `seed ${SEED}, iteration ${i}, ${target}, input of ${b.length} bytes (base64, first 3000): ${Buffer.from(b.subarray(0, 3000)).toString('base64')}`;
};

let dir: string;
beforeAll(() => {
  console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_SECONDS=${SECONDS}`);
  dir = mkdtempSync(join(tmpdir(), 'lifecircle-fuzz-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fuzzing the importers', () => {
  it('returns or throws InputError, nothing else, on mutated PBF, GeoJSON, CSV and settings files', async () => {
    const r = seeded(SEED);
    const categories = loadCategories();
    const categoryIds = categories.categories.map((c) => c.id);
    const fixture = (path: string) => readFileSync(path, 'utf8');
    const communities = JSON.parse(fixture('tests/fixtures/ingest/communities.geojson')) as Json;
    const grids = JSON.parse(fixture('tests/fixtures/grids/grids.geojson')) as Json;
    const facilities = JSON.parse(fixture('tests/fixtures/ingest/facilities.geojson')) as Json;
    const facilitiesCsv = fixture('tests/fixtures/ingest/facilities.csv');
    const mapping = JSON.parse(fixture('data/categories.json')) as Json;
    const profile = JSON.parse(readFileSync(DEFAULT_PROFILE_PATH, 'utf8')) as Json;
    const pbfs = [smallPbf({ raw: true }), smallPbf()];
    const crs = (rr: Rand) => pick<Crs>(rr, ['wgs84', 'gcj02', 'bd09']);

    /** Run one importer on one input; anything thrown but an InputError fails the test with how to replay it. */
    const survive = (target: string, i: number, input: Uint8Array, fn: () => unknown) => {
      if (TRACE) writeFileSync(`${TRACE}.input`, input);
      try {
        fn();
      } catch (err) {
        if (err instanceof InputError) return;
        expect.fail(`${err instanceof Error ? err.stack : `threw ${typeof err} ${String(err)}`}\n${where(target, i, input)}`);
      }
    };
    const counts = await forAWhile(SECONDS * 400, r, {
      pbf: (rr, i) => {
        const input = mutateBytes(rr, pick(rr, pbfs));
        survive('pbf', i, input, () => {
          const osm = readPbf(input, 'fuzz.osm.pbf');
          osmBasemap(osm);
          buildNetwork(osm);
          osmBoundaries(osm, { adminLevel: 8 });
          osmFacilities(osm, categories);
          osmResidentialBuildings(osm);
        });
      },
      communities: (rr, i) => {
        const input = mutatedJson(rr, communities);
        survive('communities', i, input, () => {
          const read = readCommunitiesGeoJSON(text(input), { file: 'c.geojson', idField: 'code', nameField: 'name', populationField: 'pop', elderlyField: 'elderly60', crs: crs(rr) });
          buildDemand(read.communities, [], { resolution: 10 });
        });
      },
      grids: (rr, i) => {
        const input = mutatedJson(rr, grids);
        survive('grids', i, input, () => readGridsGeoJSON(text(input), { file: 'g.geojson', nameField: 'name', householdsField: 'households', residentsField: 'residents', crs: crs(rr) }));
      },
      'facilities GeoJSON': (rr, i) => {
        const input = mutatedJson(rr, facilities);
        survive('facilities GeoJSON', i, input, () => readFacilitiesGeoJSON(text(input), { file: 'f.geojson', categoryField: 'kind', nameField: 'name', capacityField: 'beds', crs: crs(rr), categories }));
      },
      'facilities CSV': (rr, i) => {
        const input = mutatedCsv(rr, facilitiesCsv);
        survive('facilities CSV', i, input, () => readFacilitiesCSV(text(input), { file: 'f.csv', categoryField: 'kind', nameField: 'name', capacityField: 'beds', crs: crs(rr), categories }));
      },
      categories: (rr, i) => {
        const input = mutatedJson(rr, mapping);
        const path = join(dir, 'categories.json');
        writeFileSync(path, input);
        survive('categories', i, input, () => loadCategories(path));
      },
      profile: (rr, i) => {
        const input = mutatedJson(rr, profile);
        const path = join(dir, 'profile.json');
        writeFileSync(path, input);
        survive('profile', i, input, () => loadProfile(path, categoryIds));
      },
    });
    console.log(`fuzz: importers, iterations per target ${JSON.stringify(counts)}`);
    for (const [target, n] of Object.entries(counts)) expect(n, target).toBeGreaterThan(0);
  });
});

describe('fuzzing the HTTP endpoints', () => {
  let h: Built;
  let app: Awaited<ReturnType<typeof harbinApp>>['app'];
  let city: Awaited<ReturnType<typeof harbinApp>>['city'];
  let tilesApp: ReturnType<typeof createApp>;
  let token: string;
  let sid: string;
  let stale: number;

  const send = async (to: typeof app, method: string, path: string, body?: Uint8Array, type = 'application/json') => {
    const res = await to.request(path, { method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': type } : {}) }, body: body as BodyInit | undefined });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const stored = () => storedTables(h.db);
  /**
   * Everything a client can read about the scenarios, maps and tokens, in the order it is served: a preview
   * applies and undoes its edit, and must leave every list as it was.
   */
  const readable = () =>
    Promise.all(
      [`/api/scenarios`, `/api/scenarios/${sid}`, `/api/scenarios/${sid}/stations`, `/api/scenarios/${sid}/joint`, `/api/scenarios/${sid}/cells`, `/api/scenarios/${sid}/compare`, '/api/published', '/api/tokens'].map(async (p) => (await send(app, 'GET', p)).text),
    );

  beforeAll(async () => {
    const made = await harbinApp({ publisher: true, tokens: true });
    ({ h, app, city } = made);
    token = (await made.tokens!.create('fuzz')).token;
    const json = (b: unknown) => utf8(JSON.stringify(b));
    sid = JSON.parse((await send(app, 'POST', '/api/scenarios', json({ name: '模糊' }))).text).id;
    const near = city.stored.facilities.find((f) => f.reachable)!;
    await send(app, 'POST', `/api/scenarios/${sid}/edits`, json({ edit: { op: 'add', category: 'health', lon: near.lon, lat: near.lat, name: '新站' } }));
    const units = city.stored.units.slice(0, 2).map((u) => u.id);
    const merged = await send(app, 'POST', `/api/scenarios/${sid}/edits`, json({ edit: { op: 'merge', units, name: '联合', override: true } }));
    stale = JSON.parse(merged.text).scenario.version + 1000;
    expect((await send(app, 'POST', '/api/published', json({ name: 'taken', title: '已发布', view: { category: 'health', tier: 15, speed: 'elderly' } }))).status).toBe(201);
    tilesApp = createApp(city, { extraRoutes: [tilesRoutes(new BasemapTiles(await readBasemap(h.db.conn)))] });
  });
  afterAll(() => h?.dispose());

  it('answers every mutated request below 500, errors as JSON, and changes nothing', async () => {
    const before = await stored();
    const memory = await readable();
    const r = seeded(SEED + 1);
    const f = city.stored.facilities[0];
    const near = city.stored.facilities.find((x) => x.reachable)!;
    const units = city.stored.units.slice(0, 3).map((u) => u.id);
    const edits: Json[] = [
      { op: 'add', category: 'health', lon: near.lon, lat: near.lat, name: '站', capacity: 5 },
      { op: 'move', station: 'new-1', lon: near.lon, lat: near.lat },
      { op: 'close', station: f.id },
      { op: 'capacity', station: f.id, capacity: 10 },
      { op: 'category', station: f.id, category: 'pharmacy' },
      { op: 'merge', units: units.slice(1, 3), name: '联合二' },
      { op: 'rename-joint', joint: 'joint-2', name: '新名' },
    ];
    const csv = `lon,lat,name,beds\n${near.lon},${near.lat},站甲,3\n${f.lon},${f.lat},站乙,\n`;
    const geojson: Json = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: '站丙' }, geometry: { type: 'Point', coordinates: [near.lon, near.lat] } }] };
    const queries = [
      '/api/communities?category=health&tier=15&speed=elderly', '/api/facilities?category=school', '/api/gaps?category=health&tier=10&speed=general&weight=residents',
      `/api/facilities/${encodeURIComponent(f.id)}/walkshed?speed=general`, `/api/walkshed?lon=${near.lon}&lat=${near.lat}&speed=elderly&minutes=5`,
      `/api/cells/${city.stored.cells.h3[0]}`, `/api/scenarios/${sid}/compare?category=health&tier=15&speed=elderly`, `/api/scenarios/${sid}/cells?category=health`,
      `/api/scenarios/${sid}/joint?sameBoundary=true`, `/api/scenarios/${sid}/stations`, '/api/published/taken/files', '/p/taken/facilities.csv',
      '/api/tiles/basemap/14/13955/5845.pbf',
    ];
    /** A mutated JSON body that still parses keeps `force` set, so that it cannot be accepted as a change. */
    const forced = (body: Uint8Array, force: Record<string, Json>) => {
      try {
        const v = JSON.parse(text(body));
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) return utf8(JSON.stringify({ ...v, ...force }));
      } catch {}
      return body;
    };
    /** A path and query as a client could send them: bytes outside printable ASCII percent-encoded as they are. */
    const urlOf = (b: Uint8Array) => {
      let s = '';
      for (const c of b) s += c > 0x20 && c < 0x7f && c !== 0x23 ? String.fromCharCode(c) : `%${c.toString(16).padStart(2, '0').toUpperCase()}`;
      return s.startsWith('/') ? s : `/${s}`;
    };

    let accepted = 0;
    /** `json`: errors must be JSON (the API; a mutated path outside /api/ may get the framework's plain 404). */
    const check = async (target: string, i: number, input: Uint8Array, answer: Promise<Awaited<ReturnType<typeof send>>>, mayAccept: boolean, json = true) => {
      const res = await answer;
      const problem =
        res.status >= 500 ? `answered ${res.status}: ${res.text.slice(0, 500)}`
        : res.status < 400 && !mayAccept ? `accepted a change (${res.status}): ${res.text.slice(0, 300)}`
        : res.status >= 400 && json && !(res.type.startsWith('application/json') && typeof JSON.parse(res.text)?.error?.message === 'string') ? `answered ${res.status} without a JSON error: ${res.type} ${res.text.slice(0, 300)}`
        : null;
      if (problem) expect.fail(`${problem}\n${where(target, i, input)}`);
      if (res.status < 400) accepted++;
    };
    const counts = await forAWhile(SECONDS * 600, r, {
      preview: (rr, i) => {
        const body = mutatedJson(rr, { edit: pick(rr, edits) });
        return check('preview', i, body, send(app, 'POST', `/api/scenarios/${sid}/preview`, body), true);
      },
      'joint check': (rr, i) => {
        const body = mutatedJson(rr, { units: units.slice(0, 2), sameBoundary: false });
        return check('joint check', i, body, send(app, 'POST', '/api/joint/check', body), true);
      },
      edit: (rr, i) => {
        const body = forced(mutatedJson(rr, { edit: pick(rr, edits), baseVersion: stale }), { baseVersion: stale });
        return check('edit', i, body, send(app, 'POST', `/api/scenarios/${sid}/edits`, body), false);
      },
      rename: (rr, i) => {
        const body = forced(mutatedJson(rr, { name: '改名', baseVersion: stale }), { baseVersion: stale });
        return check('rename', i, body, send(app, 'PATCH', `/api/scenarios/${sid}`, body), false);
      },
      publish: (rr, i) => {
        const body = forced(mutatedJson(rr, { name: 'taken', title: '标题', description: '说明', scenario: sid, view: { category: 'health', tier: 15, speed: 'elderly' } }), { name: 'taken' });
        return check('publish', i, body, send(app, 'POST', '/api/published', body), false);
      },
      'import CSV': (rr, i) => {
        const body = mutatedCsv(rr, csv);
        return check('import CSV', i, body, send(app, 'POST', `/api/scenarios/${sid}/import?category=health&nameField=name&capacityField=beds&baseVersion=${stale}`, body, 'text/csv'), false);
      },
      'import GeoJSON': (rr, i) => {
        const body = mutatedJson(rr, geojson);
        return check('import GeoJSON', i, body, send(app, 'POST', `/api/scenarios/${sid}/import?categoryField=kind&baseVersion=${stale}`, body, 'application/geo+json'), false);
      },
      'body bytes': (rr, i) => {
        const body = mutateBytes(rr, utf8(JSON.stringify({ edit: pick(rr, edits) })));
        return check('body bytes', i, body, send(app, 'POST', `/api/scenarios/${sid}/preview`, body, pick(rr, ['application/json', 'application/json; charset=latin1', 'text/plain', 'application/geo+json'])), true);
      },
      query: (rr, i) => {
        const url = urlOf(mutateBytes(rr, utf8(pick(rr, queries))));
        // where the URL leads once its dot segments are resolved (/api/../p/… is not the API's), read as app.request
        // reads it: after the host, so a path starting // stays a path
        const path = new URL(`http://localhost${url}`).pathname;
        return check('query', i, utf8(url), send(path.startsWith('/api/tiles') ? tilesApp : app, 'GET', url), true, path.startsWith('/api/'));
      },
    });
    console.log(`fuzz: HTTP, requests per target ${JSON.stringify(counts)}, ${accepted} answered 2xx (reads and previews)`);
    for (const [target, n] of Object.entries(counts)) expect(n, target).toBeGreaterThan(0);
    expect(await stored()).toEqual(before);
    expect(await readable()).toEqual(memory);
  });
});
