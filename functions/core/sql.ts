// SQL text the pipeline writes itself (the checks, the chart search): what both DuckDB and Athena read alike.

/** A SQL string literal: single quotes doubled, so that a value cannot end the literal. */
export const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;
