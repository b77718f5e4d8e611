import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { osmBoundaries, parsePopulation } from '../server/ingest/boundaries.ts';
import { readPbf, type OsmData } from '../server/ingest/pbf.ts';
import { osmFixture, wayMembers } from './fixtures/osm/build.ts';

const admin8 = { type: 'boundary', boundary: 'administrative', admin_level: '8' };

describe('osmBoundaries on hand-built relations', () => {
  it('joins a ring from two ways when one runs the other way, and winds the outer ring counter-clockwise', () => {
    const osm = osmFixture({
      nodes: [
        [1, 0, 0],
        [2, 0.01, 0],
        [3, 0.01, 0.01],
        [4, 0, 0.01],
      ],
      ways: [
        { id: 10, refs: [1, 2, 3] },
        { id: 11, refs: [1, 4, 3] },
      ],
      relations: [
        {
          id: 100,
          tags: { ...admin8, name: 'Fangkuai', 'name:zh': '方块街道', population: '1,234', division_code: '230103018000' },
          members: [...wayMembers('outer', 11), { type: 'node', ref: 1, role: 'admin_centre' }, ...wayMembers('', 10)],
        },
      ],
    });
    expect(osmBoundaries(osm)).toEqual({
      communities: [
        {
          id: 'osm:r100',
          name: '方块街道',
          source: 'osm',
          population: 1234,
          elderly: null,
          code: '230103018000',
          polygon: [
            [
              [
                [0, 0],
                [0.01, 0],
                [0.01, 0.01],
                [0, 0.01],
                [0, 0],
              ],
            ],
          ],
        },
      ],
      notes: [],
    });
  });

  it('joins three ways listed out of order, one of them reversed', () => {
    const osm = osmFixture({
      nodes: [
        [1, 0, 0],
        [2, 0.01, 0],
        [3, 0.02, 0.01],
        [4, 0.01, 0.02],
        [5, 0, 0.02],
        [6, -0.01, 0.01],
      ],
      ways: [
        { id: 20, refs: [1, 2] },
        { id: 21, refs: [3, 2] },
        { id: 22, refs: [3, 4, 5, 6, 1] },
      ],
      relations: [{ id: 101, tags: { ...admin8, name: 'Liubian', population: '500' }, members: wayMembers('outer', 22, 20, 21) }],
    });
    const { communities, notes } = osmBoundaries(osm);
    expect(notes).toEqual([]);
    expect(communities.map((c) => [c.name, c.polygon])).toEqual([
      [
        'Liubian',
        [
          [
            [
              [0.02, 0.01],
              [0.01, 0.02],
              [0, 0.02],
              [-0.01, 0.01],
              [0, 0],
              [0.01, 0],
              [0.02, 0.01],
            ],
          ],
        ],
      ],
    ]);
  });

  it('nests an inner ring into the outer ring that holds it and winds holes clockwise', () => {
    const osm = osmFixture({
      nodes: [
        // outer A, drawn clockwise
        [11, 0, 0],
        [12, 0, 0.03],
        [13, 0.03, 0.03],
        [14, 0.03, 0],
        // the hole in A, drawn counter-clockwise in two ways
        [15, 0.01, 0.01],
        [16, 0.02, 0.01],
        [17, 0.02, 0.02],
        [18, 0.01, 0.02],
        // outer B, an exclave east of A
        [21, 0.05, 0],
        [22, 0.06, 0],
        [23, 0.06, 0.01],
        [24, 0.05, 0.01],
      ],
      ways: [
        { id: 30, refs: [11, 12, 13, 14, 11] },
        { id: 31, refs: [15, 16, 17] },
        { id: 32, refs: [17, 18, 15] },
        { id: 33, refs: [21, 22, 23, 24, 21] },
      ],
      relations: [
        { id: 200, tags: { ...admin8, name: 'Youdong', population: '900' }, members: [...wayMembers('inner', 31), ...wayMembers('outer', 33, 30), ...wayMembers('inner', 32)] },
      ],
    });
    const { communities, notes } = osmBoundaries(osm);
    expect(notes).toEqual([]);
    expect(communities[0].polygon).toEqual([
      [
        [
          [0.05, 0],
          [0.06, 0],
          [0.06, 0.01],
          [0.05, 0.01],
          [0.05, 0],
        ],
      ],
      [
        [
          [0, 0],
          [0.03, 0],
          [0.03, 0.03],
          [0, 0.03],
          [0, 0],
        ],
        [
          [0.01, 0.01],
          [0.01, 0.02],
          [0.02, 0.02],
          [0.02, 0.01],
          [0.01, 0.01],
        ],
      ],
    ]);
  });

  it('reports a ring that cannot close by the relation name and id, and makes no community from it', () => {
    const osm = osmFixture({
      nodes: [
        [31, 0, 0],
        [32, 0.01, 0],
        [33, 0, 0.01],
      ],
      ways: [
        { id: 40, refs: [31, 32, 99] }, // node 99 lies outside the extract
        { id: 41, refs: [33, 31] },
      ],
      relations: [{ id: 300, tags: { ...admin8, name: '断环街道', population: '800' }, members: wayMembers('outer', 40, 41, 42) }],
    });
    expect(osmBoundaries(osm)).toEqual({
      communities: [],
      notes: [
        {
          kind: 'unclosed_ring',
          subject: 'osm:r300',
          message: '断环街道 (osm:r300): 1 ring cannot be closed (1 member way cut by the extract edge, 1 member way missing from the extract); 0 closed outer rings kept',
        },
        { kind: 'boundary_skipped', subject: 'osm:r300', message: '断环街道 (osm:r300): no closed outer ring, so no community is made from it' },
      ],
    });
  });

  it('keeps the closed part of a cut boundary without its population, which counts the whole', () => {
    const osm = osmFixture({
      nodes: [
        [1, 0, 0],
        [2, 0.01, 0],
        [3, 0.01, 0.01],
        [4, 0.02, 0],
        [5, 0.03, 0],
      ],
      ways: [
        { id: 50, refs: [1, 2, 3, 1] },
        { id: 51, refs: [4, 5, 6] },
      ],
      relations: [{ id: 400, tags: { ...admin8, name: '半截街道', population: '17159' }, members: wayMembers('outer', 50, 51) }],
    });
    const { communities, notes } = osmBoundaries(osm);
    expect(communities.map((c) => [c.id, c.population, c.polygon.length])).toEqual([['osm:r400', null, 1]]);
    expect(notes).toEqual([
      {
        kind: 'unclosed_ring',
        subject: 'osm:r400',
        message: '半截街道 (osm:r400): 1 ring cannot be closed (1 member way cut by the extract edge); 1 closed outer ring kept',
      },
      {
        kind: 'partial_boundary',
        subject: 'osm:r400',
        message: '半截街道 (osm:r400): only part of it is inside the extract; its population 17159 counts the whole, so the part kept gets no residents',
      },
    ]);
  });

  it('reports a population that is not a whole number and one that is missing, leaving population null', () => {
    const triangle = (first: number) => ({
      nodes: [
        [first, 0, 0],
        [first + 1, 0.01, 0],
        [first + 2, 0, 0.01],
      ] as Array<[number, number, number]>,
      way: { id: first, refs: [first, first + 1, first + 2, first] },
    });
    const a = triangle(1);
    const b = triangle(11);
    const osm = osmFixture({
      nodes: [...a.nodes, ...b.nodes],
      ways: [a.way, b.way],
      relations: [
        { id: 501, tags: { ...admin8, name: '甲', population: 'about 5000' }, members: wayMembers('outer', 1) },
        { id: 502, tags: { ...admin8, name: '乙' }, members: wayMembers('outer', 11) },
      ],
    });
    const { communities, notes } = osmBoundaries(osm);
    expect(communities.map((c) => [c.name, c.population])).toEqual([
      ['甲', null],
      ['乙', null],
    ]);
    expect(notes).toEqual([
      { kind: 'bad_population', subject: 'osm:r501', message: '甲 (osm:r501): population "about 5000" is not a whole number up to 100,000,000; the community gets no residents' },
      { kind: 'no_population', subject: 'osm:r502', message: '乙 (osm:r502): no population tag; the community gets no residents' },
    ]);
  });

  it('takes only relations at the admin level asked for', () => {
    const osm = osmFixture({
      nodes: [
        [1, 0, 0],
        [2, 0.01, 0],
        [3, 0, 0.01],
      ],
      ways: [{ id: 1, refs: [1, 2, 3, 1] }],
      relations: [
        { id: 601, tags: { ...admin8, name: 'street', population: '10' }, members: wayMembers('outer', 1) },
        { id: 602, tags: { ...admin8, admin_level: '6', name: 'district', population: '20' }, members: wayMembers('outer', 1) },
        { id: 603, tags: { type: 'multipolygon', landuse: 'residential', admin_level: '8', name: 'estate' }, members: wayMembers('outer', 1) },
      ],
    });
    expect(osmBoundaries(osm).communities.map((c) => c.name)).toEqual(['street']);
    expect(osmBoundaries(osm, { adminLevel: 6 }).communities.map((c) => c.name)).toEqual(['district']);
  });
});

describe('parsePopulation', () => {
  it('reads digits with or without thousands separators and rejects anything else', () => {
    expect(['77544', ' 77544 ', '77,544', '1,234,567', '77 544', '0'].map(parsePopulation)).toEqual([77544, 77544, 77544, 1234567, 77544, 0]);
    expect(['', 'about 5000', '5000 (2010)', '12.5', '-3', '1,23', '100,000,001', '9'.repeat(400)].map(parsePopulation)).toEqual([null, null, null, null, null, null, null, null]);
  });
});

describe('osmBoundaries on the Harbin sample', () => {
  let osm: OsmData;
  beforeAll(() => {
    osm = readPbf(readFileSync(new URL('../data/harbin/harbin.osm.pbf', import.meta.url)));
  });

  /**
   * A plain count, independent of the ring assembly: a relation closes when every member way is in the extract with
   * all its nodes and every way end node is shared by an even number of way ends.
   */
  function plainlyClosed(osm: OsmData): Map<string, string | undefined> {
    const wayById = new Map<number, number>();
    osm.wayIds.forEach((id, w) => wayById.set(id, w));
    const closed = new Map<string, string | undefined>();
    osm.relationIds.forEach((id, r) => {
      const tags = osm.relationTags[r];
      if (tags.boundary !== 'administrative' || tags.admin_level !== '8') return;
      const endCount = new Map<number, number>();
      let complete = true;
      for (const m of osm.relationMembers[r]) {
        if (m.type !== 'way') continue;
        const w = wayById.get(m.ref);
        if (w === undefined) {
          complete = false;
          continue;
        }
        const refs = osm.wayRefs.subarray(osm.wayRefOffsets[w], osm.wayRefOffsets[w + 1]);
        if (refs.includes(-1)) complete = false;
        for (const end of [refs[0], refs[refs.length - 1]]) endCount.set(end, (endCount.get(end) ?? 0) + 1);
      }
      if (complete && [...endCount.values()].every((n) => n % 2 === 0)) closed.set(`osm:r${id}`, tags.population);
    });
    return closed;
  }

  it('closes the 77 sub-districts a plain count finds complete, plus the closed fragment of one cut at the edge', () => {
    const { communities, notes } = osmBoundaries(osm);
    const plain = plainlyClosed(osm);
    expect(plain.size).toBe(77);
    const reported = new Set(notes.filter((n) => n.kind === 'unclosed_ring').map((n) => n.subject));
    expect(communities.filter((c) => !reported.has(c.id)).map((c) => c.id)).toEqual([...plain.keys()]);
    expect(communities.filter((c) => reported.has(c.id)).map((c) => c.name)).toEqual(['新香坊街道']);
    expect(reported.size).toBe(93 - 77);
  });

  it('names the 15 boundaries that cannot close and makes no community from them', () => {
    const skipped = osmBoundaries(osm).notes.filter((n) => n.kind === 'boundary_skipped').map((n) => n.message.split(' ')[0]);
    expect(skipped).toEqual([
      '朝阳镇',
      '黎明街道',
      '幸福镇',
      '新发镇',
      '群力乡',
      '松北街道',
      '松浦街道',
      '太阳岛街道',
      '王岗镇',
      '跃进街道办事处',
      '民主乡',
      '团结镇',
      '水泥路街道办事处',
      '松祥街道',
      '船口街道',
    ]);
  });

  it('carries the population of the 74 closed sub-districts that have one, 3,347,851 in all', () => {
    const { communities } = osmBoundaries(osm);
    const plain = [...plainlyClosed(osm).values()].filter((p): p is string => p !== undefined);
    const withPopulation = communities.filter((c) => c.population !== null);
    expect(withPopulation.length).toBe(plain.length);
    expect(withPopulation.length).toBe(74);
    expect(withPopulation.reduce((s, c) => s + c.population!, 0)).toBe(plain.reduce((s, p) => s + Number(p), 0));
    expect(withPopulation.reduce((s, c) => s + c.population!, 0)).toBe(3_347_851);
  });
});
