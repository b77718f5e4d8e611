/**
 * Load on loopback: the real server (server/main.ts as a child process, on Harbin) under N concurrent
 * clients for S seconds of mixed traffic, as a planning office makes it — many viewers, a few editors:
 *
 *   70 % map reads   city, cells, communities and gaps for varying selections, facilities, basemap
 *                    tiles z12–15 over the city's box, a published map's page and data, a scenario's
 *                    recolouring and stations, the scenario list
 *   20 % walksheds   any point (/walkshed), a cell's card (/cells/{h3}), a facility's walkshed
 *   10 % what-if     half edits (add a station, move or remove one the same client added), half previews
 *
 * Budgets (the load issue): 0 errors (any non-2xx answer, socket error or timeout) and the server's
 * resident memory after the load within 20 % of the reading after a warm-up of the same mix, each
 * taken 5 s into an idle and after a full garbage collection (asked for through the inspector, which
 * the server is started with on loopback); the raw readings before it are printed too.
 * Reports requests per second and p50 / p90 / p99 / max latency, overall and per kind.
 *
 *   npx tsx scripts/bench/load.ts [--connections 50] [--seconds 30] [--warmup 5] [--seed 1]
 *
 * No answer may be an error by construction: points are cells verified during setup (walkshed and
 * an add preview both 200: a street within the snapping limit); a client moves and removes only the
 * stations it added itself, after their add was answered (so never a 404); no change sends a
 * baseVersion and none undoes, redoes, closes or reopens (the only ways to a 409); the scenario's live
 * stations stay bounded (at most MAX_OWNED per client), though its stored log grows one row per edit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { HARBIN_PBF } from '../../server/config.ts';
import { buildCity, defaultOptions } from '../../server/pipeline.ts';
import { openDb } from '../../server/db/connection.ts';
import { writeCity } from '../../server/db/city.ts';
import { seeded } from '../../server/core/random.ts';
import { startServer, type RunningServer } from '../harness.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const seed = Number(values.seed);
/** Points verified during setup; walksheds, edits and previews draw from them. */
const POINTS = 120;
/** Stations one client may have added and not yet removed. */
const MAX_OWNED = 2;
/** Pause before each memory reading, so the answers in flight finish and the server idles. */
const SETTLE_MS = 5000;
const BUDGET_ERRORS = 0;
const BUDGET_MEMORY = 0.2;

type Kind = 'read' | 'walkshed' | 'edit';
interface Req { method: 'GET' | 'POST'; path: string; body?: unknown; label: string }

const quantile = (xs: number[], q: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] : NaN);
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Resident memory of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/**
 * A full garbage collection in the server, asked for through its inspector (the server runs with
 * --inspect on loopback for this; nothing in it changes): a reading after one shows what the server
 * holds, where V8 otherwise keeps dead objects until it needs the room, so raw RSS after a busier
 * load reads higher without anything leaking. Node 20 needs a flag for its WebSocket client.
 */
function collectGarbage(inspector: string): void {
  const script = `const ws = new WebSocket(process.argv[1]);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    ws.onmessage = (e) => { if (JSON.parse(e.data).id === 1) { ws.close(); process.exit(0); } };
    ws.onerror = () => process.exit(1);
    setTimeout(() => process.exit(2), 30000);`;
  const flags = typeof WebSocket === 'undefined' ? ['--experimental-websocket', '--no-warnings'] : [];
  for (let round = 0; round < 2; round++) {
    const r = spawnSync(process.execPath, [...flags, '-e', script, inspector], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`collecting garbage through the inspector failed (${r.status}): ${r.stderr}`);
  }
}

/** RSS after a full garbage collection and a second for the allocator to hand pages back. */
function rssAfterGc(pid: number, inspector: string): number {
  collectGarbage(inspector);
  spawnSync('sleep', ['1']);
  return rssMiB(pid);
}

/** CPU seconds a process has used (user + system, all threads), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  // the fields after the command name, which is in parentheses and may hold spaces
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}
/** USER_HZ of /proc's times: 100 on every Linux build this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** Child pids of a process (every thread's children: libuv may spawn from any). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}

/**
 * The pid that runs the server: the last process down the chain whose command line names
 * server/main.ts. startServer now spawns `node --import tsx server/main.ts`, the server itself; through
 * tsx's CLI (as it once did) the server is a child node process of the CLI, which only relays signals.
 */
function serverPid(root: number): number {
  let pid = root;
  for (;;) {
    const next = children(pid).find((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('server/main.ts'));
    if (next === undefined) return pid;
    pid = next;
  }
}

/** Web Mercator tile of a point at zoom z. */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

const dir = mkdtempSync(join(tmpdir(), 'lifecircle-load-'));
let server: RunningServer | undefined;
let pid: number | undefined;
let stopped = false;
const cleanup = async () => {
  await server?.stop();
  stopped = true;
  rmSync(dir, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
// a crash past the finally below: stop the server (tsx's CLI and the node process under it) and drop the folder
process.once('exit', () => {
  if (!stopped) {
    for (const p of [server?.process.pid, pid]) {
      try {
        if (p) process.kill(p, 'SIGTERM');
      } catch {}
    }
  }
  rmSync(dir, { recursive: true, force: true });
});
try {
  const dbPath = join(dir, 'harbin.duckdb');
  const db = await openDb(dbPath);
  await writeCity(db.conn, buildCity(defaultOptions(HARBIN_PBF)));
  db.close();

  server = await startServer(dbPath, [], ['--inspect=127.0.0.1:0']);
  const { url, token, inspector } = server;
  if (!token) throw new Error('the server printed no token for changes on its first start');
  if (!inspector) throw new Error('the server printed no inspector address');
  pid = serverPid(server.process.pid!);
  const serverProcess = pid;
  // anything the server logs from now on (a 500 logs its stack) is reported
  const serverLog: string[] = [];
  // (the inspector's own lines when the garbage collection is asked for are not the server's)
  server.process.stderr!.on('data', (chunk: Buffer) => serverLog.push(...chunk.toString().split('\n').filter((l) => l && !/^(Debugger |For help, see)/.test(l))));

  // ---- setup, through the API as a client would
  const auth = { Authorization: `Bearer ${token}` };
  const call = async (method: string, path: string, body?: unknown, expect = [200, 201]) => {
    const res = await fetch(new URL(path, url), method === 'GET' ? {} : { method, body: JSON.stringify(body ?? {}), headers: { 'Content-Type': 'application/json', ...auth } });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`setup: ${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, json: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null) as any, bytes: text.length };
  };
  const city = (await call('GET', '/api/city')).json as { bbox: [number, number, number, number]; tiers: number[]; categories: Array<{ id: string }> };
  const categories = city.categories.map((c) => c.id);
  const scenario = (await call('POST', '/api/scenarios', { name: 'load' })).json.id as string;
  await call('POST', '/api/published', { name: 'load', title: '压测', view: { category: 'elderly_care', tier: 15, speed: 'elderly' } });
  const facilityIds = ((await call('GET', '/api/facilities')).json.features as Array<{ properties: { id: string; reachable: boolean } }>)
    .filter((f) => f.properties.reachable)
    .map((f) => f.properties.id);

  // points: seeded populated cells, each verified once (its card, a walkshed from it, an add there)
  const cells = (await call('GET', '/api/cells')).json as { h3: string[]; residents: number[] };
  const rand = seeded(seed);
  const populated = cells.h3.filter((_, i) => cells.residents[i] > 0);
  for (let i = populated.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [populated[i], populated[j]] = [populated[j], populated[i]];
  }
  const points: Array<{ h3: string; lon: number; lat: number }> = [];
  let refused = 0;
  for (const h3 of populated) {
    if (points.length === POINTS) break;
    const cell = (await call('GET', `/api/cells/${h3}`)).json as { lon: number; lat: number; reachable: boolean };
    const p = { h3, lon: cell.lon, lat: cell.lat };
    const walk = await call('GET', `/api/walkshed?lon=${p.lon}&lat=${p.lat}&speed=elderly&minutes=15`, undefined, [200, 422]);
    const add = await call('POST', `/api/scenarios/${scenario}/preview`, { edit: { op: 'add', category: 'elderly_care', lon: p.lon, lat: p.lat } }, [200, 422]);
    if (walk.status === 200 && add.status === 200) points.push(p);
    else refused++;
  }
  // the id of an added station is new-<head after the add>: checked once here, and the station removed again
  const added = (await call('POST', `/api/scenarios/${scenario}/edits`, { edit: { op: 'add', category: 'elderly_care', lon: points[0].lon, lat: points[0].lat } })).json;
  const addedId = `new-${added.scenario.head}`;
  const stations = (await call('GET', `/api/scenarios/${scenario}/stations`)).json.features as Array<{ properties: { id: string } }>;
  if (!stations.some((f) => f.properties.id === addedId)) throw new Error(`setup: the added station is not ${addedId}`);
  await call('POST', `/api/scenarios/${scenario}/edits`, { edit: { op: 'remove', station: addedId } });

  // basemap tiles over the city's box, z12–15
  const tiles: string[] = [];
  const [w, s, e, n] = city.bbox;
  for (let z = 12; z <= 15; z++) {
    const [x0, y0] = tileOf(w, n, z);
    const [x1, y1] = tileOf(e, s, z);
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) tiles.push(`/api/tiles/basemap/${z}/${x}/${y}.pbf`);
  }
  const sizes = await Promise.all(['/api/cells', '/p/load/data.js', '/p/load/index.html'].map(async (p) => [p, (await call('GET', p)).bytes] as const));

  // ---- the mix: one seeded generator per client; weights in percent of requests
  const speeds = ['general', 'elderly'];
  const mix: Array<{ kind: Kind; weight: number; make: (c: ClientState) => Req }> = [];
  const pick = <T>(r: () => number, xs: T[]) => xs[Math.floor(r() * xs.length)];
  const selection = (r: () => number) => `category=${pick(r, categories)}&tier=${pick(r, city.tiers)}&speed=${pick(r, speeds)}`;
  const get = (path: string, label = path.replace(/\?.*/, '')): Req => ({ method: 'GET', path, label });
  const read = (weight: number, make: (c: ClientState) => Req) => mix.push({ kind: 'read', weight, make });
  read(5, () => get('/api/city'));
  read(4, () => get('/api/cells'));
  read(10, (c) => get(`/api/communities?${selection(c.rand)}`));
  read(6, (c) => get(`/api/gaps?${selection(c.rand)}&weight=${pick(c.rand, ['elderly', 'residents'])}`));
  read(4, (c) => get(c.rand() < 0.5 ? '/api/facilities' : `/api/facilities?category=${pick(c.rand, categories)}`));
  read(30, (c) => get(pick(c.rand, tiles), '/api/tiles/basemap/{z}/{x}/{y}.pbf'));
  read(2, () => get('/p/load/index.html'));
  read(3, () => get('/p/load/data.js'));
  read(4, (c) => get(`/api/scenarios/${scenario}/cells?category=${pick(c.rand, categories)}`, '/api/scenarios/{id}/cells'));
  read(1, () => get(`/api/scenarios/${scenario}/stations`, '/api/scenarios/{id}/stations'));
  read(1, () => get('/api/scenarios'));
  const walkshed = (weight: number, make: (c: ClientState) => Req) => mix.push({ kind: 'walkshed', weight, make });
  walkshed(12, (c) => {
    const p = pick(c.rand, points);
    return get(`/api/walkshed?lon=${p.lon}&lat=${p.lat}&speed=${pick(c.rand, speeds)}&minutes=${pick(c.rand, [5, 10, 15, 15, 20])}`);
  });
  walkshed(6, (c) => get(`/api/cells/${pick(c.rand, points).h3}`, '/api/cells/{h3}'));
  walkshed(2, (c) => get(`/api/facilities/${encodeURIComponent(pick(c.rand, facilityIds))}/walkshed?speed=${pick(c.rand, speeds)}`, '/api/facilities/{id}/walkshed'));
  mix.push({ kind: 'edit', weight: 5, make: (c) => editRequest(c) });
  mix.push({ kind: 'edit', weight: 5, make: (c) => previewRequest(c) });
  const totalWeight = mix.reduce((a, m) => a + m.weight, 0);
  if (totalWeight !== 100) throw new Error(`the mix adds up to ${totalWeight} %, not 100 %`);

  interface ClientState { rand: () => number; owned: string[]; kind: Kind; label: string; adding: boolean }
  const somewhere = (c: ClientState) => {
    const p = pick(c.rand, points);
    return { lon: p.lon, lat: p.lat };
  };
  const post = (path: string, edit: unknown, label: string): Req => ({ method: 'POST', path, body: { edit }, label });
  function editRequest(c: ClientState): Req {
    const path = `/api/scenarios/${scenario}/edits`;
    const r = c.rand();
    if (c.owned.length === 0 || (c.owned.length < MAX_OWNED && r < 0.4)) {
      c.adding = true;
      return post(path, { op: 'add', category: pick(c.rand, categories), ...somewhere(c) }, 'edit add');
    }
    if (r < 0.7) return post(path, { op: 'move', station: pick(c.rand, c.owned), ...somewhere(c) }, 'edit move');
    // the oldest first; taken off the list now: nobody else touches it, so the remove cannot miss
    return post(path, { op: 'remove', station: c.owned.shift() }, 'edit remove');
  }
  function previewRequest(c: ClientState): Req {
    const path = `/api/scenarios/${scenario}/preview`;
    // dragging a station of one's own, or trying a new one somewhere
    if (c.owned.length && c.rand() < 0.6) return post(path, { op: 'move', station: pick(c.rand, c.owned), ...somewhere(c) }, 'preview move');
    return post(path, { op: 'add', category: pick(c.rand, categories), ...somewhere(c) }, 'preview add');
  }

  // ---- per-kind figures, from each client's own responses
  interface Tally { latency: Record<Kind, number[]>; statuses: Map<string, number>; failures: string[]; timeouts: number; connErrors: number }
  const newTally = (): Tally => ({ latency: { read: [], walkshed: [], edit: [] }, statuses: new Map(), failures: [], timeouts: 0, connErrors: 0 });
  const labels = new Map<string, number[]>();

  const run = (duration: number, clientSeed: number, tally: Tally, byLabel?: Map<string, number[]>) => {
    let next = 0;
    const instance = autocannon({
      url,
      connections,
      duration,
      pipelining: 1,
      timeout: 10,
      setupClient(client) {
        const c: ClientState = { rand: seeded(clientSeed * 1000 + next++), owned: [], kind: 'read', label: '', adding: false };
        client.setRequests([
          {
            setupRequest(req) {
              let u = c.rand() * totalWeight;
              const m = mix.find((x) => (u -= x.weight) < 0) ?? mix[mix.length - 1];
              c.adding = false;
              const r = m.make(c);
              c.kind = m.kind;
              c.label = r.label;
              req.method = r.method;
              req.path = r.path;
              // a browser's headers: gzip accepted for reads; the token on every change, as the editor sends it.
              // Changes ask for plain JSON: autocannon hands the body over as a string (the add's answer names
              // the new station), and deltas are a few kB
              req.headers = r.method === 'POST' ? { 'Content-Type': 'application/json', ...auth } : { 'Accept-Encoding': 'gzip' };
              req.body = r.body === undefined ? undefined : JSON.stringify(r.body);
              return req;
            },
            onResponse(status, body) {
              if (status < 200 || status >= 300) {
                if (tally.failures.length < 20) tally.failures.push(`${status} ${c.label}: ${body.slice(0, 200)}`);
              } else if (c.adding) {
                // thrown here it would end the process from inside autocannon's parser, past the cleanup
                try {
                  c.owned.push(`new-${JSON.parse(body).scenario.head}`);
                } catch {
                  tally.failures.push(`${status} ${c.label}: an answer without the scenario: ${body.slice(0, 200)}`);
                }
              }
            },
          },
        ]);
        client.on('response', (status: number, _bytes: number, responseTime: number) => {
          tally.latency[c.kind].push(responseTime);
          const key = `${status} ${c.label}`;
          tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1);
          if (byLabel) {
            if (!byLabel.has(c.label)) byLabel.set(c.label, []);
            byLabel.get(c.label)!.push(responseTime);
          }
        });
        // 'timeout' and 'connError' are emitted by autocannon's client (lib/httpClient.js) but missing from @types/autocannon
        const events = client as NodeJS.EventEmitter;
        events.on('timeout', () => {
          tally.timeouts++;
          if (tally.failures.length < 20) tally.failures.push(`timeout ${c.label}`);
        });
        events.on('connError', (err: Error) => {
          tally.connErrors++;
          if (tally.failures.length < 20) tally.failures.push(`socket error ${c.label}: ${err.message}`);
        });
      },
    });
    return instance;
  };

  // ---- the server's bounded caches filled (every basemap tile of the box z12–15: an LRU of 2,000 tiles,
  // and geojson-vt keeps each tile it cut; every gaps selection: 84 answers kept), then a warm-up of the
  // same mix, then the reading the budget compares against: so it measures growth that is not a bounded
  // cache filling up (a 5 s warm-up alone touches a third of the tiles and ends at ~1.20)
  const rssSetup = rssMiB(serverProcess);
  const primed = [...tiles];
  for (const category of categories) for (const tier of city.tiers) for (const speed of speeds) for (const weight of ['elderly', 'residents']) primed.push(`/api/gaps?category=${category}&tier=${tier}&speed=${speed}&weight=${weight}`);
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let p = primed.pop(); p; p = primed.pop()) await call('GET', p, undefined, [200, 204]);
  }));
  const rssPrimed = rssMiB(serverProcess);
  const warm = newTally();
  serverLog.length = 0; // publishing's progress lines
  if (warmupSeconds > 0) await run(warmupSeconds, seed + 1, warm);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rssStart = rssMiB(serverProcess);
  const liveStart = rssAfterGc(serverProcess, inspector);

  // ---- the load, with the server's memory sampled every second
  const tally = newTally();
  let rssPeak = rssStart;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(serverProcess))), 1000);
  const cpu0 = { server: cpuSeconds(serverProcess), self: process.cpuUsage(), wall: performance.now() };
  const result = await run(seconds, seed + 2, tally, labels);
  const wall = (performance.now() - cpu0.wall) / 1000;
  const serverCpu = (cpuSeconds(serverProcess) - cpu0.server) / wall;
  const self = process.cpuUsage(cpu0.self);
  const selfCpu = (self.user + self.system) / 1e6 / wall;
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rssEnd = rssMiB(serverProcess);
  const liveEnd = rssAfterGc(serverProcess, inspector);
  const after = (await call('GET', `/api/scenarios/${scenario}`)).json;
  const live = ((await call('GET', `/api/scenarios/${scenario}/stations`)).json.features as Array<{ properties: { added: boolean } }>).filter((f) => f.properties.added).length;

  // ---- report
  const all = [...tally.latency.read, ...tally.latency.walkshed, ...tally.latency.edit];
  const errors = result.non2xx + result.errors + result.mismatches;
  const line = (name: string, xs: number[]) =>
    `  ${name.padEnd(36)} n=${String(xs.length).padStart(6)}  p50 ${ms(quantile(xs, 0.5)).padStart(9)}  p90 ${ms(quantile(xs, 0.9)).padStart(9)}  p99 ${ms(quantile(xs, 0.99)).padStart(9)}  max ${ms(Math.max(...xs)).padStart(9)}`;
  console.log(`Load on loopback: the server on Harbin (pid ${serverProcess}), ${connections} clients for ${seconds} s of mixed traffic after a ${warmupSeconds} s warm-up`);
  console.log(`mix: ${mix.filter((m) => m.kind === 'read').reduce((a, m) => a + m.weight, 0)} % reads, ${mix.filter((m) => m.kind === 'walkshed').reduce((a, m) => a + m.weight, 0)} % walksheds, ${mix.filter((m) => m.kind === 'edit').reduce((a, m) => a + m.weight, 0)} % edits and previews; ${points.length} verified points (${refused} cells refused), ${tiles.length} tiles z12–15`);
  console.log(`bodies as stored: /api/cells ${(sizes[0][1] / 1e6).toFixed(2)} MB, /p/load/data.js ${(sizes[1][1] / 1e6).toFixed(2)} MB, /p/load/index.html ${(sizes[2][1] / 1e3).toFixed(1)} kB (sent gzipped: every request accepts gzip)`);
  console.log(`requests: ${result.requests.total} answered in ${result.duration.toFixed(1)} s, ${(result.requests.total / result.duration).toFixed(0)} per second (autocannon's mean per second ${result.requests.average.toFixed(0)}); ${(result.throughput.total / 1e6).toFixed(0)} MB received`);
  console.log(`latency, all: p50 ${ms(result.latency.p50)}, p90 ${ms(result.latency.p90)}, p99 ${ms(result.latency.p99)}, max ${ms(result.latency.max)} (autocannon's histogram, 2xx only)`);
  console.log(line('all', all));
  for (const kind of ['read', 'walkshed', 'edit'] as const) console.log(line(kind === 'edit' ? 'edits and previews' : `${kind}s`, tally.latency[kind]));
  console.log('by request:');
  for (const [label, xs] of [...labels].sort((a, b) => b[1].length - a[1].length)) console.log(line(label, xs));
  console.log(`CPU during the load: server ${(100 * serverCpu).toFixed(0)} % of a core (its JS runs on one thread; DuckDB and zlib may add others), this load generator ${(100 * selfCpu).toFixed(0)} %, on ${availableParallelism()} cores`);
  console.log(`errors: ${errors} (non-2xx ${result.non2xx}, socket errors ${result.errors - result.timeouts}, timeouts ${result.timeouts}); budget ${BUDGET_ERRORS}: ${errors <= BUDGET_ERRORS ? 'met' : 'MISSED'}`);
  if (warm.failures.length) console.log(`warm-up errors (not counted above): ${warm.failures.length}`);
  for (const f of [...warm.failures, ...tally.failures]) console.log(`  ${f}`);
  const ratio = liveEnd / liveStart;
  console.log(`server memory (VmRSS of pid ${serverProcess}): after setup ${rssSetup.toFixed(0)} MiB, caches filled ${rssPrimed.toFixed(0)} MiB; ${SETTLE_MS / 1000} s after the warm-up (start) ${rssStart.toFixed(0)} MiB, peak during the load ${rssPeak.toFixed(0)} MiB, ${SETTLE_MS / 1000} s after the load (end) ${rssEnd.toFixed(0)} MiB (end/start ${(rssEnd / rssStart).toFixed(2)}, dead objects included)`);
  console.log(`  after a full garbage collection: start ${liveStart.toFixed(0)} MiB, end ${liveEnd.toFixed(0)} MiB; end/start ${ratio.toFixed(2)}, budget ≤ ${(1 + BUDGET_MEMORY).toFixed(2)}: ${ratio <= 1 + BUDGET_MEMORY ? 'met' : 'MISSED'}`);
  console.log(`scenario after the load: ${after.editCount} edits stored, ${live} added stations open (the clients remove what they add; at most ${MAX_OWNED} each)`);
  if (serverLog.length) {
    console.log(`server log during the warm-up and the load (${serverLog.length} lines):`);
    for (const l of serverLog.slice(0, 20)) console.log(`  ${l}`);
  }
  if (errors > BUDGET_ERRORS || ratio > 1 + BUDGET_MEMORY) process.exitCode = 1;
} finally {
  await cleanup();
}
