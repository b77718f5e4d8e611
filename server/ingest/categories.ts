/**
 * The editable tags → facility category mapping (data/categories.json): load, validate, match.
 * The mapping is data so planners can change it without touching code; this file only checks its
 * shape and applies it, first matching category wins.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError, type Where } from '../errors.ts';
import type { Tags } from './pbf.ts';
import { checkUtf8Text, shown } from './text.ts';

/** One alternative: every key must be present with an allowed value; "*" allows any non-empty value. */
export type TagMatch = Record<string, string | string[]>;

export interface Category {
  id: string;
  zh: string;
  en: string;
  match: TagMatch[];
  /** Tags read, in order, for beds or places; the first numeric one wins. */
  capacityTags: string[];
}

export interface CategoryMapping {
  /** Where the mapping comes from, shown to users next to the categories. */
  source: string;
  categories: Category[];
}

/** The bundled mapping, data/categories.json. */
export const DEFAULT_CATEGORIES_PATH = fileURLToPath(new URL('../../data/categories.json', import.meta.url));

const CATEGORY_KEYS = new Set(['id', 'zh', 'en', 'match', 'capacityTags']);
const ID_PATTERN = /^[a-z][a-z0-9_]*$/;

/**
 * Read and validate a categories file.
 * @throws InputError naming the file and the bad entry.
 */
export function loadCategories(path = DEFAULT_CATEGORIES_PATH): CategoryMapping {
  const file = path.split(/[\\/]/).pop() ?? path;
  let text: string;
  let json: unknown;
  try {
    text = readFileSync(path, 'utf8');
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`cannot read the category mapping: ${(err as Error).message}`, { file });
  }
  checkUtf8Text(text, file);
  return parseCategories(json, file);
}

/**
 * Validate an already-parsed mapping. `file` only names the input in error messages.
 * @throws InputError for an unknown shape, a duplicate id or an empty match list.
 */
export function parseCategories(json: unknown, file = 'categories.json'): CategoryMapping {
  if (!isObject(json) || !Array.isArray(json.categories)) {
    throw new InputError('expected an object with a "categories" list', { file });
  }
  if (typeof json.source !== 'string' || json.source.trim() === '') {
    throw new InputError('a "source" note saying where the mapping comes from is required', { file, field: 'source' });
  }
  if (json.categories.length === 0) throw new InputError('the "categories" list is empty', { file, field: 'categories' });
  const seen = new Set<string>();
  const categories = json.categories.map((entry: unknown, i: number) => {
    const category = parseCategory(entry, i, file);
    if (seen.has(category.id)) {
      throw new InputError(`duplicate category id "${category.id}"`, { file, feature: entryName(i, entry), field: 'id' });
    }
    seen.add(category.id);
    return category;
  });
  return { source: json.source, categories };
}

function parseCategory(entry: unknown, i: number, file: string): Category {
  const feature = entryName(i, entry);
  if (!isObject(entry)) throw new InputError('expected an object with id, zh, en and match', { file, feature });
  for (const key of Object.keys(entry)) {
    if (!CATEGORY_KEYS.has(key)) {
      throw new InputError(`unknown key; allowed keys are ${[...CATEGORY_KEYS].join(', ')}`, { file, feature, field: key });
    }
  }
  if (typeof entry.id !== 'string' || !ID_PATTERN.test(entry.id)) {
    throw new InputError('the id must be lower-case letters, digits and _, starting with a letter', { file, feature, field: 'id' });
  }
  for (const field of ['zh', 'en'] as const) {
    if (typeof entry[field] !== 'string' || entry[field].trim() === '') {
      throw new InputError('a non-empty name is required', { file, feature, field });
    }
  }
  if (!Array.isArray(entry.match) || entry.match.length === 0) {
    throw new InputError('expected a non-empty list of tag alternatives', { file, feature, field: 'match' });
  }
  const match = entry.match.map((alt: unknown, k: number) => {
    if (!isObject(alt) || Object.keys(alt).length === 0) {
      throw new InputError(`alternative ${k + 1} must be an object of at least one tag key`, { file, feature, field: 'match' });
    }
    for (const [key, value] of Object.entries(alt)) {
      const ok =
        (typeof value === 'string' && value !== '') ||
        (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== ''));
      if (!ok) {
        throw new InputError(`alternative ${k + 1}, key "${key}": expected a tag value, a list of values or "*"`, {
          file,
          feature,
          field: 'match',
        });
      }
    }
    return alt as TagMatch;
  });
  const capacityTags = entry.capacityTags ?? [];
  if (!Array.isArray(capacityTags) || !capacityTags.every((t) => typeof t === 'string' && t !== '')) {
    throw new InputError('expected a list of tag keys', { file, feature, field: 'capacityTags' });
  }
  return { id: entry.id, zh: entry.zh as string, en: entry.en as string, match, capacityTags };
}

/** `3 ("health")` for the third entry: the number to find it, the id to recognise it. */
function entryName(i: number, entry: unknown): string {
  return isObject(entry) && typeof entry.id === 'string' ? `${i + 1} ("${entry.id}")` : String(i + 1);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function matchesAlternative(tags: Tags, alt: TagMatch): boolean {
  for (const key in alt) {
    const value = tags[key];
    if (value === undefined || value === '') return false;
    const allowed = alt[key];
    if (allowed === '*') continue;
    if (Array.isArray(allowed) ? !allowed.includes(value) : allowed !== value) return false;
  }
  return true;
}

/**
 * The id of the first category whose any alternative matches the tags, or null.
 * @example matchCategory({ amenity: 'hospital', healthcare: 'hospital' }, mapping) // 'health'
 */
export function matchCategory(tags: Tags, mapping: CategoryMapping): string | null {
  for (const category of mapping.categories) {
    if (category.match.some((alt) => matchesAlternative(tags, alt))) return category.id;
  }
  return null;
}

/** Category ids with their Chinese and English names, in mapping order (for menus and legends). */
export function listCategories(mapping: CategoryMapping): Array<{ id: string; zh: string; en: string }> {
  return mapping.categories.map(({ id, zh, en }) => ({ id, zh, en }));
}

/**
 * Check a category id given in an import file.
 * @throws InputError naming where it was found, the value and the known ids.
 */
export function requireCategory(
  value: unknown,
  mapping: CategoryMapping,
  where: Where,
): string {
  const id = typeof value === 'string' ? value.trim() : value;
  if (typeof id === 'string' && mapping.categories.some((c) => c.id === id)) return id;
  const known = mapping.categories.map((c) => c.id).join(', ');
  const problem = id === undefined || id === null || id === '' ? 'no category given' : `unknown category ${shown(value)}`;
  throw new InputError(`${problem}; known categories are ${known}`, where);
}
