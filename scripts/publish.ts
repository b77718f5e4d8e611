/**
 * lifecircle publish: publish, list, export and unpublish maps in a city database from the command
 * line (the server must not hold the same file open: DuckDB lets one process write a file).
 *
 *   npm run publish -- list
 *   npm run publish -- publish --name harbin-elderly --title "哈尔滨 养老服务覆盖" [--scenario ID]
 *        [--category elderly_care] [--tier 15] [--speed elderly] [--description TEXT]
 *   npm run publish -- export --name harbin-elderly --out DIR      # the folder: DIR/index.html opens offline
 *   npm run publish -- unpublish --name harbin-elderly
 *
 * Exit codes: 0 done, 2 bad input (the message names the option), 1 anything else.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HARBIN_DB } from '../server/config.ts';
import { CityContext } from '../server/context.ts';
import { BasemapTiles } from '../server/core/tiles.ts';
import { readBasemap } from '../server/db/basemap.ts';
import { openDb } from '../server/db/connection.ts';
import { cityStatus, readCity } from '../server/db/read.ts';
import { InputError } from '../server/errors.ts';
import { Publisher, SNAPSHOT_NAME } from '../server/publish/publisher.ts';
import { EditError } from '../server/scenario.ts';
import { Scenarios } from '../server/scenarios.ts';

const HELP = `Usage: npm run publish -- <list | publish | export | unpublish> [options]

  --db FILE            city database (default data/harbin.duckdb)
  --name NAME          the published map's name: 1–63 lowercase letters, digits or hyphens
  --title TEXT         publish: the map's title (Chinese welcome)
  --description TEXT   publish: a longer text for the page and the report
  --scenario ID        publish: a stored scenario (default: the baseline)
  --category ID        publish: the category shown (default elderly_care)
  --tier MIN           publish: the tier shown, minutes (default 15)
  --speed S            publish: general | elderly (default elderly)
  --out DIR            export: the folder to write (created; must be empty if it exists)
`;

async function main() {
  const { values: v, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      db: { type: 'string' }, name: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' },
      scenario: { type: 'string' }, category: { type: 'string' }, tier: { type: 'string' }, speed: { type: 'string' },
      out: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (v.help || !command) {
    process.stdout.write(HELP);
    if (!command && !v.help) process.exit(2);
    return;
  }
  if (!['list', 'publish', 'export', 'unpublish'].includes(command)) throw new InputError(`unknown command "${command}"; use list, publish, export or unpublish`, { field: 'command' });
  const name = () => {
    if (v.name === undefined) throw new InputError('is required', { field: 'name' });
    if (!SNAPSHOT_NAME.test(v.name)) throw new InputError(`must be 1–63 lowercase letters, digits or hyphens (no paths), got "${v.name}"`, { field: 'name' });
    return v.name;
  };
  const dbPath = v.db ?? HARBIN_DB;
  if (!existsSync(dbPath)) throw new InputError(`no database file "${dbPath}" (build one with npm run build:db)`, { field: 'db' });
  // check every option before the database is opened
  let request: Parameters<Publisher['publish']>[0] | null = null;
  let out: string | null = null;
  if (command === 'publish') {
    const tier = Number(v.tier ?? 15);
    if (!Number.isInteger(tier)) throw new InputError(`must be a whole number of minutes, got "${v.tier}"`, { field: 'tier' });
    const speed = v.speed ?? 'elderly';
    if (speed !== 'general' && speed !== 'elderly') throw new InputError(`must be general or elderly, got "${speed}"`, { field: 'speed' });
    const title = (v.title ?? '').trim();
    if (!title || title.length > 200) throw new InputError('must be 1–200 characters', { field: 'title' });
    request = { name: name(), title, description: v.description ?? '', scenario: v.scenario ?? null, view: { category: v.category ?? 'elderly_care', tier, speed } };
  }
  if (command === 'export') {
    name();
    if (!v.out) throw new InputError('is required', { field: 'out' });
    if (existsSync(v.out) && readdirSync(v.out).length) throw new InputError(`"${v.out}" exists and is not empty`, { field: 'out' });
    out = v.out;
  }
  if (command === 'unpublish') name();

  const db = await openDb(dbPath);
  try {
    if ((await cityStatus(db.conn)).status !== 'current') throw new InputError(`"${dbPath}" holds no current city; start the server once or run npm run build:db`, { field: 'db' });
    const city = new CityContext(await readCity(db.conn));
    const scenarios = await Scenarios.open(city, db.conn);
    const basemap = await readBasemap(db.conn);
    const publisher = await Publisher.open(city, await db.instance.connect(), scenarios, { features: basemap, tiles: new BasemapTiles(basemap) });
    if (command === 'list') {
      for (const p of await publisher.list()) console.log(`${p.name}\t${p.createdAt}\t${p.scenarioId ?? 'baseline'}${p.scenarioVersion === null ? '' : ` v${p.scenarioVersion}`}\t${p.title}`);
    } else if (command === 'publish') {
      if (!city.stored.categories.some((c) => c.id === request!.view.category)) throw new InputError(`unknown category "${request!.view.category}"; known: ${city.stored.categories.map((c) => c.id).join(', ')}`, { field: 'category' });
      if (!city.tiers.includes(request!.view.tier)) throw new InputError(`must be one of ${city.tiers.join(', ')}`, { field: 'tier' });
      const row = await publisher.publish(request!, (step, ms) => console.error(`[publish] ${step} ${Math.round(ms)} ms`));
      console.log(`published ${row.name}: /p/${row.name}/ (export it with: npm run publish -- export --name ${row.name} --out DIR)`);
    } else if (command === 'export') {
      const files = await publisher.files(v.name!);
      if (!files.length) throw new InputError(`no published map "${v.name}"`, { field: 'name' });
      mkdirSync(out!, { recursive: true });
      for (const f of files) writeFileSync(join(out!, f.path), (await publisher.file(v.name!, f.path))!);
      console.log(`${files.length} files in ${out}; open ${join(out!, 'index.html')}`);
    } else {
      await publisher.unpublish(v.name!);
      console.log(`unpublished ${v.name}`);
    }
  } finally {
    db.close();
  }
}

main().catch((err) => {
  if (err instanceof InputError || err instanceof EditError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
