/**
 * The published map's page as HTML text: the title bar, the legend, the city-wide figures and the
 * downloads. The server writes it into index.html (so the page reads without script, and before
 * the map is up); the viewer renders the same parts again when the language changes. Every piece
 * of text passes through `esc` here, the one place text becomes HTML. No DOM: runs on the server.
 */
import type { CoverageFigure, SnapshotData } from '../../server/publish/types.ts';
import { ALPHA_EMPTY, ALPHA_POPULATED } from '../src/map/cellStyle.ts';
import {
  COMMUNITY_LINE, GAP, GAP_OUTLINE, GAP_UNREACHABLE, JOINT_FAIL, JOINT_PASS, RAMP, STATION_ADDED_RING, STATION_CLOSED, UNREACHABLE, categoryColours,
} from '../src/lib/palette.ts';
import { DOWNLOADS } from './files.ts';
import { words, type Lang, type Words } from './words.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML (element content or a quoted attribute value). */
export const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** The view's figure (its category, tier and speed) among a community's or the city's. */
export function viewFigure(s: SnapshotData, figures: readonly CoverageFigure[]): CoverageFigure | undefined {
  const { category, tier, speed } = s.view;
  return figures.find((f) => f.category === category && f.tier === tier && f.speed === speed);
}

/** Covered share in per cent to one decimal, or '—' with nobody to cover. */
export const pct = (covered: number, of: number): string => (of > 0 ? ((100 * covered) / of).toFixed(1) : '—');

export function categoryName(s: SnapshotData, w: Words, id: string): string {
  const c = s.categories.find((x) => x.id === id);
  return c ? w.name(c) : id;
}

/** Whether a missing distance means "beyond the scenario's reach" rather than "no station at all". */
export const nullIsBeyondReach = (s: SnapshotData): boolean => s.city.reachM !== null;

/** The title bar: title, date, baseline or scenario, the view in words, the language switch. */
export function titlebarHtml(s: SnapshotData, w: Words): string {
  const other = words(w.lang === 'zh' ? 'en' : 'zh');
  const scenario = s.scenario ? w.t('viewer.scenario', { name: s.scenario.name }) : w.t('scenario.baseline');
  const view = w.t('viewer.view', {
    category: categoryName(s, w, s.view.category),
    tier: s.view.tier,
    speed: w.t(s.view.speed === 'elderly' ? 'legend.who.elderly' : 'controls.speed.general').toLowerCase(),
    m: s.city.speeds[s.view.speed],
  });
  return `<div class="heading">
  <h1 id="title">${esc(s.title)}</h1>
  <p class="meta"><span id="published">${esc(w.t('viewer.published', { date: w.date(s.publishedAt) }))}</span><span id="scenario">${esc(scenario)}</span></p>
  <p class="view" id="view">${esc(view)}</p>
</div>
<button type="button" id="lang-switch" lang="${other.htmlLang}" title="${esc(w.t('lang.switchTitle'))}">${esc(w.t('lang.switch'))}</button>`;
}

const swatch = (colour: string, extra = '') => `<span class="swatch" style="background:${colour}${extra}"></span>`;
const row = (key: string, mark: string, text: string) => `<div class="row" data-legend="${key}">${mark}<span>${esc(text)}</span></div>`;

/**
 * The legend: the app's (web/src/panels/Legend.svelte, coverage view) for what this map draws. A
 * scenario's missing distances are drawn as beyond reach, so its legend has no unreachable colours.
 */
export function legendHtml(s: SnapshotData, w: Words): string {
  const { tiers } = s.city;
  const who = w.t('legend.who.elderly');
  const steps = tiers.slice(0, RAMP.length - 1).map(
    (tier, i) => `<div class="step${tier > s.view.tier ? ' beyond' : ''}">${swatch(RAMP[i])}<span>${esc(w.t('legend.within', { n: tier }))}</span></div>`,
  );
  steps.push(`<div class="step">${swatch(RAMP[RAMP.length - 1])}<span>${esc(w.t('legend.beyond', { n: tiers[Math.min(tiers.length, RAMP.length - 1) - 1] }))}</span></div>`);
  const cells = [
    row('gap', swatch(GAP), w.t('legend.gap', { n: s.view.tier, who })),
    ...(nullIsBeyondReach(s)
      ? []
      : [
          row('gap-unreachable', swatch(GAP_UNREACHABLE), w.t('legend.gapUnreachable', { who })),
          row('unreachable', swatch(UNREACHABLE, `;opacity:${(ALPHA_EMPTY / ALPHA_POPULATED).toFixed(2)}`), w.t('legend.unreachable')),
        ]),
  ];
  const lines = [
    ...(s.gaps.length ? [row('gap-cluster', `<span class="swatch outline" style="border-color:${GAP_OUTLINE}"></span>`, w.t('legend.gapCluster', { who }))] : []),
    row('communities', `<span class="line" style="border-color:${COMMUNITY_LINE}"></span>`, w.t('legend.communities')),
    ...(s.joints.some((j) => j.pass) ? [row('joint-pass', `<span class="line thick" style="border-color:${JOINT_PASS}"></span>`, w.t('merge.pass'))] : []),
    ...(s.joints.some((j) => !j.pass) ? [row('joint-fail', `<span class="line thick" style="border-color:${JOINT_FAIL}"></span>`, w.t('merge.fail'))] : []),
  ];
  const colour = categoryColours(s.categories.map((c) => c.id))[s.view.category];
  const shown = s.stations.filter((st) => st.category === s.view.category);
  const stations = [
    row('stations', `<span class="dot" style="background:${colour}"></span>`, categoryName(s, w, s.view.category)),
    ...(shown.some((st) => st.added) ? [row('added', `<span class="dot" style="background:${colour};box-shadow:0 0 0 2px ${STATION_ADDED_RING}"></span>`, w.t('legend.added'))] : []),
    ...(shown.some((st) => !st.open) ? [row('closed', `<span class="dot" style="background:${STATION_CLOSED}"></span>`, w.t('legend.closed'))] : []),
  ];
  return `<h2>${esc(w.t('legend.title'))}</h2>
<div class="group">
  <div class="caption">${esc(w.t('legend.minutes', { category: categoryName(s, w, s.view.category) }))}</div>
  <div class="ramp">${steps.join('')}</div>
  ${cells.join('\n  ')}
  ${lines.join('\n  ')}
</div>
<div class="group">
  <div class="caption">${esc(w.t('legend.facilities'))}</div>
  ${stations.join('\n  ')}
</div>
<div class="attribution">${s.attribution.map(esc).join('<br>')}</div>`;
}

/** The description and the city-wide coverage of the view. */
export function summaryHtml(s: SnapshotData, w: Words): string {
  const f = viewFigure(s, s.coverage);
  const speed = w.t(s.view.speed === 'elderly' ? 'controls.speed.elderly' : 'controls.speed.general');
  const figure = (key: 'summary.residents' | 'summary.elderly', covered: number, of: number) =>
    `<dt>${esc(w.t(key))}</dt><dd>${esc(w.t('summary.covered', { pct: pct(covered, of) }))} <small>${esc(`${w.int(covered)} / ${w.int(of)}`)}</small></dd>`;
  return `${s.description ? `<p class="description">${esc(s.description)}</p>` : ''}
<h2>${esc(w.t('summary.title', { tier: s.view.tier, speed }))}</h2>
${f ? `<dl>${figure('summary.residents', f.residentsCovered, f.residents)}${figure('summary.elderly', f.elderlyCovered, f.elderly)}</dl>` : ''}
<p class="hint">${esc(w.t('viewer.hint'))}</p>`;
}

export function downloadsHtml(w: Words): string {
  const items = DOWNLOADS.map((file) => `<li><a href="${file}">${file}</a> <span>${esc(w.t(`file.${file}`))}</span></li>`);
  return `<h2>${esc(w.t('viewer.downloads'))}</h2>\n<ul>\n  ${items.join('\n  ')}\n</ul>`;
}

/** The parts the viewer renders again on a language change, by element id. */
export function pageParts(s: SnapshotData, w: Words): Record<'titlebar' | 'legend' | 'summary' | 'downloads', string> {
  return { titlebar: titlebarHtml(s, w), legend: legendHtml(s, w), summary: summaryHtml(s, w), downloads: downloadsHtml(w) };
}

/** index.html of the exported folder: the page in `lang`, its data, basemap and viewer scripts (classic, for file://). */
export function indexHtml(s: SnapshotData, lang: Lang = 'zh'): string {
  const w = words(lang);
  const p = pageParts(s, w);
  return `<!doctype html>
<html lang="${w.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(s.title)}</title>
<meta name="description" content="${esc(s.description)}">
<meta name="generator" content="lifecircle">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="viewer.css">
</head>
<body>
<header id="titlebar">
${p.titlebar}
</header>
<div id="stage">
<div id="map" role="region" aria-label="${esc(s.title)}"></div>
<aside id="panel">
<section id="legend" aria-label="${esc(w.t('legend.title'))}">
${p.legend}
</section>
<section id="summary">
${p.summary}
</section>
<section id="downloads">
${p.downloads}
</section>
</aside>
</div>
<script src="data.js"></script>
<script src="basemap.js"></script>
<script src="viewer.js"></script>
</body>
</html>
`;
}
