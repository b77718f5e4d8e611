/**
 * A problem with the user's input: a file, a feature in it, or a field of a feature.
 * The CLI prints `message` and exits with code 2; the HTTP layer answers 4xx with it as JSON.
 * Throw it before anything is written, so a failed import leaves the database as it was.
 */
export class InputError extends Error {
  readonly file?: string;
  readonly feature?: string;
  readonly field?: string;

  constructor(problem: string, where: { file?: string; feature?: string | number; field?: string } = {}) {
    const parts = [where.file, where.feature !== undefined ? `feature ${where.feature}` : undefined, where.field && `field "${where.field}"`]
      .filter(Boolean)
      .join(', ');
    super(parts ? `${parts}: ${problem}` : problem);
    this.name = 'InputError';
    this.file = where.file;
    this.feature = where.feature === undefined ? undefined : String(where.feature);
    this.field = where.field;
  }
}
