// What a slice's action hands back to its view: the value, or the error as the view shows it. The
// actions catch here so that no view needs its own try/catch around a contract call.
import { ApiError } from '../../../shared/api';

export type Outcome<T> =
  { ok: true; value: T } | { ok: false; error: string; issues?: { path: string; message: string }[] };

export async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return e instanceof ApiError && e.issues ? { ok: false, error, issues: e.issues } : { ok: false, error };
  }
}
