import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { UserConfig } from 'vite';
import { defineConfig } from 'vitest/config';
import SummaryReporter from './tests/support/summary-reporter.ts';

// One config for the web build (the Svelte app in web/, built into dist/web and served by the
// server with the API under /api) and for vitest. Vitest keeps the repository as its root so its
// tests/** globs stay where they are; the web build and dev server use web/.
const app = {
  root: process.env.VITEST ? '.' : 'web',
  // Relative asset URLs, so the built app works under any path it is served from.
  base: './',
  // Svelte 5 compiles TypeScript itself: no preprocessors, so no svelte.config.js to look for.
  // Runes mode everywhere, also in components that happen to use no rune (legacy mode would
  // treat their imported state differently).
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // MapLibre alone is ~1 MB minified; one chunk is fine for an app served from the same machine.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', new SummaryReporter()],
    // The Harbin suites share one built database (tests/setup/harbin.ts); building it twice in
    // parallel on a 2-core machine is slower than building it once.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // browser suites poll the page for what a server round trip and a software-GL frame bring; the
    // default 1 s is too short on a busy 2-core machine (a clean-clone run missed it once)
    expect: { poll: { timeout: 20_000 } },
  },
} satisfies UserConfig;

// `vite build --mode viewer`: the viewer of published maps (web/viewer, plain DOM, no Svelte) as ONE
// classic script and one stylesheet in dist/viewer. The exported folder is opened from file://, where
// Chromium refuses module scripts and code-split chunks, so: library mode, IIFE format (one chunk:
// library mode does not split an IIFE). server/publish/viewer.ts copies both files into each export.
const viewer = {
  root: 'web',
  base: './',
  publicDir: false,
  build: {
    outDir: '../dist/viewer',
    emptyOutDir: true,
    lib: {
      entry: fileURLToPath(new URL('web/viewer/main.ts', import.meta.url)),
      formats: ['iife'],
      name: 'lifecircleViewer',
      fileName: () => 'viewer.js',
      cssFileName: 'viewer',
    },
    // MapLibre reads import.meta.url only to find its worker next to itself; main.ts hands it the
    // worker instead, so the empty object an IIFE gets in its place is right (and not worth a warning)
    rolldownOptions: { transform: { define: { 'import.meta': '{}' } } },
    // MapLibre and its worker (inlined as text) are ~1.6 MB: one file is the point here
    chunkSizeWarningLimit: 3000,
  },
} satisfies UserConfig;

export default defineConfig(({ mode }) => (mode === 'viewer' ? viewer : app));
