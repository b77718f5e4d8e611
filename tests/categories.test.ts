import { describe, expect, it } from 'vitest';
import { errorOf } from './helpers/errors.ts';
import { listCategories, loadCategories, matchCategory, parseCategories } from '../server/ingest/categories.ts';


const mapping = loadCategories();

/** A minimal valid entry, changed one field at a time by the refusal tests. */
const entry = (over: Record<string, unknown> = {}) => ({ id: 'health', zh: '医疗卫生', en: 'Health', match: [{ amenity: 'clinic' }], ...over });

describe('the bundled mapping', () => {
  it('lists the documented categories in matching order with their Chinese and English names', () => {
    expect(listCategories(mapping)).toEqual([
      { id: 'elderly_care', zh: '养老服务', en: 'Elderly care' },
      { id: 'community_service', zh: '社区服务', en: 'Community service' },
      { id: 'pharmacy', zh: '药店', en: 'Pharmacy' },
      { id: 'health', zh: '医疗卫生', en: 'Health' },
      { id: 'childcare', zh: '幼儿园/托育', en: 'Kindergarten and childcare' },
      { id: 'school', zh: '学校', en: 'School' },
      { id: 'culture', zh: '文化', en: 'Culture' },
    ]);
  });

  it('says where the mapping comes from', () => {
    expect(mapping.source).toContain('docs/domain.md');
  });

  it('puts nursing homes and elderly social facilities in elderly care', () => {
    expect(matchCategory({ amenity: 'nursing_home' }, mapping)).toBe('elderly_care');
    expect(matchCategory({ amenity: 'social_facility', social_facility: 'day_care' }, mapping)).toBe('elderly_care');
    expect(matchCategory({ amenity: 'social_facility', social_facility: 'group_home' }, mapping)).toBe('elderly_care');
    expect(matchCategory({ amenity: 'social_facility', 'social_facility:for': 'senior' }, mapping)).toBe('elderly_care');
  });

  it('leaves a social facility with no elderly tag uncategorised', () => {
    expect(matchCategory({ amenity: 'social_facility', social_facility: 'shelter' }, mapping)).toBeNull();
    expect(matchCategory({ amenity: 'social_facility' }, mapping)).toBeNull();
  });

  it('needs every key of one alternative to match', () => {
    expect(matchCategory({ social_facility: 'nursing_home' }, mapping)).toBeNull();
  });

  it('gives a community centre to community service, not to culture', () => {
    expect(matchCategory({ amenity: 'community_centre' }, mapping)).toBe('community_service');
    expect(matchCategory({ office: 'government', name: '太阳岛街道办事处' }, mapping)).toBe('community_service');
    expect(matchCategory({ amenity: 'library' }, mapping)).toBe('culture');
  });

  it('treats amenity=hospital with healthcare=hospital as one health facility', () => {
    expect(matchCategory({ amenity: 'hospital', healthcare: 'hospital' }, mapping)).toBe('health');
  });

  it('counts any healthcare value but pharmacy as health, because pharmacy is tried first', () => {
    expect(matchCategory({ healthcare: 'dentist' }, mapping)).toBe('health');
    expect(matchCategory({ healthcare: 'pharmacy', amenity: 'pharmacy' }, mapping)).toBe('pharmacy');
    expect(matchCategory({ healthcare: 'pharmacy' }, mapping)).toBe('pharmacy');
  });

  it('does not let "*" match an empty value', () => {
    expect(matchCategory({ healthcare: '' }, mapping)).toBeNull();
  });

  it('sorts kindergartens, childcare and schools', () => {
    expect(matchCategory({ amenity: 'kindergarten' }, mapping)).toBe('childcare');
    expect(matchCategory({ amenity: 'childcare' }, mapping)).toBe('childcare');
    expect(matchCategory({ amenity: 'school' }, mapping)).toBe('school');
  });

  it('returns null for tags of no category', () => {
    expect(matchCategory({ amenity: 'parking' }, mapping)).toBeNull();
    expect(matchCategory({}, mapping)).toBeNull();
  });
});

describe('validating a mapping', () => {
  it('refuses a file whose ids repeat, naming the file and the second entry', () => {
    expect(errorOf(() => loadCategories('tests/fixtures/ingest/categories-duplicate.json'))).toBe(
      'categories-duplicate.json, feature 2 ("health"), field "id": duplicate category id "health"',
    );
  });

  it('refuses a missing file, naming it', () => {
    expect(errorOf(() => loadCategories('tests/fixtures/ingest/no-such-categories.json'))).toMatch(
      /^no-such-categories\.json: cannot read the category mapping: ENOENT/,
    );
  });

  it('refuses a category with an empty match list', () => {
    expect(errorOf(() => parseCategories({ source: 's', categories: [entry({ match: [] })] }, 'my.json'))).toBe(
      'my.json, feature 1 ("health"), field "match": expected a non-empty list of tag alternatives',
    );
  });

  it('refuses an alternative with no keys', () => {
    expect(errorOf(() => parseCategories({ source: 's', categories: [entry({ match: [{}] })] }, 'my.json'))).toBe(
      'my.json, feature 1 ("health"), field "match": alternative 1 must be an object of at least one tag key',
    );
  });

  it('refuses a tag value that is neither a string nor a list of strings', () => {
    expect(errorOf(() => parseCategories({ source: 's', categories: [entry({ match: [{ amenity: 3 }] })] }, 'my.json'))).toBe(
      'my.json, feature 1 ("health"), field "match": alternative 1, key "amenity": expected a tag value, a list of values or "*"',
    );
  });

  it('refuses an unknown key such as a misspelt "matches"', () => {
    expect(errorOf(() => parseCategories({ source: 's', categories: [entry({ matches: [] })] }, 'my.json'))).toBe(
      'my.json, feature 1 ("health"), field "matches": unknown key; allowed keys are id, zh, en, match, capacityTags',
    );
  });

  it('refuses an entry that is not an object', () => {
    expect(errorOf(() => parseCategories({ source: 's', categories: [entry(), 'school'] }, 'my.json'))).toBe(
      'my.json, feature 2: expected an object with id, zh, en and match',
    );
  });

  it('refuses an id with spaces or capitals', () => {
    expect(errorOf(() => parseCategories({ source: 's', categories: [entry({ id: 'Elderly care' })] }, 'my.json'))).toBe(
      'my.json, feature 1 ("Elderly care"), field "id": the id must be lower-case letters, digits and _, starting with a letter',
    );
  });

  it('refuses a mapping without a source note', () => {
    expect(errorOf(() => parseCategories({ categories: [entry()] }, 'my.json'))).toBe(
      'my.json, field "source": a "source" note saying where the mapping comes from is required',
    );
  });

  it('refuses something that is not a mapping at all', () => {
    expect(errorOf(() => parseCategories([entry()], 'my.json'))).toBe('my.json: expected an object with a "categories" list');
  });

  it('defaults capacityTags to an empty list', () => {
    expect(parseCategories({ source: 's', categories: [entry()] }).categories[0].capacityTags).toEqual([]);
  });
});
