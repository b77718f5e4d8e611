/**
 * Large bodies that never change while they exist (the baseline's cells, a published map's files),
 * gzipped once and sent as they are. The compress middleware would gzip them again on every request:
 * 2 MB of data.js costs ~40 ms of the one JS thread each time, and under load that time is taken
 * from every other request. The middleware leaves an answer that already has a Content-Encoding alone.
 */
import type { Context } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress';

/** Below this a body goes out as it is (the middleware's own threshold). */
const THRESHOLD = 1024;

/**
 * Whether an Accept-Encoding header takes gzip: named, or by "*", with a q above 0.
 * @example acceptsGzip('gzip, deflate, br') // true; acceptsGzip('gzip;q=0, *') // false
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: boolean | null = null;
  for (const part of header.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const takes = q === undefined || Number(q.slice(2)) > 0;
    if (token.trim() === 'gzip') return takes;
    if (token.trim() === '*') star = takes;
  }
  return star ?? false;
}

/**
 * Answer with `bytes`, or with their gzip (from `gz`, called only then) when the type is worth
 * compressing (the middleware's list: text, JSON, JavaScript, not PNG or PDF) and the client takes it.
 * Vary tells caches the answer depends on Accept-Encoding either way.
 */
export async function sendStatic(c: Context, bytes: Uint8Array, gz: () => Promise<Uint8Array>, headers: Record<string, string> & { 'Content-Type': string }): Promise<Response> {
  const base = { ...headers, Vary: 'Accept-Encoding' };
  const worth = bytes.byteLength >= THRESHOLD && COMPRESSIBLE_CONTENT_TYPE_REGEX.test(headers['Content-Type']);
  if (!worth || !acceptsGzip(c.req.header('Accept-Encoding'))) return c.body(bytes as Uint8Array<ArrayBuffer>, 200, base);
  return c.body((await gz()) as Uint8Array<ArrayBuffer>, 200, { ...base, 'Content-Encoding': 'gzip' });
}
