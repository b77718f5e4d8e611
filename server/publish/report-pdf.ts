/**
 * The report as an A4 PDF: the blocks of report.ts drawn with pdfkit in WenQuanYi Micro Hei (subset
 * and embedded with a ToUnicode map, so the Chinese can be searched and copied), tables that break
 * across pages with their header repeated, the map scaled to the page width, page numbers.
 */
import { createCanvas, Image } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import { FONT_FACE, FONT_FILE } from '../config.ts';
import { reportBlocks, type Block, type Table } from './report.ts';
import type { SnapshotData } from './types.ts';

type Doc = PDFKit.PDFDocument;

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 54, bottom: 60, left: 50, right: 50 };
const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;
const INK = '#1b1f24';
const MUTED = '#5c6670';
const ACCENT = '#1f4e79';
const RULE = '#c9d1d9';
const HAIR = '#e4e8ec';
const HEADER_FILL = '#edf1f5';
const FONT = 'report';

/** Lines of text cells up to this many characters are not wrapped (names, short labels). */
const SHORT_LINE = 16;

/** Groups of up to this many rows are not split across pages. */
const KEEP_ROWS = 6;

/** Cell text sizes and padding (points). */
const CELL = { size: 8, headerSize: 7.5, padX: 4, padY: 3, lineGap: 1 };

/**
 * The report of a snapshot as a PDF, with `mapPng` (the map, any size) on the first page.
 * @example writeFileSync('report.pdf', await reportPdf(snapshot, await renderMapPng(snapshot)))
 */
export async function reportPdf(s: SnapshotData, mapPng: Buffer): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    // the publishing moment, not the rendering one: the same snapshot gives the same file
    info: { Title: s.title, Subject: s.description, Creator: 'lifecircle', Producer: 'lifecircle', CreationDate: new Date(s.publishedAt) },
    displayTitle: true,
    lang: 'zh-CN',
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(FONT, FONT_FILE, FONT_FACE);
  doc.font(FONT);
  const pen = new Pen(doc, mapPng);
  for (const block of reportBlocks(s)) pen.draw(block);
  footers(doc, s.title);
  doc.end();
  return done;
}

/**
 * Height of `text` set in `width`, paragraph by paragraph: pdfkit measures a '\n' after a CJK
 * character as a glyph and would wrap a line that fits.
 */
function heightOf(doc: Doc, text: string, width: number, lineGap: number): number {
  return text.split('\n').reduce((h, line) => h + doc.heightOfString(line || ' ', { width, lineGap }), 0);
}

/** `text` set in `width` from (x, y), paragraph by paragraph (see heightOf). */
function textIn(doc: Doc, text: string, x: number, y: number, width: number, options: { align?: 'left' | 'center' | 'right'; lineGap: number }): void {
  for (const line of text.split('\n')) {
    if (line) doc.text(line, x, y, { width, ...options });
    y += doc.heightOfString(line || ' ', { width, lineGap: options.lineGap });
  }
}

/**
 * The map as a JPEG (quality 92) flattened onto white, the page's colour. pdfkit embeds JPEG bytes as
 * they are, while an RGBA PNG it decodes in JavaScript to split off the alpha: for Harbin's map
 * 300 ms and 0.9 MB against 80 ms and 0.35 MB, and the two look the same printed at 200 dpi.
 */
function mapJpeg(png: Buffer): { jpeg: Buffer; width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(0) !== 0x89504e47 || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('report: the map is not a PNG');
  const img = new Image();
  img.src = png;
  const { width, height } = img;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(img, 0, 0);
  return { jpeg: canvas.encodeSync('jpeg', 92), width, height };
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/** Draws blocks top to bottom, keeping its own y and starting new pages. */
class Pen {
  y = MARGIN.top;
  constructor(
    private readonly doc: Doc,
    private readonly mapPng: Buffer,
  ) {}

  draw(b: Block): void {
    switch (b.kind) {
      case 'title':
        return this.title(b.text);
      case 'facts':
        return this.facts(b.items);
      case 'heading':
        return this.heading(b.level, b.zh, b.en);
      case 'paragraph':
        return this.paragraph(b.text, 9.5, INK, 6);
      case 'note':
        return this.paragraph(b.text, 7.5, MUTED, 10);
      case 'map':
        return this.map(this.mapPng, b.caption);
      case 'table':
        return this.table(b.table);
    }
  }

  private newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
  }

  /** A new page unless `h` points still fit on this one. */
  private room(h: number): void {
    if (this.y + h > BOTTOM) this.newPage();
  }

  /** Text filled and thinly stroked: the font has one weight, and this reads as its bold. */
  private bold(text: string, x: number, y: number, size: number, colour: string, width?: number): void {
    this.doc.fontSize(size).fillColor(colour).strokeColor(colour).lineWidth(size / 40);
    this.doc.text(text, x, y, { width, lineBreak: width !== undefined, fill: true, stroke: true });
  }

  private title(title: string): void {
    const { doc } = this;
    const text = oneLine(title);
    doc.fontSize(20);
    const h = doc.heightOfString(text, { width: WIDTH, lineGap: 2 });
    this.bold(text, MARGIN.left, this.y, 20, INK, WIDTH);
    this.y += h + 6;
    doc.rect(MARGIN.left, this.y, WIDTH, 2).fill(ACCENT);
    this.y += 12;
  }

  private facts(items: Array<{ label: string; value: string }>): void {
    const { doc } = this;
    const labelWidth = 104;
    for (const { label, value } of items) {
      doc.fontSize(9);
      const h = Math.max(12, heightOf(doc, value, WIDTH - labelWidth, 0));
      this.room(h);
      doc.fontSize(8).fillColor(MUTED).text(label, MARGIN.left, this.y + 1, { lineBreak: false });
      doc.fontSize(9).fillColor(INK);
      textIn(doc, value, MARGIN.left + labelWidth, this.y, WIDTH - labelWidth, { lineGap: 0 });
      this.y += h + 3;
    }
    this.y += 8;
  }

  private heading(level: 1 | 2, zh: string, en: string): void {
    const { doc } = this;
    const size = level === 1 ? 13 : 10.5;
    // keep a heading with the first lines of what follows it
    this.room(size + 70);
    this.y += level === 1 ? 10 : 4;
    this.bold(zh, MARGIN.left, this.y, size, level === 1 ? ACCENT : INK);
    const zhWidth = doc.fontSize(size).widthOfString(zh);
    doc.fontSize(size * 0.75).fillColor(MUTED).text(en, MARGIN.left + zhWidth + 6, this.y + size * 0.22, { lineBreak: false });
    this.y += size + 6;
    if (level === 1) {
      doc.moveTo(MARGIN.left, this.y).lineTo(MARGIN.left + WIDTH, this.y).lineWidth(0.6).strokeColor(RULE).stroke();
      this.y += 6;
    }
  }

  private paragraph(text: string, size: number, colour: string, after: number): void {
    const { doc } = this;
    for (const line of text.split('\n')) {
      doc.fontSize(size);
      const h = doc.heightOfString(line, { width: WIDTH, lineGap: 2 });
      this.room(h);
      doc.fillColor(colour).text(line, MARGIN.left, this.y, { width: WIDTH, lineGap: 2 });
      this.y += h;
    }
    this.y += after;
  }

  private map(png: Buffer, caption: string): void {
    const { doc } = this;
    const img = mapJpeg(png);
    const full = BOTTOM - MARGIN.top - 24;
    let scale = WIDTH / img.width;
    if (img.height * scale > full) scale = full / img.height;
    const w = img.width * scale;
    const h = img.height * scale;
    this.room(h + 24);
    const x = MARGIN.left + (WIDTH - w) / 2;
    doc.image(img.jpeg, x, this.y, { width: w, height: h });
    doc.rect(x, this.y, w, h).lineWidth(0.5).strokeColor(RULE).stroke();
    this.y += h + 4;
    this.paragraph(caption, 7.5, MUTED, 8);
  }

  private table(t: Table): void {
    const { doc } = this;
    const widths = columnWidths(doc, t);
    const starts = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const group = t.group ?? 0;
    const header = () => {
      for (const row of t.header) {
        let col = 0;
        const cells = row.map((cell) => {
          const span = cell.span ?? 1;
          const from = col;
          col += span;
          const w = widths.slice(from, from + span).reduce((a, b) => a + b, 0);
          return { cell, from, span, w };
        });
        doc.fontSize(CELL.headerSize);
        const h = Math.max(...cells.map(({ cell, w }) => heightOf(doc, cell.text, w - 2 * CELL.padX, 0))) + 2 * CELL.padY;
        doc.rect(MARGIN.left, this.y, WIDTH, h).fill(HEADER_FILL);
        for (const { cell, from, span, w } of cells) {
          if (!cell.text) continue;
          const align = span > 1 ? 'center' : t.align[from];
          doc.fontSize(CELL.headerSize).fillColor(MUTED);
          textIn(doc, cell.text, starts[from] + CELL.padX, this.y + CELL.padY, w - 2 * CELL.padX, { align, lineGap: 0 });
          if (span > 1) {
            doc.moveTo(starts[from] + CELL.padX, this.y + h - 1).lineTo(starts[from] + w - CELL.padX, this.y + h - 1).lineWidth(0.4).strokeColor(RULE).stroke();
          }
        }
        this.y += h;
      }
      doc.moveTo(MARGIN.left, this.y).lineTo(MARGIN.left + WIDTH, this.y).lineWidth(0.8).strokeColor(MUTED).stroke();
    };
    const headerHeight = measureHeader(doc, t, widths);
    const heights = t.rows.map((row) => rowHeight(doc, t, row, widths));
    const startsGroup = t.rows.map((row) => group > 0 && row.slice(0, group).some((c) => c !== ''));
    // the height of the rows from r to the end of r's group (or r alone without groups)
    const groupHeight = (r: number) => {
      let h = heights[r];
      for (let k = r + 1; k < t.rows.length && group > 0 && !startsGroup[k]; k++) h += heights[k];
      return h;
    };
    const fresh = BOTTOM - MARGIN.top - headerHeight;
    // a small group (a category's tiers) moves whole to the next page rather than split; a big one
    // is split, its name repeated
    const keep = (r: number) => {
      let n = 1;
      while (group > 0 && r + n < t.rows.length && !startsGroup[r + n]) n++;
      return n <= KEEP_ROWS;
    };
    // start on a new page unless the header and the first small group (or three rows) fit here
    const first = keep(0) && group > 0 ? groupHeight(0) : heights.slice(0, 3).reduce((a, b) => a + b, 0);
    this.room(headerHeight + Math.min(first, fresh));
    header();
    const names: string[] = new Array(group).fill('');
    t.rows.forEach((source, r) => {
      if (startsGroup[r]) source.slice(0, group).forEach((c, i) => (names[i] = c));
      let row = source;
      let h = heights[r];
      const move = startsGroup[r] && r > 0 && keep(r) && this.y + groupHeight(r) > BOTTOM && groupHeight(r) <= fresh;
      if (move || this.y + h > BOTTOM) {
        this.newPage();
        header();
        // a group broken by the page keeps its name on the new page
        if (group > 0 && !startsGroup[r]) {
          row = [...names.map((n) => `${n}（续）`), ...source.slice(group)];
          h = rowHeight(doc, t, row, widths);
        }
      } else if (r > 0) {
        const major = startsGroup[r];
        doc.moveTo(major ? MARGIN.left : starts[group], this.y).lineTo(MARGIN.left + WIDTH, this.y)
          .lineWidth(major ? 0.6 : 0.3).strokeColor(major ? RULE : HAIR).stroke();
      }
      doc.fontSize(CELL.size).fillColor(INK);
      row.forEach((text, i) => {
        if (!text) return;
        const inner = widths[i] - 2 * CELL.padX;
        if (t.align[i] === 'right') {
          // one run per figure, placed by its own width, so a text extractor keeps it whole
          text.split('\n').forEach((line, k) => {
            const lw = doc.widthOfString(line);
            doc.text(line, starts[i] + CELL.padX + inner - lw, this.y + CELL.padY + k * (CELL.size * 1.25 + CELL.lineGap), { lineBreak: false });
          });
        } else {
          textIn(doc, text, starts[i] + CELL.padX, this.y + CELL.padY, inner, { lineGap: CELL.lineGap });
        }
      });
      this.y += h;
    });
    doc.moveTo(MARGIN.left, this.y).lineTo(MARGIN.left + WIDTH, this.y).lineWidth(0.8).strokeColor(MUTED).stroke();
    this.y += 10;
  }
}

function measureHeader(doc: Doc, t: Table, widths: number[]): number {
  doc.fontSize(CELL.headerSize);
  let total = 0;
  for (const row of t.header) {
    let col = 0;
    let h = 0;
    for (const cell of row) {
      const span = cell.span ?? 1;
      const w = widths.slice(col, col + span).reduce((a, b) => a + b, 0);
      col += span;
      h = Math.max(h, heightOf(doc, cell.text, w - 2 * CELL.padX, 0));
    }
    total += h + 2 * CELL.padY;
  }
  return total;
}

function rowHeight(doc: Doc, t: Table, row: string[], widths: number[]): number {
  doc.fontSize(CELL.size);
  let h = CELL.size * 1.25;
  row.forEach((text, i) => {
    if (!text) return;
    const lines = text.split('\n').length;
    const cell = t.align[i] === 'right' ? lines * (CELL.size * 1.25 + CELL.lineGap) - CELL.lineGap : heightOf(doc, text, widths[i] - 2 * CELL.padX, CELL.lineGap);
    h = Math.max(h, cell);
  });
  return h + 2 * CELL.padY;
}

/**
 * Column widths filling the page: every figure column as wide as its widest figure and its header
 * lines (or, when that leaves too little room, its header's longest word); the text columns share
 * the rest in proportion to their longest text, each at least as wide as its longest unbreakable
 * word (a rule id, a coordinate) so that only sentences wrap.
 */
function columnWidths(doc: Doc, t: Table): number[] {
  // a point of slack: a text exactly as wide as its cell would wrap on rounding
  const pad = 2 * CELL.padX + 1;
  const widest = (texts: string[], size: number) => {
    doc.fontSize(size);
    return Math.max(0, ...texts.map((x) => doc.widthOfString(x)));
  };
  const single = t.header.find((row) => row.length === t.align.length) ?? [];
  const text = t.align.map((a) => a === 'left');
  const column = (i: number) => t.rows.map((r) => r[i] ?? '');
  const body = t.align.map((_, i) => widest(column(i).flatMap((x) => x.split('\n')), CELL.size));
  const headLines = t.align.map((_, i) => widest((single[i]?.text ?? '').split('\n'), CELL.headerSize));
  const headWords = t.align.map((_, i) => widest((single[i]?.text ?? '').split(/[\n ]/), CELL.headerSize));
  // CJK text breaks between any two characters, other text only at spaces; a short line (a name,
  // "未达标 short") is kept whole
  const unbreakable = (x: string) => (x.length <= SHORT_LINE ? [x] : (x.match(/[^\s\u2e80-\u9fff\uff00-\uffef]+/g) ?? []));
  const words = t.align.map((_, i) => Math.min(WIDTH / 3, widest(column(i).flatMap((x) => x.split('\n')).flatMap(unbreakable), CELL.size)));
  const least = t.align.map((_, i) => Math.max(24, headWords[i], words[i]) + pad);
  const sum = (w: number[], which: (i: number) => boolean) => w.reduce((acc, x, i) => acc + (which(i) ? x : 0), 0);
  const isText = (i: number) => text[i];
  const isFigure = (i: number) => !text[i];
  let natural = t.align.map((_, i) => Math.max(body[i] + pad, headLines[i] + pad, text[i] ? least[i] : 0));
  if (sum(natural, isFigure) + sum(least, isText) > WIDTH) natural = natural.map((w, i) => (text[i] ? w : Math.max(body[i], headWords[i]) + pad));
  const fixed = sum(natural, isFigure);
  const wanted = sum(natural, isText);
  const left = WIDTH - fixed;
  if (wanted === 0 || left < sum(least, isText)) return natural.map((w) => (w * WIDTH) / (fixed + wanted));
  if (wanted <= left) {
    // spare room goes to the text columns, up to twice their width (figures stay close to their
    // labels), and what is left over to every column alike
    const grow = Math.min(left - wanted, wanted);
    const rest = (left - wanted - grow) / natural.length;
    return natural.map((w, i) => (text[i] ? w + (grow * w) / wanted : w) + rest);
  }
  // too wide: each text column keeps its least width and shares the rest by how much more it wants
  const floor = sum(least, isText);
  const more = wanted - floor;
  return natural.map((w, i) => (text[i] ? least[i] + ((left - floor) * (w - least[i])) / more : w));
}

/** Page numbers and the title at the foot of every page, written once all pages exist. */
function footers(doc: Doc, title: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // the footer sits in the bottom margin: without this pdfkit would start a new page for it
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = PAGE.height - MARGIN.bottom + 22;
    doc.moveTo(MARGIN.left, y - 6).lineTo(MARGIN.left + WIDTH, y - 6).lineWidth(0.4).strokeColor(RULE).stroke();
    const number = `第 ${i + 1} / ${range.count} 页 · Page ${i + 1} of ${range.count}`;
    doc.fontSize(7.5).fillColor(MUTED);
    const nw = doc.widthOfString(number);
    doc.text(number, MARGIN.left + WIDTH - nw, y, { lineBreak: false });
    doc.text(oneLine(title), MARGIN.left, y, { width: WIDTH - nw - 24, height: 10, ellipsis: true, lineBreak: true });
    doc.page.margins.bottom = bottom;
  }
}
