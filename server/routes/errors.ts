/** One shape for every API error: `{ error: { message, param? } }` with a 4xx (or 5xx) status. */
import { HTTPException } from 'hono/http-exception';
import { EditError } from '../scenario.ts';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ApiErrorBody {
  error: { message: string; param?: string; [detail: string]: string | number | undefined };
}

/** Throw from a handler: becomes a JSON error response in app.ts's onError. */
export function apiError(status: ContentfulStatusCode, message: string, param?: string, detail: Record<string, string | number> = {}): HTTPException {
  const body: ApiErrorBody = { error: param ? { message, param, ...detail } : { message, ...detail } };
  return new HTTPException(status, { res: Response.json(body, { status }), message });
}

/** Run a handler body, turning the server's EditError (status, message, field) into the JSON error. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EditError) throw apiError(err.status, err.message, err.param, err.detail);
    throw err;
  }
}
