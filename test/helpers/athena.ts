// Athena GetQueryResults pages as Athena sends them, for tests that mock the Athena client (no local Athena exists).
import type { ColumnInfo, GetQueryResultsOutput, Row } from '@aws-sdk/client-athena';

/** A value as Athena sends it: text, or null for SQL NULL (a datum without VarCharValue). */
export type AthenaCell = string | null;

/** One result row: every value as VarCharValue text, NULL as a datum without one. */
export function athenaRow(values: readonly AthenaCell[]): Row {
  return { Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) };
}

/**
 * A result page: the header row of column names (Athena sends it on the first page only; `header: false` for a
 * later page), then the rows; `nextToken` says that another page follows.
 */
export function athenaPage(
  columns: ColumnInfo[],
  rows: readonly (readonly AthenaCell[])[],
  options: { readonly header?: boolean; readonly nextToken?: string } = {},
): GetQueryResultsOutput {
  const header = options.header === false ? [] : [athenaRow(columns.map((c) => c.Name ?? ''))];
  return {
    ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [...header, ...rows.map(athenaRow)] },
    ...(options.nextToken === undefined ? {} : { NextToken: options.nextToken }),
  };
}
