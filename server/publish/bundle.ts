/**
 * The files of a published map's folder, all made from the snapshot alone: the page that opens
 * offline (viewer.ts), the GeoJSON and CSV downloads (tables.ts), the cells as Parquet, the PNG map
 * (png.ts), the report as PDF and as a printable page (report-*.ts), and the snapshot itself.
 */
import { zipSync, type Zippable } from 'fflate';
import type { BasemapTiles, Basemap } from '../core/tiles.ts';
import { parquetOf } from '../db/parquet.ts';
import { renderMapPng } from './png.ts';
import { reportHtml } from './report-html.ts';
import { reportPdf } from './report-pdf.ts';
import { cellColumns, csvFiles, geojsonFiles } from './tables.ts';
import type { SnapshotData } from './types.ts';
import { viewerFiles } from './viewer.ts';

/** The city's basemap: its features (for the PNG) and its vector tiles (embedded in the page). */
export interface BasemapSource {
  features: Basemap;
  tiles: BasemapTiles;
}

const utf8 = new TextEncoder();
const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? utf8.encode(v) : v);

/** Every file of the folder by its path, as bytes. `lap(step)` is called after each step (progress). */
export async function publishedFiles(s: SnapshotData, dataJson: string, basemap: BasemapSource, lap: (step: string) => void = () => {}): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const add = (more: Record<string, string | Uint8Array>) => {
    for (const [path, v] of Object.entries(more)) files[path] = bytes(v);
  };
  add(viewerFiles(s, basemap.tiles));
  lap('page');
  add(geojsonFiles(s));
  add(csvFiles(s));
  add({ 'snapshot.json': dataJson, 'ATTRIBUTION.txt': attributionText(s) });
  lap('tables');
  const columns = cellColumns(s);
  files['cells.parquet'] = await parquetOf(columns as Parameters<typeof parquetOf>[0], s.cells.h3.length);
  lap('parquet');
  const png = renderMapPng(s, basemap.features);
  files['map.png'] = png;
  lap('png');
  files['report.pdf'] = await reportPdf(s, png);
  add({ 'report.html': reportHtml(s, 'map.png') });
  lap('report');
  return files;
}

function attributionText(s: SnapshotData): string {
  return [
    `${s.title}`,
    `Published ${s.publishedAt} with lifecircle.`,
    '',
    'Data:',
    ...s.attribution.map((a) => `  ${a}`),
    '  The map data is © OpenStreetMap contributors, available under the Open Database License (ODbL) 1.0:',
    '  anything made from it must credit "© OpenStreetMap contributors" and keep the ODbL terms.',
    '',
    'Font of map.png and report.pdf: WenQuanYi Micro Hei 文泉驿微米黑 (Apache-2.0 or GPL-3+ with the font exception).',
    '',
  ].join('\n');
}

// already-compressed formats are stored, not deflated again
const STORED = /\.(png|pdf|parquet)$/;

/** The folder as one zip, every file under `<name>/`. */
export function zipFolder(name: string, files: Record<string, Uint8Array>): Uint8Array {
  const tree: Zippable = {};
  for (const [path, content] of Object.entries(files)) tree[`${name}/${path}`] = [content, { level: STORED.test(path) ? 0 : 6 }];
  return zipSync(tree);
}
