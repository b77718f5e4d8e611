/**
 * The report as one self-contained printable page (report.html): the blocks of report.ts as HTML
 * with its stylesheet inline, the map as an image file beside it. Every text is escaped and the page
 * forbids scripts outright (Content-Security-Policy), so a name like `<script>` is only ever text.
 */
import { reportBlocks, type Block, type Table } from './report.ts';
import type { SnapshotData } from './types.ts';

/** Text cells whose lines are this short (names, "未达标 short") do not wrap, as in the PDF. */
const SHORT_LINE = 16;

/** Tables longer than this start their section on a new printed page. */
const BIG_TABLE_ROWS = 30;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Escaped text with its '\n' as line breaks. */
const lines = (text: string) => text.split('\n').map(escapeHtml).join('<br>');

/**
 * The report of a snapshot as an HTML page that prints on A4; `mapFile` is the map image's address
 * relative to the page.
 * @example writeFileSync('report.html', reportHtml(snapshot)); writeFileSync('map.png', png)
 */
export function reportHtml(s: SnapshotData, mapFile = 'map.png'): string {
  const body = sections(reportBlocks(s)).map((section) => render(section, mapFile)).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'">
<title>${escapeHtml(s.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<article class="report">
${body}
</article>
</body>
</html>
`;
}

/** Blocks cut into sections at each top-level heading (the first section is the head and the map). */
function sections(blocks: Block[]): Block[][] {
  const out: Block[][] = [[]];
  for (const b of blocks) {
    if (b.kind === 'heading' && b.level === 1) out.push([]);
    out[out.length - 1].push(b);
  }
  return out.filter((x) => x.length > 0);
}

function render(section: Block[], mapFile: string): string {
  // a big table breaks the page before its section, so its heading and first rows stay together
  const big = section.some((b) => b.kind === 'table' && b.table.rows.length > BIG_TABLE_ROWS);
  const tag = section[0].kind === 'title' ? 'header' : 'section';
  return `<${tag}${big ? ' class="big"' : ''}>\n${section.map((b) => block(b, mapFile)).join('\n')}\n</${tag}>`;
}

function block(b: Block, mapFile: string): string {
  switch (b.kind) {
    case 'title':
      return `<h1>${escapeHtml(b.text)}</h1>`;
    case 'facts':
      return `<dl class="facts">${b.items.map((i) => `<div><dt>${lines(i.label)}</dt><dd>${lines(i.value)}</dd></div>`).join('')}</dl>`;
    case 'heading': {
      const h = b.level === 1 ? 'h2' : 'h3';
      return `<${h}>${escapeHtml(b.zh)} <span class="en">${escapeHtml(b.en)}</span></${h}>`;
    }
    case 'paragraph':
      return `<p>${lines(b.text)}</p>`;
    case 'note':
      return `<p class="note">${lines(b.text)}</p>`;
    case 'map':
      return `<figure class="map"><img src="${escapeHtml(mapFile)}" alt="${escapeHtml(b.caption)}"><figcaption>${lines(b.caption)}</figcaption></figure>`;
    case 'table':
      return table(b.table);
  }
}

function table(t: Table): string {
  const group = t.group ?? 0;
  const head = t.header
    .map((row) => {
      let col = 0;
      const cells = row.map((cell) => {
        const span = cell.span ?? 1;
        const cls = span > 1 ? 'span' : t.align[col] === 'right' ? 'num' : '';
        col += span;
        return `<th scope="col"${span > 1 ? ` colspan="${span}"` : ''}${cls ? ` class="${cls}"` : ''}>${lines(cell.text)}</th>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  const body = t.rows
    .map((row, r) => {
      const starts = r > 0 && group > 0 && row.slice(0, group).some((c) => c !== '');
      const cells = row.map((text, i) => {
        const cls = t.align[i] === 'right' ? 'num' : text.split('\n').every((l) => l.length <= SHORT_LINE) ? 'short' : '';
        return `<td${cls ? ` class="${cls}"` : ''}>${lines(text)}</td>`;
      });
      return `<tr${starts ? ' class="group"' : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

// The PDF's look (report-pdf.ts): one accent colour, muted English, hairlines between rows.
const STYLE = `
@page { size: A4; margin: 16mm 15mm 18mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #5c6670; } }
* { box-sizing: border-box; }
html { background: #eef0f2; }
body { margin: 0; color: #1b1f24; font: 10pt/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
.report { max-width: 210mm; margin: 24px auto; padding: 16mm 15mm; background: #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, .12); }
h1 { margin: 0 0 10px; padding-bottom: 8px; border-bottom: 2px solid #1f4e79; font-size: 20pt; line-height: 1.3; overflow-wrap: anywhere; }
h2 { margin: 22px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #c9d1d9; color: #1f4e79; font-size: 13pt; }
h3 { margin: 14px 0 6px; font-size: 10.5pt; }
h2 .en, h3 .en { margin-left: 4px; color: #5c6670; font-size: .75em; font-weight: normal; }
p { margin: 0 0 8px; overflow-wrap: anywhere; }
.note { color: #5c6670; font-size: 7.5pt; }
.facts { display: grid; gap: 2px; margin: 10px 0 14px; }
.facts div { display: grid; grid-template-columns: 9.5em 1fr; }
.facts dt { color: #5c6670; font-size: 8pt; }
.facts dd { margin: 0; font-size: 9pt; overflow-wrap: anywhere; }
.map { margin: 0 0 12px; }
.map img { display: block; width: 100%; height: auto; border: 1px solid #c9d1d9; }
.map figcaption { margin-top: 4px; color: #5c6670; font-size: 7.5pt; }
table { width: 100%; margin: 0 0 12px; border-collapse: collapse; border-bottom: 1px solid #5c6670; font-size: 8pt; line-height: 1.3; }
thead { display: table-header-group; }
th { padding: 3px 4px; background: #edf1f5; color: #5c6670; font-size: 7.5pt; font-weight: normal; text-align: left; vertical-align: bottom; }
thead tr:last-child th { border-bottom: 1px solid #5c6670; }
th.span { text-align: center; }
td { padding: 3px 4px; border-top: 1px solid #e4e8ec; vertical-align: top; overflow-wrap: break-word; }
tr.group td { border-top-color: #c9d1d9; }
.short { white-space: nowrap; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
@media print {
  html { background: none; }
  body { font-size: 9.5pt; }
  .report { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.big { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  .map img { max-height: 200mm; object-fit: contain; }
}
`;
