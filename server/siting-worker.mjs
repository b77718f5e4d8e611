// Entry of the exact-siting worker thread: a worker starts without the parent's TypeScript loader
// (under vitest, or any runner that transpiles in process), so it registers tsx's own first.
import { register } from 'tsx/esm/api';

register();
await import('./siting-worker.ts');
