/**
 * Real parts for browser tests and benchmarks: the lifecircle server as a child process on a free
 * port, and Debian's Chromium driven by playwright-core with the flags that render WebGL2 on
 * SwiftShader (see ../shared/docs/stack-notes.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningServer {
  url: string;
  /** The token the server printed on its first start on this database (absent on later starts). */
  token?: string;
  /** The inspector's WebSocket address, when started with --inspect in `nodeArgs`. */
  inspector?: string;
  /** The server's own process (node with tsx's loader: no wrapper process in between, so signals reach it). */
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Start `server/main.ts` on a free port with the given database (and flags for node itself); resolves once it listens. */
export function startServer(dbPath: string, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<RunningServer> {
  // `node --import tsx`, not tsx's CLI: the CLI runs the script in a second process, which a SIGKILL
  // of the first would leave running (and holding the database file)
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts', '--db', dbPath, '--port', '0', ...extraArgs], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${log}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const m = log.match(/lifecircle: (http:\/\/[^/\s]+\/)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          token: log.match(/token for changes[^\n]*: (lc_\S+)/)?.[1],
          inspector: log.match(/Debugger listening on (ws:\/\/\S+)/)?.[1],
          process: child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
}

/** Headless Chromium with WebGL2 on SwiftShader and nothing written to the home folder. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'lifecircle-chromium-'));
  // playwright gives every launch a fresh profile folder of its own (no --user-data-dir allowed here)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, XDG_CONFIG_HOME: join(profile, 'config'), XDG_CACHE_HOME: join(profile, 'cache') },
    args: [
      '--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
