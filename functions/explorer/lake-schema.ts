// The lake's tables and columns as the SQL editor completes them, from schemas/ (the same source as the DuckDB
// views and the Glue tables), with snapshot_date, the partition column, added to each table.
import { TABLE_SCHEMAS, type JsonSchema } from '#functions/core/schemas.js';
import { TABLES, type TableName } from '#functions/core/lake.js';

export interface ColumnHelp {
  readonly name: string;
  /** The JSON Schema type, e.g. `string`, `integer`, `string[]`. */
  readonly type: string;
  readonly description?: string;
}

export type LakeSchema = Readonly<Record<TableName, readonly ColumnHelp[]>>;

function typeOf(property: JsonSchema): string {
  const type = ([] as unknown[]).concat(property.type ?? 'string').find((t) => t !== 'null');
  return type === 'array' ? `${typeOf((property.items ?? {}) as JsonSchema)}[]` : String(type);
}

const PARTITION: ColumnHelp = {
  name: 'snapshot_date',
  type: 'DATE',
  description: 'The chart date; the partition column: a filter on it reads only those days.',
};

export function lakeSchema(): LakeSchema {
  const schema = {} as Record<TableName, readonly ColumnHelp[]>;
  for (const table of TABLES) {
    const columns = Object.entries(TABLE_SCHEMAS[table].properties ?? {}).map(([name, p]) => ({
      name,
      type: typeOf(p),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
    }));
    schema[table] = [...columns, PARTITION];
  }
  return schema;
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` escaped as \u escapes, so that no value
 * can close the element or open a comment; U+2028/2029 too, for older JavaScript parsers.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
