/** Plain-text coverage table for the command line. */
import type { City } from './pipeline.ts';
import { rulesOf } from './ingest/profile.ts';

const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '–');
const num = (n: number) => n.toLocaleString('en');
const min = (m: number | null) => (m === null ? '>reach' : m.toFixed(1));

/**
 * The city-wide table: per category and tier, residents and elderly within the walk at the general
 * speed, elderly at the elderly speed (the figure that matters for them), the drop between the two,
 * and median / 90th-percentile minutes.
 */
export function coverageTable(city: City): string {
  const { speeds } = city.options;
  const total = city.rows.find((r) => r.community === -1);
  const lines: string[] = [];
  const g = `${speeds.general} m/min`;
  const e = `${speeds.elderly} m/min`;
  lines.push(
    `Walking coverage: ${num(total?.residents ?? 0)} residents, ${num(total?.elderly ?? 0)} elderly, ${city.communities.length} communities, H3 resolution ${city.options.resolution}`,
  );
  const header = ['category', 'tier', `residents @${g}`, `elderly @${g}`, `elderly @${e}`, 'drop', `median/p90 min @${g}`, `elderly median/p90 @${e}`];
  const table: string[][] = [header];
  for (const c of city.categories.categories) {
    const count = city.facilities.filter((f) => f.category === c.id).length;
    for (const tier of city.options.tiers) {
      const gen = city.rows.find((r) => r.community === -1 && r.category === c.id && r.tierMin === tier && r.speed === 'general')!;
      const eld = city.rows.find((r) => r.community === -1 && r.category === c.id && r.tierMin === tier && r.speed === 'elderly')!;
      table.push([
        tier === city.options.tiers[0] ? `${c.id} ${c.zh} (${count})` : '',
        `${tier} min`,
        `${num(gen.residentsCovered)} ${pct(gen.residentsCovered, gen.residents)}`,
        `${num(gen.elderlyCovered)} ${pct(gen.elderlyCovered, gen.elderly)}`,
        `${num(eld.elderlyCovered)} ${pct(eld.elderlyCovered, eld.elderly)}`,
        pct(gen.elderlyCovered - eld.elderlyCovered, gen.elderly),
        `${min(gen.medianMin)} / ${min(gen.p90Min)}`,
        `${min(eld.elderlyMedianMin)} / ${min(eld.elderlyP90Min)}`,
      ]);
    }
  }
  lines.push(...aligned(table));
  return lines.join('\n');
}

/** Rows padded to aligned columns, two spaces apart. */
function aligned(table: string[][]): string[] {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => displayWidth(r[i]))));
  return table.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i] - displayWidth(cell))).join('  ').trimEnd());
}

/** Terminal columns of a string: CJK characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return w;
}

/**
 * Compliance with the standards profile, one line per community: the tier its population puts it
 * in, each applicable requirement as the share of residents (or elderly, at their speed) within
 * the walk with ✓ / ✗, and elderly-care supply by two-step floating catchment.
 */
export function complianceTable(city: City): string {
  const lines = [`Compliance with "${city.profile.name}" (✗ = short of the rule; sources in the compliance table of the database)`];
  const fitText = (c: City['compliance'][number]) => {
    const f = c.fit;
    if (f.position === 'within') return `${f.tierMinutes} min`;
    if (f.position === 'between') return `${f.below}–${f.above} min`;
    if (f.position === 'under') return `< ${f.smallest} min`;
    return `> ${f.largest} min`;
  };
  const header = ['community', 'residents', 'tier', 'requirements (share within walk)', 'supply'];
  const table: string[][] = [header];
  const order = [...city.compliance].sort((a, b) => (city.communities[b.community].population ?? 0) - (city.communities[a.community].population ?? 0));
  for (const c of order) {
    const m = city.communities[c.community];
    if (m.population === null) continue;
    const reqs = c.requirements.map((r) => `${r.pass ? '✓' : '✗'}${r.category}/${r.tierMinutes}${r.for === 'elderly' ? 'e' : ''} ${r.share === null ? '–' : `${Math.round(r.share * 100)}%`}`).join(' ');
    const supply = c.supply.map((s) => `${s.pass ? '✓' : '✗'}${s.category} ${s.value === null ? '–' : s.value.toFixed(1)}/${s.perCount} (≥ ${s.amount})`).join(' ');
    table.push([m.name, num(m.population), fitText(c), reqs, supply]);
  }
  lines.push(...aligned(table));
  return lines.join('\n');
}

const PROBLEM_TEXT = {
  households_below: (v: number, t: number) => `households ${num(v)} < ${num(t)}`,
  households_above: (v: number, t: number) => `households ${num(v)} > ${num(t)}`,
  residents_above: (v: number, t: number) => `residents ${num(v)} > ${num(t)}`,
};

/**
 * Grid size, after the compliance table when the build has grids: how many grids, how many are
 * flagged, and each flagged grid's figures and problems (file order, as in the planner's attribute table).
 */
export function gridTable(city: City): string {
  const rules = rulesOf(city.profile, 'grid_size');
  const flagged = city.gridChecks.flatMap((g, k) => (g.findings.length ? [k] : []));
  const ruleText = rules.map((r) => `${r.id}: ${num(r.households[0])}–${num(r.households[1])} households, ≤ ${num(r.maxResidents)} residents, source ${r.source.label}`);
  const lines = [
    `Grid size: ${city.grids.length} grids, ${flagged.length} flagged${rules.length ? ` (${ruleText.join('; ')})` : '; no enabled grid_size rule, so none checked'}`,
  ];
  if (!flagged.length) return lines.join('\n');
  const header = ['grid', 'households', 'residents', 'problems'];
  const table: string[][] = [header];
  for (const k of flagged) {
    const g = city.gridChecks[k];
    table.push([
      city.grids[k].name,
      g.households === null ? 'unknown' : num(g.households),
      `${num(g.residents)} ${g.residentsSource === 'given' ? 'given' : 'from cells'}`,
      g.findings.map((f) => `✗ ${PROBLEM_TEXT[f.problem](f.value, f.threshold)} (${f.rule})`).join('  '),
    ]);
  }
  lines.push(...aligned(table));
  return lines.join('\n');
}
