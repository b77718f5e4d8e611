/**
 * OpenStreetMap PBF reader: decodes a whole .osm.pbf into flat arrays.
 *
 * The format (https://wiki.openstreetmap.org/wiki/PBF_Format) is a sequence of
 * [int32 length][BlobHeader][Blob]; each OSMData blob is a zlib-deflated PrimitiveBlock.
 * We decode with `pbf` (mapbox's protobuf reader) and node's zlib; nothing here knows what the
 * tags mean: that is the job of network.ts, facilities.ts, boundaries.ts and buildings.ts.
 */
import { inflateSync } from 'node:zlib';
import { PbfReader } from 'pbf';
import { InputError } from '../errors.ts';

export type Tags = Record<string, string>;

export interface OsmRelationMember {
  type: 'node' | 'way' | 'relation';
  ref: number;
  role: string;
}

export interface OsmData {
  /** Node ids in ascending order; index into this array is the node index used everywhere else. */
  nodeIds: Float64Array;
  nodeLon: Float64Array;
  nodeLat: Float64Array;
  /** Tags of the nodes that have any, by node index. */
  nodeTags: Map<number, Tags>;
  wayIds: Float64Array;
  /** CSR: refs of way w are wayRefs[wayRefOffsets[w] .. wayRefOffsets[w+1]), as node indices (-1 when the node is missing from the extract). */
  wayRefOffsets: Int32Array;
  wayRefs: Int32Array;
  wayTags: Tags[];
  relationIds: number[];
  relationTags: Tags[];
  relationMembers: OsmRelationMember[][];
}

const MEMBER_TYPES = ['node', 'way', 'relation'] as const;
/** The format's bound on a blob, compressed or not: "must be less than 32 MiB". */
const MAX_BLOB_BYTES = 32 * 1024 * 1024;

/** Grows a typed array by doubling; avoids JS arrays of numbers for 10^6+ values. */
class Float64List {
  data = new Float64Array(1024);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray() {
    return this.data.slice(0, this.length);
  }
}

interface Block {
  strings: string[];
  granularity: number;
  latOffset: number;
  lonOffset: number;
  groups: Array<{ start: number; end: number }>;
}

/**
 * Decode a PBF buffer. `file` only names the input in error messages.
 * @throws InputError for a truncated or malformed file, naming the byte offset.
 */
export function readPbf(buf: Uint8Array, file = 'input.osm.pbf'): OsmData {
  if (buf.length === 0) throw new InputError('the file is empty', { file });
  const nodeIds = new Float64List();
  const nodeLon = new Float64List();
  const nodeLat = new Float64List();
  const nodeTagsById = new Map<number, Tags>();
  const ways: Array<{ id: number; refs: number[]; tags: Tags }> = [];
  const relations: Array<{ id: number; tags: Tags; members: OsmRelationMember[] }> = [];

  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  let blobIndex = 0;
  let sawHeader = false;
  while (pos < buf.length) {
    const at = pos;
    if (pos + 4 > buf.length) throw new InputError(`truncated: blob ${blobIndex} header length cut off at byte ${at}`, { file });
    const headerLength = view.getInt32(pos);
    pos += 4;
    if (headerLength <= 0 || headerLength > 64 * 1024) {
      throw new InputError(`not an OSM PBF file: blob ${blobIndex} at byte ${at} declares a header of ${headerLength} bytes`, { file });
    }
    if (pos + headerLength > buf.length) throw new InputError(`truncated: blob ${blobIndex} header cut off at byte ${buf.length}`, { file });
    const header = decodeOrFail(() => readBlobHeader(buf.subarray(pos, pos + headerLength)), file, blobIndex, at);
    pos += headerLength;
    if (header.dataSize > MAX_BLOB_BYTES) {
      throw new InputError(`not an OSM PBF file: blob ${blobIndex} at byte ${at} declares ${header.dataSize} bytes of data, more than the format's 32 MiB`, { file });
    }
    if (header.dataSize < 0 || pos + header.dataSize > buf.length) {
      throw new InputError(`truncated: blob ${blobIndex} (${header.type}) needs ${header.dataSize} bytes at byte ${pos}, file ends at ${buf.length}`, { file });
    }
    const blob = buf.subarray(pos, pos + header.dataSize);
    pos += header.dataSize;
    const data = decodeOrFail(() => readBlob(blob), file, blobIndex, at);
    if (header.type === 'OSMHeader') {
      sawHeader = true;
      const features = decodeOrFail(() => readRequiredFeatures(data), file, blobIndex, at);
      const unsupported = features.filter((f) => f !== 'OsmSchema-V0.6' && f !== 'DenseNodes');
      if (unsupported.length) throw new InputError(`requires unsupported PBF features: ${unsupported.join(', ')}`, { file });
    } else if (header.type === 'OSMData') {
      if (!sawHeader) throw new InputError(`not an OSM PBF file: data blob ${blobIndex} before the OSMHeader blob`, { file });
      decodeOrFail(() => readPrimitiveBlock(data, nodeIds, nodeLon, nodeLat, nodeTagsById, ways, relations), file, blobIndex, at);
    }
    blobIndex++;
  }
  if (!sawHeader) throw new InputError('not an OSM PBF file: no OSMHeader blob', { file });

  // Dense node indices: sort by id once (PBF files are usually sorted already) and map ids to
  // indices here, the one place in the code base that knows OSM node ids.
  const ids = nodeIds.toArray();
  let order: Uint32Array | null = null;
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] <= ids[i - 1]) {
      order = new Uint32Array(ids.length).map((_, k) => k).sort((a, b) => ids[a] - ids[b]);
      break;
    }
  }
  const lon = nodeLon.toArray();
  const lat = nodeLat.toArray();
  const sortedIds = order ? Float64Array.from(order, (k) => ids[k]) : ids;
  const sortedLon = order ? Float64Array.from(order, (k) => lon[k]) : lon;
  const sortedLat = order ? Float64Array.from(order, (k) => lat[k]) : lat;
  const indexOf = (id: number) => binarySearch(sortedIds, id);

  const nodeTags = new Map<number, Tags>();
  for (const [id, tags] of nodeTagsById) nodeTags.set(indexOf(id), tags);

  let refCount = 0;
  for (const w of ways) refCount += w.refs.length;
  const wayRefOffsets = new Int32Array(ways.length + 1);
  const wayRefs = new Int32Array(refCount);
  const wayIds = new Float64Array(ways.length);
  let k = 0;
  ways.forEach((w, i) => {
    wayIds[i] = w.id;
    wayRefOffsets[i] = k;
    for (const ref of w.refs) wayRefs[k++] = indexOf(ref);
  });
  wayRefOffsets[ways.length] = k;

  return {
    nodeIds: sortedIds,
    nodeLon: sortedLon,
    nodeLat: sortedLat,
    nodeTags,
    wayIds,
    wayRefOffsets,
    wayRefs,
    wayTags: ways.map((w) => w.tags),
    relationIds: relations.map((r) => r.id),
    relationTags: relations.map((r) => r.tags),
    relationMembers: relations.map((r) => r.members),
  };
}

/** Index of `id` in the ascending array, or -1. */
export function binarySearch(ids: Float64Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid];
    if (v < id) lo = mid + 1;
    else if (v > id) hi = mid - 1;
    else return mid;
  }
  return -1;
}

function decodeOrFail<T>(fn: () => T, file: string, blobIndex: number, at: number): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`corrupt blob ${blobIndex} at byte ${at}: ${(err as Error).message}`, { file });
  }
}

function readBlobHeader(bytes: Uint8Array) {
  return new PbfReader(bytes).readFields(
    (tag, h, pbf) => {
      if (tag === 1) h.type = pbf.readString();
      else if (tag === 3) h.dataSize = pbf.readVarint();
    },
    { type: '', dataSize: -1 },
  );
}

function readBlob(bytes: Uint8Array): Uint8Array {
  const blob = new PbfReader(bytes).readFields(
    (tag, b, pbf) => {
      if (tag === 1) b.raw = pbf.readBytes();
      else if (tag === 3) b.zlib = pbf.readBytes();
      else if (tag === 4 || tag === 6 || tag === 7) b.other = tag;
    },
    { raw: null as Uint8Array | null, zlib: null as Uint8Array | null, other: 0 },
  );
  if (blob.raw) return blob.raw;
  // bounded: a few kilobytes of zlib can claim gigabytes (a "zip bomb"); the format allows 32 MiB
  if (blob.zlib) {
    try {
      return inflateSync(blob.zlib, { maxOutputLength: MAX_BLOB_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error("its data inflates to more than the format's 32 MiB");
      throw err;
    }
  }
  if (blob.other) throw new Error(`compression ${blob.other === 4 ? 'lzma' : blob.other === 7 ? 'zstd' : 'lz4'} is not supported; recompress with zlib (osmium cat -f pbf)`);
  throw new Error('blob has no data');
}

function readRequiredFeatures(bytes: Uint8Array): string[] {
  return new PbfReader(bytes).readFields(
    (tag, out, pbf) => {
      if (tag === 4) out.push(pbf.readString());
    },
    [] as string[],
  );
}

function readPrimitiveBlock(
  bytes: Uint8Array,
  nodeIds: Float64List,
  nodeLon: Float64List,
  nodeLat: Float64List,
  nodeTags: Map<number, Tags>,
  ways: Array<{ id: number; refs: number[]; tags: Tags }>,
  relations: Array<{ id: number; tags: Tags; members: OsmRelationMember[] }>,
) {
  const pbf = new PbfReader(bytes);
  const block: Block = { strings: [], granularity: 100, latOffset: 0, lonOffset: 0, groups: [] };
  pbf.readFields((tag, b, p) => {
    if (tag === 1) {
      const end = p.readVarint() + p.pos;
      const decoder = new TextDecoder();
      p.readFields((t, s, q) => {
        if (t === 1) s.push(decoder.decode(q.readBytes()));
      }, b.strings, end);
    } else if (tag === 2) {
      const len = p.readVarint();
      b.groups.push({ start: p.pos, end: p.pos + len });
      p.pos += len;
    } else if (tag === 17) b.granularity = p.readVarint();
    else if (tag === 19) b.latOffset = p.readVarint(true);
    else if (tag === 20) b.lonOffset = p.readVarint(true);
  }, block);

  const { strings, granularity, latOffset, lonOffset } = block;
  const str = (i: number) => {
    const s = strings[i];
    if (s === undefined) throw new Error(`string index ${i} outside the string table`);
    return s;
  };
  const toLat = (v: number) => 1e-9 * (latOffset + granularity * v);
  const toLon = (v: number) => 1e-9 * (lonOffset + granularity * v);
  const tagsOf = (keys: number[], vals: number[]) => {
    const tags: Tags = {};
    for (let i = 0; i < keys.length; i++) tags[str(keys[i])] = str(vals[i]);
    return tags;
  };

  for (const g of block.groups) {
    pbf.pos = g.start;
    pbf.readFields((tag, _unused, p) => {
      if (tag === 1) {
        const n = p.readMessage((t, m, q) => {
          if (t === 1) m.id = q.readSVarint();
          else if (t === 2) q.readPackedVarint(m.keys);
          else if (t === 3) q.readPackedVarint(m.vals);
          else if (t === 8) m.lat = q.readSVarint();
          else if (t === 9) m.lon = q.readSVarint();
        }, { id: 0, keys: [] as number[], vals: [] as number[], lat: 0, lon: 0 });
        nodeIds.push(n.id);
        nodeLat.push(toLat(n.lat));
        nodeLon.push(toLon(n.lon));
        if (n.keys.length) nodeTags.set(n.id, tagsOf(n.keys, n.vals));
      } else if (tag === 2) {
        const d = p.readMessage((t, m, q) => {
          if (t === 1) q.readPackedSVarint(m.ids);
          else if (t === 8) q.readPackedSVarint(m.lats);
          else if (t === 9) q.readPackedSVarint(m.lons);
          else if (t === 10) q.readPackedVarint(m.keysVals, true);
        }, { ids: [] as number[], lats: [] as number[], lons: [] as number[], keysVals: [] as number[] });
        if (d.lats.length !== d.ids.length || d.lons.length !== d.ids.length) throw new Error('dense nodes have unequal id/lat/lon counts');
        let id = 0;
        let lat = 0;
        let lon = 0;
        let kv = 0;
        for (let i = 0; i < d.ids.length; i++) {
          id += d.ids[i];
          lat += d.lats[i];
          lon += d.lons[i];
          nodeIds.push(id);
          nodeLat.push(toLat(lat));
          nodeLon.push(toLon(lon));
          if (kv < d.keysVals.length) {
            let tags: Tags | null = null;
            while (kv < d.keysVals.length && d.keysVals[kv] !== 0) {
              tags ??= {};
              tags[str(d.keysVals[kv])] = str(d.keysVals[kv + 1]);
              kv += 2;
            }
            kv++; // the 0 that ends this node's tags
            if (tags) nodeTags.set(id, tags);
          }
        }
      } else if (tag === 3) {
        const w = p.readMessage((t, m, q) => {
          if (t === 1) m.id = q.readVarint();
          else if (t === 2) q.readPackedVarint(m.keys);
          else if (t === 3) q.readPackedVarint(m.vals);
          else if (t === 8) q.readPackedSVarint(m.refs);
        }, { id: 0, keys: [] as number[], vals: [] as number[], refs: [] as number[] });
        for (let i = 1; i < w.refs.length; i++) w.refs[i] += w.refs[i - 1];
        ways.push({ id: w.id, refs: w.refs, tags: tagsOf(w.keys, w.vals) });
      } else if (tag === 4) {
        const r = p.readMessage((t, m, q) => {
          if (t === 1) m.id = q.readVarint();
          else if (t === 2) q.readPackedVarint(m.keys);
          else if (t === 3) q.readPackedVarint(m.vals);
          else if (t === 8) q.readPackedVarint(m.roles, true);
          else if (t === 9) q.readPackedSVarint(m.memids);
          else if (t === 10) q.readPackedVarint(m.types);
        }, { id: 0, keys: [] as number[], vals: [] as number[], roles: [] as number[], memids: [] as number[], types: [] as number[] });
        let ref = 0;
        const members: OsmRelationMember[] = r.memids.map((delta, i) => {
          ref += delta;
          const type = MEMBER_TYPES[r.types[i]];
          if (!type) throw new Error(`relation ${r.id} has a member of unknown type ${r.types[i]}`);
          return { type, ref, role: str(r.roles[i]) };
        });
        relations.push({ id: r.id, tags: tagsOf(r.keys, r.vals), members });
      }
    }, null, g.end);
  }
}
