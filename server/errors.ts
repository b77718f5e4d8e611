/** Where in the input a problem is: file, feature (GeoJSON) or row (CSV), field. */
export interface Where {
  file?: string;
  feature?: string | number;
  row?: number;
  /** An entry of a settings file, e.g. `rule 3 ("tier.5")`. */
  entry?: string;
  field?: string;
}

/**
 * A problem with the user's input: a file, a feature in it, or a field of a feature.
 * The CLI prints `message` and exits with code 2; the HTTP layer answers 4xx with it as JSON.
 * Throw it before anything is written, so a failed import leaves the database as it was.
 */
export class InputError extends Error {
  readonly file?: string;
  readonly feature?: string;
  readonly row?: number;
  readonly field?: string;

  /** `row` is a spreadsheet row (the header is row 1), for tabular files. */
  constructor(problem: string, where: Where = {}) {
    const parts = [
      where.file,
      where.feature !== undefined ? `feature ${where.feature}` : undefined,
      where.row !== undefined ? `row ${where.row}` : undefined,
      where.entry,
      where.field && `field "${where.field}"`,
    ]
      .filter(Boolean)
      .join(', ');
    super(parts ? `${parts}: ${problem}` : problem);
    this.name = 'InputError';
    this.file = where.file;
    this.feature = where.feature === undefined ? undefined : String(where.feature);
    this.row = where.row;
    this.field = where.field;
  }
}
