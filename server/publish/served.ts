/**
 * Published files kept in memory as they are served, with their gzip: a map many people open is read
 * from DuckDB and compressed once, not on every request. Bounded by bytes, least recently used
 * dropped first; everything of a map is dropped when it is unpublished, and a read that raced the
 * unpublication is not kept (the name may be published again with other content).
 */
import { gzipped } from '../gzip.ts';

export interface ServedFile {
  bytes: Uint8Array;
  /** Its gzip, made once on first call. */
  gzip(): Promise<Uint8Array>;
}

interface Kept {
  bytes: Uint8Array;
  gz: Promise<Uint8Array> | null;
  size: number;
}

export class ServedFiles {
  private readonly kept = new Map<string, Kept>();
  private size = 0;
  /** Bumped when a map is unpublished, so reads begun before it are not kept. */
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly read: (name: string, path: string) => Promise<Uint8Array | null>,
    private readonly maxBytes: number,
  ) {}

  async get(name: string, path: string): Promise<ServedFile | null> {
    const key = `${name}/${path}`;
    let kept = this.kept.get(key);
    if (kept) {
      this.kept.delete(key); // most recently used last
      this.kept.set(key, kept);
    } else {
      const generation = this.generation.get(name) ?? 0;
      const bytes = await this.read(name, path);
      if (!bytes) return null;
      kept = { bytes, gz: null, size: bytes.byteLength };
      if ((this.generation.get(name) ?? 0) === generation && !this.kept.has(key)) this.keep(key, kept);
    }
    const entry = kept;
    return {
      bytes: entry.bytes,
      gzip: () =>
        (entry.gz ??= gzipped(entry.bytes).then((gz) => {
          if (this.kept.get(key) === entry) this.grow(entry, gz.byteLength);
          return gz;
        })),
    };
  }

  /** Forget every file of a map (it was unpublished). */
  drop(name: string): void {
    this.generation.set(name, (this.generation.get(name) ?? 0) + 1);
    for (const key of [...this.kept.keys()]) if (key.startsWith(`${name}/`)) this.remove(key);
  }

  /** Bytes held, for tests and logs. */
  get bytes(): number {
    return this.size;
  }

  private keep(key: string, kept: Kept): void {
    if (kept.size > this.maxBytes) return;
    this.kept.set(key, kept);
    this.size += kept.size;
    this.evict();
  }

  private grow(kept: Kept, by: number): void {
    kept.size += by;
    this.size += by;
    this.evict();
  }

  private evict(): void {
    for (const key of this.kept.keys()) {
      if (this.size <= this.maxBytes) break;
      this.remove(key);
    }
  }

  private remove(key: string): void {
    const kept = this.kept.get(key);
    if (!kept) return;
    this.kept.delete(key);
    this.size -= kept.size;
  }
}
