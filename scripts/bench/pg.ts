/**
 * A throwaway PostgreSQL cluster for the peer benchmarks: initdb into a temp folder, listen on a
 * Unix socket in that folder only (no TCP), run psql against it, stop and delete it at the end.
 * Durability is switched off (fsync, WAL) because nothing here outlives the run.
 * Needs Debian's postgresql-15 with postgresql-15-pgrouting (PGBIN overrides the binaries' folder).
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PGBIN = process.env.PGBIN ?? '/usr/lib/postgresql/15/bin';

export interface Cluster {
  /** Folder holding the data directory, the socket and the server log. */
  dir: string;
  /** Run SQL (psql script syntax, so backslash commands work) and return psql's unaligned output. */
  psql(sql: string, stdin?: string | Buffer): string;
  /** Stop the server and delete the folder. Safe to call twice. */
  stop(): void;
}

/** Server settings: fast and disposable; `work_mem` keeps pgRouting's result sets in memory. */
const SETTINGS = [
  "listen_addresses=''",
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'shared_buffers=512MB',
  'work_mem=512MB',
  'maintenance_work_mem=512MB',
  'max_wal_size=8GB',
  'jit=off',
];

function run(cmd: string, args: string[], asPostgres: boolean, input?: string | Buffer) {
  // The server refuses to run as root; as root we run it (and initdb) as the postgres user.
  const [file, argv] = asPostgres && process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(file, argv, { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ').slice(0, 200)} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/**
 * Start a fresh cluster with the pgrouting extension (and postgis, which Debian's pgrouting requires).
 * @example const pg = startCluster(); try { pg.psql('SELECT pgr_version()'); } finally { pg.stop(); }
 */
export function startCluster(): Cluster {
  if (!existsSync(join(PGBIN, 'initdb'))) throw new Error(`no PostgreSQL binaries in ${PGBIN} (set PGBIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'lifecircle-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(run('id', ['-u', 'postgres'], false));
    const gid = Number(run('id', ['-g', 'postgres'], false));
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  let running = false;
  const stop = () => {
    if (running) {
      running = false;
      try {
        run(join(PGBIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop'], true);
      } catch (err) {
        console.error(String(err));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Stop the server however the script ends (an exception, Ctrl-C), so no postgres is left behind.
  process.once('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

  run(join(PGBIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'], true);
  const opts = ['-k', dir, '-p', '5432', ...SETTINGS.flatMap((s) => ['-c', s])].join(' ');
  try {
    run(join(PGBIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', opts, 'start'], true);
  } catch (err) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
    stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  running = true;

  const psql = (sql: string, stdin?: string | Buffer) =>
    run(join(PGBIN, 'psql'), ['-h', dir, '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], false, stdin);
  psql('CREATE EXTENSION pgrouting CASCADE');
  return { dir, psql, stop };
}
