/** gzip off the JS thread: zlib runs in libuv's pool, so a 2 MB body does not stall other requests. */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

/** The gzip of `bytes` (level 6, as the compress middleware makes it). */
export const gzipped = async (bytes: Uint8Array): Promise<Uint8Array> => new Uint8Array(await gzipAsync(bytes));
