/**
 * ServedFiles: published files kept for serving, bounded by bytes (least recently used out first),
 * read from the store once while kept, dropped whole when a map is unpublished — and a read that
 * raced the unpublication not kept. The store here is a Map counting its reads.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ServedFiles } from '../server/publish/served.ts';

function store(files: Record<string, number>) {
  const reads: string[] = [];
  const content = new Map(Object.entries(files).map(([k, n]) => [k, new Uint8Array(n).fill(k.charCodeAt(0))]));
  let gate: Promise<void> = Promise.resolve();
  return {
    reads,
    hold(p: Promise<void>) {
      gate = p;
    },
    read: async (name: string, path: string) => {
      reads.push(`${name}/${path}`);
      const bytes = content.get(`${name}/${path}`) ?? null;
      await gate;
      return bytes;
    },
  };
}

describe('ServedFiles', () => {
  it('reads a file once while it is kept, and its gzip holds the same bytes', async () => {
    const s = store({ 'a/data.js': 3000 });
    const served = new ServedFiles(s.read, 10_000);
    const first = (await served.get('a', 'data.js'))!;
    const again = (await served.get('a', 'data.js'))!;
    expect(s.reads).toEqual(['a/data.js']);
    const gz = await first.gzip();
    expect([gunzipSync(gz).equals(Buffer.from(first.bytes)), await again.gzip()]).toEqual([true, gz]);
    expect(served.bytes).toBe(3000 + gz.byteLength);
  });

  it('answers null for a file the store lacks, and keeps nothing for it', async () => {
    const s = store({});
    const served = new ServedFiles(s.read, 10_000);
    expect([await served.get('a', 'x.js'), await served.get('a', 'x.js'), served.bytes]).toEqual([null, null, 0]);
    expect(s.reads).toEqual(['a/x.js', 'a/x.js']);
  });

  it('drops the least recently used files past its byte budget, and never keeps one larger than it', async () => {
    const s = store({ 'a/1': 400, 'a/2': 400, 'a/3': 400, 'a/big': 2000 });
    const served = new ServedFiles(s.read, 1000);
    await served.get('a', '1');
    await served.get('a', '2');
    await served.get('a', '1'); // 1 is now the more recent
    await served.get('a', '3'); // 1200 bytes: 2 goes
    expect(served.bytes).toBe(800);
    s.reads.length = 0;
    await served.get('a', '1');
    await served.get('a', '3');
    await served.get('a', '2');
    await served.get('a', 'big');
    await served.get('a', 'big');
    expect(s.reads).toEqual(['a/2', 'a/big', 'a/big']);
  });

  it('drops every file of an unpublished map, and does not keep a read begun before the unpublication', async () => {
    const s = store({ 'a/1': 100, 'a/2': 100, 'ab/1': 100 });
    const served = new ServedFiles(s.read, 10_000);
    await served.get('a', '1');
    await served.get('ab', '1');
    let release!: () => void;
    s.hold(new Promise((r) => (release = r)));
    const racing = served.get('a', '2');
    served.drop('a');
    release();
    expect((await racing)!.bytes.byteLength).toBe(100);
    s.hold(Promise.resolve());
    s.reads.length = 0;
    await served.get('a', '1');
    await served.get('a', '2');
    await served.get('ab', '1');
    expect(s.reads).toEqual(['a/1', 'a/2']);
  });
});
