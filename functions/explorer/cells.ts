// How a value of a query result reads in a table cell, on the server's page and in the editor's script alike:
// NULL is shown as NULL (apart from the empty string), lists and structs as JSON.

/** A result cell's text, or null for SQL NULL (the page shows it as a marked NULL). */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Numbers are right-aligned. */
export const isNumeric = (value: unknown): boolean => typeof value === 'number' || typeof value === 'bigint';
