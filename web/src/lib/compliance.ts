/**
 * Reading `/api/compliance` against `/api/profile` for the compliance panel, the rule card and the
 * map: how many rules a community fails, its tier and each finding in words, and the `#rule=<id>`
 * address of a rule.
 */
import type { CityCategory, ComplianceCommunity, Finding, Profile, ProfileRule } from './api.ts';
import { i18n, t, type MessageKey } from './i18n.svelte.ts';

/** How many rules a community fails; null when it has no population (nothing to check). */
export function failedCount(c: ComplianceCommunity): number | null {
  if (!c.population) return null;
  return c.findings.filter((f) => !f.pass).length;
}

/** The enabled tiers of the profile, smallest population range first. */
function tiersOf(profile: Profile): { minutes: number; residents: [number, number] }[] {
  return profile.rules
    .filter((r) => r.kind === 'tier' && r.enabled)
    .map((r) => ({ minutes: r.minutes as number, residents: r.residents as [number, number] }))
    .sort((a, b) => a.residents[0] - b.residents[0]);
}

/**
 * The community's life-circle tier in words: the tier its population falls in, the two it falls
 * between (the server gives the lower one; the upper one is the next range of the profile), or the
 * range it is under or over.
 */
export function describeTier(c: ComplianceCommunity, profile: Profile): string {
  const { position, minutes, governingMinutes } = c.tier;
  if (!c.population) return t('compliance.noPopulation');
  switch (position) {
    case 'within':
      return t('compliance.tier.within', { n: minutes ?? governingMinutes });
    case 'between': {
      const above = tiersOf(profile).find((tier) => tier.residents[0] > (c.population ?? 0));
      return above
        ? t('compliance.tier.between', { below: governingMinutes, above: above.minutes })
        : t('compliance.tier.betweenTop', { below: governingMinutes });
    }
    case 'under':
      return t('compliance.tier.under', { n: governingMinutes });
    case 'over':
      return t('compliance.tier.over', { n: governingMinutes });
  }
}

const units: Record<string, MessageKey> = { beds: 'unit.beds', m2: 'unit.m2' };
const who: Record<string, MessageKey> = {
  residents: 'compliance.who.residents',
  elderly: 'compliance.who.elderly',
  households: 'compliance.who.households',
};

/** 0.6234 → "62.3"; 1 → "100". */
const percent = (share: number) => String(Number((100 * share).toFixed(1)));

/**
 * What a finding measured against what its rule needs, e.g. "社区服务 within 5 min: 62.3 % of
 * residents, needs 100 %", or elderly-care beds per 1,000 elderly against the norm.
 */
export function describeFinding(f: Finding, rule: ProfileRule | undefined, categories: readonly CityCategory[]): string {
  const cat = categories.find((c) => c.id === f.category);
  const category = cat ? i18n.name(cat) : f.category;
  if (f.kind === 'facility_requirement') {
    const group = t(who[f.target] ?? 'compliance.who.residents');
    if (f.share === null) return t('compliance.requirementNone', { category, tier: f.tierMin ?? '', who: group });
    return t('compliance.requirement', { category, tier: f.tierMin ?? '', share: percent(f.share), who: group, need: percent(f.threshold) });
  }
  const value = f.value === null ? '—' : f.value.toFixed(1);
  if (!rule) return t('compliance.supplyPlain', { category, value, need: f.threshold });
  const unit = String(rule.unit ?? '');
  return t('compliance.supply', {
    category,
    value,
    unit: units[unit] ? t(units[unit]) : unit,
    per: i18n.int(Number(rule.perCount)),
    who: t(who[String(rule.per)] ?? 'compliance.who.elderly'),
    catchment: String(rule.catchmentMinutes ?? ''),
    need: f.threshold,
  });
}

/** The address that opens a rule's card. */
export const ruleHref = (id: string) => `#rule=${encodeURIComponent(id)}`;

/** The rule id a location hash asks for, or null. */
export function ruleFromHash(hash: string): string | null {
  const m = /^#rule=(.+)$/.exec(hash);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1]; // a malformed escape: show it as typed, the card says no such rule
  }
}
