/**
 * Planning standards profiles (data/standards/*.json): every rule the checks use — life-circle
 * tiers, walking speeds, facility requirements, supply norms, joint-community and grid sizes —
 * with the document, clause and source label it comes from. A city's profile may `extends` another
 * and override any rule by id. The loader refuses a bad file naming the rule and the field.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { checkUtf8Text, shown } from './text.ts';

export const DEFAULT_PROFILE_PATH = fileURLToPath(new URL('../../data/standards/default.json', import.meta.url));

const positive = z.number().positive({ message: 'must be a number above 0' });
const range = z
  .tuple([z.number().nonnegative({ message: 'must not be negative' }), z.number().nonnegative({ message: 'must not be negative' })])
  .refine(([lo, hi]) => lo <= hi, { message: 'the first number must not exceed the second' });
const source = z.strictObject({
  document: z.string().min(1, { message: 'must name the document' }),
  clause: z.string().min(1, { message: 'must name the clause (or where in the document)' }),
  label: z.enum(['P', 'S', 'L', 'D', 'C'], { message: 'must be P (official text), S (secondary summary), L (local rule), D (derived) or C (conjecture)' }),
});
const base = { id: z.string().min(1), source, enabled: z.boolean() };

const RULES = {
  tier: z.strictObject({ ...base, kind: z.literal('tier'), minutes: positive, distanceM: positive, residents: range, dwellings: range.nullable() }),
  walking_speed: z.strictObject({ ...base, kind: z.literal('walking_speed'), group: z.enum(['general', 'elderly']), mPerMin: positive.max(300, { message: 'must be a walking speed below 300 m/min' }) }),
  facility_requirement: z.strictObject({
    ...base, kind: z.literal('facility_requirement'), category: z.string().min(1), tierMinutes: positive, for: z.enum(['residents', 'elderly']),
    /** Share of the group that must be within the walk for the requirement to pass (default: everyone). */
    minShare: z.number().min(0, { message: 'must be a share from 0 to 1' }).max(1, { message: 'must be a share from 0 to 1' }).default(1),
  }),
  supply_norm: z.strictObject({
    ...base, kind: z.literal('supply_norm'), category: z.string().min(1), amount: positive, unit: z.string().min(1),
    per: z.enum(['residents', 'elderly', 'households']), perCount: positive, catchmentMinutes: positive,
  }),
  joint_community: z.strictObject({ ...base, kind: z.literal('joint_community'), residents: range, tierMinutes: positive, speed: z.enum(['general', 'elderly']) }),
  grid_size: z.strictObject({ ...base, kind: z.literal('grid_size'), households: range, maxResidents: positive }),
} as const;

export type RuleKind = keyof typeof RULES;
export type Rule = { [K in RuleKind]: z.infer<(typeof RULES)[K]> }[RuleKind];
export type RuleOf<K extends RuleKind> = Extract<Rule, { kind: K }>;

export interface Profile {
  name: string;
  /** What the file says about its rules (the meaning of the source labels); a child's replaces its parent's. */
  note: string | null;
  /** Files read, the base first. */
  files: string[];
  rules: Rule[];
}

/** The enabled rules of one kind. */
export function rulesOf<K extends RuleKind>(profile: Profile, kind: K): RuleOf<K>[] {
  return profile.rules.filter((r): r is RuleOf<K> => r.kind === kind && r.enabled);
}

/**
 * The walking speeds and life-circle tiers a profile sets (its enabled `walking_speed` and `tier`
 * rules); a group or the tiers it leaves out are undefined.
 */
export function profileAnalysis(profile: Profile): { speeds: { general?: number; elderly?: number }; tiers?: number[] } {
  const speeds: { general?: number; elderly?: number } = {};
  for (const r of rulesOf(profile, 'walking_speed')) speeds[r.group] = r.mPerMin;
  const tiers = rulesOf(profile, 'tier').map((t) => t.minutes).sort((a, b) => a - b);
  return { speeds, tiers: tiers.length ? tiers : undefined };
}

/**
 * The facility requirements and supply norms a city can be checked on: requirements whose tier is
 * among the computed tiers, and per-elderly supply norms whose catchment lies within the walksheds
 * (the longest tier at the fastest speed). Each rule left out comes back in `skipped` with why.
 */
export function complianceRules(profile: Profile, tiers: number[], speeds: { general: number; elderly: number }) {
  const skipped: Array<{ rule: string; message: string }> = [];
  const requirements = rulesOf(profile, 'facility_requirement').filter((r) => {
    if (tiers.includes(r.tierMinutes)) return true;
    skipped.push({ rule: r.id, message: `its ${r.tierMinutes}-minute tier is not among the computed tiers (${tiers.join(', ')})` });
    return false;
  });
  const walkshedM = Math.max(...tiers) * Math.max(speeds.general, speeds.elderly);
  const norms = rulesOf(profile, 'supply_norm').flatMap((n) => {
    if (n.per !== 'elderly') {
      skipped.push({ rule: n.id, message: `supply per ${n.per} needs facility sizes the inputs do not give` });
      return [];
    }
    const catchmentM = n.catchmentMinutes * speeds.elderly;
    if (catchmentM > walkshedM) {
      skipped.push({ rule: n.id, message: `its ${n.catchmentMinutes}-minute catchment reaches past the walksheds (${Math.round(walkshedM)} m)` });
      return [];
    }
    return [{ id: n.id, category: n.category, amount: n.amount, perCount: n.perCount, catchmentM }];
  });
  return { requirements, norms, skipped };
}

/**
 * Load a profile file (following `extends`, a file name beside it without `.json`).
 * `categories` are the known facility categories, checked in requirements and norms.
 * @throws InputError naming the file, the rule and the field.
 */
export function loadProfile(path = DEFAULT_PROFILE_PATH, categories?: string[], seen: string[] = []): Profile {
  const file = basename(path);
  if (seen.includes(path)) throw new InputError(`"extends" goes round in a circle: ${[...seen, path].map((p) => basename(p)).join(' → ')}`, { file });
  let text: string;
  let json: unknown;
  try {
    text = readFileSync(path, 'utf8');
    json = JSON.parse(text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code ? `cannot read the file (${code})` : `not JSON: ${(err as Error).message}`, { file });
  }
  checkUtf8Text(text, file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError('must be a JSON object with "name" and "rules"', { file });
  const top = json as { name?: unknown; note?: unknown; extends?: unknown; rules?: unknown };
  if (typeof top.name !== 'string' || !top.name) throw new InputError('must have a "name"', { file, field: 'name' });
  if (top.note !== undefined && typeof top.note !== 'string') throw new InputError('must be text', { file, field: 'note' });
  if (!Array.isArray(top.rules)) throw new InputError('"rules" must be a list', { file, field: 'rules' });
  if (top.extends !== undefined && typeof top.extends !== 'string') throw new InputError('must name a profile file', { file, field: 'extends' });

  const parent = typeof top.extends === 'string' ? loadProfile(join(dirname(path), `${top.extends}.json`), categories, [...seen, path]) : null;
  const rules: Rule[] = parent ? [...parent.rules] : [];
  const ids = new Set<string>();
  top.rules.forEach((raw, i) => {
    const at = (id?: unknown) => `rule ${i + 1}${typeof id === 'string' && id ? ` (${JSON.stringify(id)})` : ''}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('must be an object', { file, entry: at() });
    const r = raw as Record<string, unknown>;
    if (typeof r.id !== 'string' || !r.id) throw new InputError('every rule needs an "id"', { file, entry: at(), field: 'id' });
    if (ids.has(r.id)) throw new InputError('the id appears twice in the file', { file, entry: at(r.id), field: 'id' });
    ids.add(r.id);
    // an override names a parent rule's id and gives only what changes
    const inherited = rules.findIndex((x) => x.id === r.id);
    const merged = inherited >= 0 ? { ...rules[inherited], ...r } : r;
    const kind = merged.kind;
    if (typeof kind !== 'string' || !(kind in RULES)) {
      throw new InputError(`unknown rule kind ${shown(kind)}; known: ${Object.keys(RULES).join(', ')}`, { file, entry: at(r.id), field: 'kind' });
    }
    const parsed = RULES[kind as RuleKind].safeParse(merged);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(issue.message, { file, entry: at(r.id), field: issue.path.join('.') || undefined });
    }
    const rule = parsed.data as Rule;
    if (categories && 'category' in rule && !categories.includes(rule.category)) {
      throw new InputError(`unknown category "${rule.category}"; known: ${categories.join(', ')}`, { file, entry: at(r.id), field: 'category' });
    }
    if (inherited >= 0) rules[inherited] = rule;
    else rules.push(rule);
  });

  // requirements and joint communities refer to tiers that must exist
  const tiers = new Set(rules.filter((r) => r.kind === 'tier' && r.enabled).map((r) => (r as RuleOf<'tier'>).minutes));
  rules.forEach((r) => {
    if ((r.kind === 'facility_requirement' || r.kind === 'joint_community') && r.enabled && !tiers.has(r.tierMinutes)) {
      throw new InputError(`no enabled tier of ${r.tierMinutes} minutes; tiers: ${[...tiers].join(', ') || 'none'}`, { file, entry: `rule "${r.id}"`, field: 'tierMinutes' });
    }
  });
  for (const group of ['general', 'elderly'] as const) {
    if (!rules.some((r) => r.kind === 'walking_speed' && r.enabled && r.group === group)) {
      throw new InputError(`no enabled walking_speed rule for the ${group} group`, { file, field: 'rules' });
    }
  }
  const note = typeof top.note === 'string' ? top.note : (parent?.note ?? null);
  return { name: top.name, note, files: [...(parent?.files ?? []), path], rules };
}
