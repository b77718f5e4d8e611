/**
 * What a click shows, as HTML text (every piece of text through `esc`): a cell's residents, elderly
 * and minutes to the nearest station of every category at both speeds (web/src/map/Popup.svelte,
 * from the snapshot instead of the API), the communities around it with their coverage at the view;
 * or a community, or a station. No DOM.
 */
import type { SnapshotCommunity, SnapshotData, SnapshotJoint } from '../../server/publish/types.ts';
import { STATION_CLOSED, categoryColours } from '../src/lib/palette.ts';
import { categoryName, esc, nullIsBeyondReach, pct, viewFigure } from './page.ts';
import type { Words } from './words.ts';

/** A community or joint community the click fell in. */
export type Place = { kind: 'community'; c: SnapshotCommunity } | { kind: 'joint'; c: SnapshotJoint };

const dot = (colour: string) => `<span class="dot" style="background:${colour}"></span>`;

/** Minutes to one decimal, as the app's popup gives them. */
export const minutes = (distM: number, speedMPerMin: number): string => (distM / speedMPerMin).toFixed(1);

function placeHtml(s: SnapshotData, w: Words, p: Place): string {
  const f = viewFigure(s, p.c.coverage);
  const heading = p.kind === 'joint' ? `${w.t('merge.joint')} · ${p.c.name}` : p.c.name;
  const compliance = p.kind === 'community' && p.c.compliance
    ? w.t(p.c.compliance.pass ? 'compliance.pass' : 'compliance.failed', { n: p.c.compliance.findings.filter((x) => !x.pass).length })
    : p.kind === 'joint' ? w.t(p.c.pass ? 'merge.pass' : 'merge.fail') : '';
  return `<section class="place" data-${p.kind}="${esc(p.c.id)}">
<h4>${esc(heading)}</h4>
<p class="muted">${esc(w.t('viewer.coverage', { tier: s.view.tier, category: categoryName(s, w, s.view.category) }))}</p>
${f ? `<dl class="counts"><dt>${esc(w.t('popup.residents'))}</dt><dd data-field="residentsPct">${pct(f.residentsCovered, f.residents)}%</dd><dt>${esc(w.t('popup.elderly'))}</dt><dd data-field="elderlyPct">${pct(f.elderlyCovered, f.elderly)}%</dd></dl>` : ''}
${compliance ? `<p class="muted">${esc(compliance)}</p>` : ''}
</section>`;
}

/** Cell `i` of the snapshot and the places around its centre. */
export function cellInfoHtml(s: SnapshotData, w: Words, i: number, places: readonly Place[]): string {
  const { cells, city } = s;
  const colours = categoryColours(s.categories.map((c) => c.id));
  const none = esc(w.t(nullIsBeyondReach(s) ? 'viewer.beyondReach' : 'popup.none'));
  const rows = s.categories.map((c) => {
    const d = cells.distM[c.id]?.[i] ?? null;
    const td = (field: string, text: string | null) => `<td class="num" data-field="${field}">${text === null ? `<span class="muted">${none}</span>` : esc(text)}</td>`;
    return `<tr data-category="${esc(c.id)}"${c.id === s.view.category ? ' class="selected"' : ''}>
<td>${dot(colours[c.id])}${esc(w.name(c))}</td>${td('distM', d === null ? null : `${w.int(d)} ${w.t('unit.m')}`)}${td('minGeneral', d === null ? null : minutes(d, city.speeds.general))}${td('minElderly', d === null ? null : minutes(d, city.speeds.elderly))}</tr>`;
  });
  return `<div id="cell-info" data-h3="${esc(cells.h3[i])}">
<h3>${esc(w.t('popup.cell'))} <code data-field="h3">${esc(cells.h3[i])}</code></h3>
<dl class="counts"><dt>${esc(w.t('popup.residents'))}</dt><dd data-field="residents">${w.int(cells.residents[i])}</dd><dt>${esc(w.t('popup.elderly'))}</dt><dd data-field="elderly">${w.int(cells.elderly[i])}</dd></dl>
${places.length ? `<h4>${esc(w.t('popup.communities'))}</h4>${places.map((p) => placeHtml(s, w, p)).join('')}` : ''}
<h4>${esc(w.t('popup.nearest'))}</h4>
<table class="nearest">
<thead><tr><th>${esc(w.t('popup.category'))}</th><th class="num">${esc(w.t('popup.distance'))}</th><th class="num">${esc(w.t('popup.minGeneral'))}</th><th class="num">${esc(w.t('popup.minElderly'))}</th></tr></thead>
<tbody>${rows.join('')}</tbody>
</table>
</div>`;
}

/** A click inside communities but on no cell. */
export function placesInfoHtml(s: SnapshotData, w: Words, places: readonly Place[]): string {
  return `<div id="community-info">${places.map((p) => placeHtml(s, w, p)).join('')}</div>`;
}

export function stationInfoHtml(s: SnapshotData, w: Words, index: number): string {
  const st = s.stations[index];
  const colour = st.open ? categoryColours(s.categories.map((c) => c.id))[st.category] : STATION_CLOSED;
  const status = [st.added ? w.t('siting.added') : w.t('siting.existing'), ...(st.open ? [] : [w.t('siting.closed')])].join(' · ');
  return `<div id="station-info" data-station="${esc(st.id)}">
<h3>${dot(colour)}${esc(st.name || w.t('popup.unnamed'))}</h3>
<dl class="counts"><dt>${esc(w.t('popup.category'))}</dt><dd>${esc(categoryName(s, w, st.category))}</dd><dt>${esc(w.t('popup.capacity'))}</dt><dd>${esc(st.capacity === null ? w.t('popup.capacityUnknown') : w.int(st.capacity))}</dd></dl>
${s.scenario ? `<p class="muted">${esc(status)}</p>` : ''}
</div>`;
}
