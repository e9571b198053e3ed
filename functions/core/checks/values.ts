// How the checks read what an engine hands back (DuckDB and Athena type their values differently) and its errors.

/** An engine may hand a DATE back as a string or a Date. */
export function day(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

/** An engine may hand numbers back as number, bigint or string (Athena). */
export function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isNaN(n) ? null : n;
}

export const text = (value: unknown): string =>
  value === null || value === undefined ? 'null' : String(value);

export const errorMessage = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).trim();
