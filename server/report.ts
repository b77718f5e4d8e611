/** Plain-text coverage table for the command line. */
import type { City } from './pipeline.ts';

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
  const widths = header.map((_, i) => Math.max(...table.map((r) => displayWidth(r[i]))));
  for (const r of table) lines.push(r.map((cell, i) => cell + ' '.repeat(widths[i] - displayWidth(cell))).join('  ').trimEnd());
  return lines.join('\n');
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
  const widths = header.map((_, i) => Math.max(...table.map((r) => displayWidth(r[i]))));
  for (const r of table) lines.push(r.map((cell, i) => cell + ' '.repeat(widths[i] - displayWidth(cell))).join('  ').trimEnd());
  return lines.join('\n');
}
