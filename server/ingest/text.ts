/**
 * Text from users' files, made safe for messages and checked before it is read: a value quoted in an
 * error is cut short (it may be 50 MB, or nested past the stack, which JSON.stringify cannot take),
 * and a file that is not UTF-8 is refused instead of read with its bytes replaced.
 */
import { InputError } from '../errors.ts';

/** Longest name or id read from a file, in characters: as long as the API lets a station's name be. */
export const MAX_NAME_CHARS = 200;

/** Largest count read (people, households, beds): a hundred million, more than any city, far inside 32-bit parts. */
export const MAX_COUNT = 100_000_000;

const SHOWN_CHARS = 60;

/**
 * A value as it appears in the file, for a message: JSON, at most about 60 characters, nesting
 * shown one level deep. Numbers JSON cannot write (Infinity, NaN) are shown as they are.
 * @example shown('约六千') // '"约六千"'; shown([[[[1]]]]) // '[[…]]'; shown(Infinity) // 'Infinity'
 */
export function shown(value: unknown): string {
  const text = preview(value, 2);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}

/** Bounded by `depth` and by how much is shown of each list or object, so any value costs a few steps. */
function preview(value: unknown, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) {
    if (depth === 0) return value.length ? '[…]' : '[]';
    const items = value.slice(0, 4).map((v) => preview(v, depth - 1));
    return `[${items.join(',')}${value.length > 4 ? ',…' : ''}]`;
  }
  const keys = Object.keys(value);
  if (depth === 0) return keys.length ? '{…}' : '{}';
  const items = keys.slice(0, 4).map((k) => `${JSON.stringify(k.slice(0, SHOWN_CHARS))}:${preview((value as Record<string, unknown>)[k], depth - 1)}`);
  return `{${items.join(',')}${keys.length > 4 ? ',…' : ''}}`;
}

// Control characters (line breaks too, unless `lines`), U+FFFD — what bytes that are not UTF-8 decode to — and half
// a surrogate pair (which no UTF-8 can hold, so the database would store U+FFFD for it).
const NOT_TEXT = /[\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NOT_TEXT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether a name or description is plain UTF-8 text, as it will be stored and published: one line
 * (several with `lines`: line breaks and tabs allowed), no other control characters, no U+FFFD, no
 * half surrogate pairs.
 * @example isPlainText('道里区') // true; isPlainText('a\nb') // false
 */
export function isPlainText(value: string, options: { lines?: boolean } = {}): boolean {
  return !(options.lines ? NOT_TEXT_LINES : NOT_TEXT).test(value);
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number written in decimal, as spreadsheets and GIS tools write them, else NaN: `Number` would also
 * take "0x7E" (126), "0b1" and "Infinity". Too large a number is Infinity, for the caller to refuse.
 * @example decimal(' 45.76 ') // 45.76; decimal('0x7E') // NaN
 */
export function decimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/** A name for a message: cut to 40 characters. */
export function clipped(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}

/**
 * Refuse text that was not UTF-8: the build decodes files as UTF-8 and puts U+FFFD where a byte does
 * not fit (Latin-1, GBK, invalid sequences), and a UTF-16 file is full of NUL characters. Either way
 * every name read from it would be wrong, silently; the message says which line to look at.
 * @throws InputError naming the file and the line.
 */
export function checkUtf8Text(text: string, file: string): void {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    throw new InputError(`the file is not UTF-8 text: line ${lineOf(text, nul)} holds NUL characters (UTF-16, or not a text file); save it as UTF-8 and import again`, { file });
  }
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    throw new InputError(`the file is not UTF-8 text: line ${lineOf(text, bad)} holds bytes that are not UTF-8 (GBK or Latin-1?); save it as UTF-8 and import again`, { file });
  }
}

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
