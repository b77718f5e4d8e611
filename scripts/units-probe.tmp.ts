import { gridDisk } from 'h3-js';
import { readCity } from '/work/main/server/db/read.ts';
import { openDb } from '/work/main/server/db/connection.ts';
import { deriveUnits } from '/work/main/server/core/units.ts';
import { Barriers, barrierSegments } from '/work/main/server/core/barriers.ts';
import { readBasemap } from '/work/main/server/db/basemap.ts';
const db = await openDb('/tmp/harbin-probe.duckdb');
const st = await readCity(db.conn);
const { cells, shares } = st;
const idx = new Map(cells.h3.map((h, i) => [h, i]));
const owner = new Int32Array(cells.h3.length).fill(-1);
const best = new Float64Array(cells.h3.length).fill(-1);
for (let s = 0; s < shares.cell.length; s++) if (shares.residents[s] > best[shares.cell[s]]) { best[shares.cell[s]] = shares.residents[s]; owner[shares.cell[s]] = shares.community[s]; }
const bm = await readBasemap(db.conn);
const t = performance.now();
const bar = new Barriers(barrierSegments(bm));
let crossings = 0;
const barrier = (a: number, b: number) => { const x = bar.crosses(cells.lon[a], cells.lat[a], cells.lon[b], cells.lat[b]); if (x) crossings++; return x; };
const NB = cells.h3.map((h, c) => gridDisk(h, 1).map((g) => idx.get(g)).filter((x): x is number => x !== undefined && x !== c));
const nb = (c: number) => NB[c];
const all: number[][] = [];
for (let k = 0; k < st.communities.length; k++) {
  const mine = [...owner.keys()].filter((c) => owner[c] === k);
  if (!mine.length) continue;
  all.push(...deriveUnits({ cells: mine, residents: cells.residents, x: cells.lon, y: cells.lat, neighbours: nb, barrier }, { minResidents: 5000, maxResidents: 12000, barrierCost: 4 }));
}
const ms = performance.now() - t;
const pops = all.map((u) => u.reduce((a, c) => a + cells.residents[c], 0)).sort((a, b) => a - b);
console.log('segments', bar.size, 'crossing tests true', crossings);
console.log(all.length, 'units', ms.toFixed(0), 'ms; pop min', pops[0], 'p10', pops[Math.floor(pops.length*0.1)], 'median', pops[Math.floor(pops.length/2)], 'p90', pops[Math.floor(pops.length*0.9)], 'max', pops[pops.length-1]);
console.log('in range', pops.filter((p) => p >= 5000 && p <= 12000).length, 'under', pops.filter((p) => p < 5000).length, 'over', pops.filter((p) => p > 12000).length);
db.close();
