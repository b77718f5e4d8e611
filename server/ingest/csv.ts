/**
 * Facilities from a CSV of points (the usual export from a spreadsheet or a map provider's POI
 * search). Rows are numbered as a spreadsheet shows them: the header is row 1.
 */
import type { Facility } from '../core/types.ts';
import { InputError } from '../errors.ts';
import { requireCategory } from './categories.ts';
import { toWgs84 } from './coords.ts';
import { checkLonLat, fixedCategory, readCount, type FacilityFileOptions } from './geojson.ts';
import { MAX_NAME_CHARS, checkUtf8Text, clipped, decimal, shown } from './text.ts';

export interface CsvFacilityOptions extends FacilityFileOptions {
  /** Column of longitudes; default "lon". */
  lonField?: string;
  /** Column of latitudes; default "lat". */
  latField?: string;
}

/** A parsed CSV: the header cells and each record's cells with its spreadsheet row number. */
export interface CsvTable {
  header: string[];
  rows: Array<{ row: number; cells: string[] }>;
}

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes with "" for a quote, quoted
 * fields may hold commas and line breaks; CRLF or LF; a leading byte-order mark is dropped.
 * Blank lines are skipped.
 * @throws InputError for an empty file, text that is not UTF-8, an unterminated quote, or text after a closing quote.
 */
export function parseCsv(text: string, file: string): CsvTable {
  checkUtf8Text(text, file);
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let afterQuote = false;
  const s = text.replace(/^\uFEFF/, '');
  const endCell = () => {
    cells.push(cell);
    cell = '';
    afterQuote = false;
  };
  const endRecord = () => {
    endCell();
    records.push(cells);
    cells = [];
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (s[i + 1] === '"') cell += s[i++];
      else {
        quoted = false;
        afterQuote = true;
      }
    } else if (ch === ',') endCell();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      endRecord();
    } else if (afterQuote) {
      throw new InputError(`text after a closing quote: ${JSON.stringify(ch)}`, { file, row: records.length + 1 });
    } else if (ch === '"' && cell === '') quoted = true;
    else cell += ch;
  }
  if (quoted) throw new InputError('a quoted field is never closed', { file, row: records.length + 1 });
  if (cell !== '' || cells.length > 0 || afterQuote) endRecord();
  // Record numbers stay those of the file, so skipped blank lines do not shift the rows named in errors.
  const numbered = records.map((cells, k) => ({ row: k + 1, cells })).filter((r) => r.cells.length > 1 || r.cells[0].trim() !== '');
  if (numbered.length === 0) throw new InputError('the file is empty', { file });
  const [head, ...rows] = numbered;
  if (rows.length === 0) throw new InputError('the file has a header but no rows', { file });
  const header = head.cells.map((h) => h.trim());
  for (const r of rows) {
    if (r.cells.length !== header.length) {
      throw new InputError(`has ${r.cells.length} fields but the header has ${header.length}`, { file, row: r.row });
    }
  }
  return { header, rows };
}

/**
 * Read facilities from a CSV with one point per row.
 * @throws InputError naming file, row and column: a missing column, a missing or non-numeric
 *   lon/lat, projected coordinates, an unknown category (listing the known ids), a bad capacity.
 */
export function readFacilitiesCSV(text: string, options: CsvFacilityOptions): Facility[] {
  const { file, lonField = 'lon', latField = 'lat', categoryField, nameField, capacityField, crs, categories } = options;
  const fixed = fixedCategory(options);
  const { header, rows } = parseCsv(text, file);
  const column = (name: string) => {
    const k = header.indexOf(name);
    if (k < 0) {
      const some = header.slice(0, 20).map((h) => `"${clipped(h)}"`).join(', ');
      throw new InputError(`the header has no column "${name}"; it has ${some}${header.length > 20 ? `, … (${header.length} columns)` : ''}`, { file, field: name });
    }
    return k;
  };
  const lonCol = column(lonField);
  const latCol = column(latField);
  const categoryCol = categoryField === undefined ? -1 : column(categoryField);
  const nameCol = nameField === undefined ? -1 : column(nameField);
  const capacityCol = capacityField === undefined ? -1 : column(capacityField);

  return rows.map(({ row, cells }) => {
    const coordinate = (col: number, field: string) => {
      const value = cells[col].trim();
      if (value === '') throw new InputError('the coordinate is missing', { file, row, field });
      const n = decimal(value);
      if (!Number.isFinite(n)) throw new InputError(`${shown(value)} is not a number`, { file, row, field });
      return n;
    };
    const lon = coordinate(lonCol, lonField);
    const lat = coordinate(latCol, latField);
    checkLonLat(lon, lat, { file, row, field: `${lonField}, ${latField}` });
    const category = fixed ?? requireCategory(cells[categoryCol], categories, { file, row, field: categoryField });
    const capacity = capacityCol < 0 ? null : readCount(cells[capacityCol], { file, row, field: capacityField! });
    const name = nameCol < 0 ? '' : cells[nameCol].trim();
    if (name.length > MAX_NAME_CHARS) throw new InputError(`the name has ${name.length.toLocaleString('en')} characters; at most ${MAX_NAME_CHARS}`, { file, row, field: nameField });
    const [wLon, wLat] = toWgs84(lon, lat, crs);
    const facility: Facility = {
      id: `${file}:${row}`,
      name,
      category,
      lon: wLon,
      lat: wLat,
      source: file,
      capacity,
    };
    return facility;
  });
}
