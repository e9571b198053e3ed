// The schema check, derived from schemas/ (the one source of truth for columns); it also finds the unreadable days.
import { addDays, daysFrom } from '../dates.js';
import { sqlString } from '../sql.js';
import { TABLES, type TableName } from '../lake.js';
import { TABLE_SCHEMAS, type JsonSchema } from '../schemas.js';
import type { QueryEngine } from '#functions/ports.js';
import type { Issue } from './report.js';
import { between, showInterval, type Interval } from './scope.js';
import { day, errorMessage, num, text } from './values.js';

/** How a row of each table is named in a detail line. */
const ROW_LABEL: Record<TableName, { readonly column: string; readonly label: string }> = {
  song_data: { column: 'position', label: 'rank' },
  album_data: { column: 'album_id', label: 'album' },
  artist_data: { column: 'artist_id', label: 'artist' },
};

export interface SchemaRule {
  readonly column: string;
  /** SQL that is true for a row breaking the rule. */
  readonly violated: string;
  readonly what: string;
}

const identifier = (name: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unexpected column name ${name}`);
  return `"${name}"`;
};

/** A property is nullable when its type (or, without a type, its enum) admits null. */
function isNullable(property: JsonSchema): boolean {
  const type = property.type;
  if (type === undefined) return Array.isArray(property.enum) && property.enum.includes(null);
  return type === 'null' || (Array.isArray(type) && type.includes('null'));
}

/** The columns a schema forbids to be null, in the schema's order. */
export function nonNullableColumns(schema: JsonSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, property]) => !isNullable(property))
    .map(([name]) => name);
}

/** What SQL can check of a table's schema: non-null columns, minimums, enums of strings. */
export function schemaRules(table: TableName): SchemaRule[] {
  const rules: SchemaRule[] = [];
  for (const [column, property] of Object.entries(TABLE_SCHEMAS[table].properties ?? {})) {
    const c = identifier(column);
    if (!isNullable(property)) rules.push({ column, violated: `${c} IS NULL`, what: `${column} is null` });
    if (typeof property.minimum === 'number') {
      rules.push({
        column,
        violated: `${c} < ${property.minimum}`,
        what: `${column} is below its minimum ${property.minimum}`,
      });
    }
    const values = Array.isArray(property.enum)
      ? property.enum.filter((v): v is string => typeof v === 'string')
      : [];
    if (values.length > 0) {
      rules.push({
        column,
        violated: `${c} NOT IN (${values.map(sqlString).join(', ')})`,
        what: `${column} is not one of ${values.join(', ')}`,
      });
    }
  }
  return rules;
}

export interface SchemaScan {
  readonly issues: Issue[];
  readonly unreadable: Interval[];
}

/** Queries per table spent finding unreadable days; past this, a failing range is reported whole. */
const MAX_PROBES_PER_TABLE = 64;

async function scanTable(engine: QueryEngine, table: TableName, range: Interval): Promise<SchemaScan> {
  const rules = schemaRules(table);
  const label = ROW_LABEL[table];
  const sql = (i: Interval): string =>
    [
      'SELECT snapshot_date, chart_id, count(*) AS row_count',
      ...rules.map(
        (r, k) =>
          `, sum(CASE WHEN ${r.violated} THEN 1 ELSE 0 END) AS n${k}` +
          `, min(CASE WHEN ${r.violated} THEN ${identifier(label.column)} END) AS e${k}`,
      ),
      ` FROM ${table} WHERE ${between('snapshot_date', i)}`,
      ' GROUP BY snapshot_date, chart_id ORDER BY snapshot_date, chart_id',
    ].join('');

  const rows: Record<string, unknown>[] = [];
  const unreadable: (Interval & { readonly message: string })[] = [];
  let probes = 0;
  // A file the engine cannot read fails every query over its day: halve the range until the bad days are found.
  const probe = async (i: Interval): Promise<void> => {
    probes++;
    try {
      rows.push(...(await engine.query(sql(i))).rows);
    } catch (error) {
      if (i.from === i.to || probes >= MAX_PROBES_PER_TABLE) {
        unreadable.push({ ...i, message: errorMessage(error) });
        return;
      }
      const mid = addDays(i.from, Math.floor(daysFrom(i.from, i.to) / 2));
      await probe({ from: i.from, to: mid });
      await probe({ from: addDays(mid, 1), to: i.to });
    }
  };
  await probe(range);

  const issues: Issue[] = unreadable.map((u) => ({
    line: `${table} ${showInterval(u)}: the engine cannot read it, so its rows were not checked: ${u.message}`,
  }));
  for (const row of rows) {
    rules.forEach((rule, k) => {
      const n = num(row[`n${k}`]) ?? 0;
      if (n === 0) return;
      const example = row[`e${k}`];
      const where = example === null || example === undefined ? '' : ` (${label.label} ${text(example)})`;
      issues.push({
        line: `${table} ${text(row.chart_id)} ${day(row.snapshot_date)}: ${rule.what} in ${n} row${n === 1 ? '' : 's'}${where}`,
        count: n,
      });
    });
  }
  return { issues, unreadable };
}

/**
 * Scans every table over the range: the schema check's issues, and the intervals the engine cannot read (a file
 * it trips over), which the other checks leave out.
 */
export async function schemaCheck(engine: QueryEngine, range: Interval): Promise<SchemaScan> {
  const issues: Issue[] = [];
  const unreadable: Interval[] = [];
  for (const table of TABLES) {
    const scan = await scanTable(engine, table, range);
    issues.push(...scan.issues);
    unreadable.push(...scan.unreadable);
  }
  return { issues, unreadable };
}
