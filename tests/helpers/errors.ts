import { InputError } from '../../server/errors.ts';

/** The message of the InputError that fn throws, to compare whole; 'no error' when it throws none. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  return 'no error';
}
