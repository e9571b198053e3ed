// Data-quality checks over the lake, written as SQL for any engine behind a small port (DuckDB locally, Athena later).
// Every query filters snapshot_date with DATE literals, so an engine with partition pruning reads only the checked days.
import { addDays, isIsoDate } from './chart.js';
import { EtlError } from '../errors.js';
import { TABLES, type TableName } from './lake.js';
import { TABLE_SCHEMAS, type JsonSchema } from './schemas.js';

/** The one thing the checks need of a query engine (LakeQueryEngine satisfies it). */
export interface SqlEngine {
  query(sql: string): Promise<{ readonly rows: readonly Record<string, unknown>[] }>;
}

export interface CheckOptions {
  /** First chart date checked; default: 6 days before `to` (a week). */
  readonly from?: string;
  /** Last chart date checked; default: `today`, and only then is freshness checked. */
  readonly to?: string;
  /** The current date (YYYY-MM-DD, UTC), injected: the domain does not read the clock. */
  readonly today: string;
  /** Freshness: the latest chart date may be at most this many days before `today` (default 2). */
  readonly maxAgeDays?: number;
}

export type CheckName = 'schema' | 'ranks' | 'duplicates' | 'references' | 'previous_rank' | 'freshness';

export interface CheckResult {
  readonly name: CheckName;
  readonly ok: boolean;
  /** Failing items: ranks, rows, keys or chart days, as each check's details say. */
  readonly failures: number;
  /** Lines that explain without failing (a relinked track id); they are among the details, marked "note:". */
  readonly notes: number;
  /** Up to MAX_DETAILS readable lines; the last one says how many more when there are more. */
  readonly details: readonly string[];
}

export interface CheckReport {
  readonly ok: boolean;
  /** From the first checked date to the last. */
  readonly range: { readonly from: string; readonly to: string };
  /** The ranges checked, when there were several (`check --pending`): the days between them were not. */
  readonly ranges?: readonly { readonly from: string; readonly to: string }[];
  /** What the range held: with 0 chart days every check passes vacuously. */
  readonly checked: { readonly chartDays: number; readonly songRows: number };
  readonly checks: readonly CheckResult[];
}

export const MAX_DETAILS = 20;
export const DEFAULT_MAX_AGE_DAYS = 2;
export const DEFAULT_RANGE_DAYS = 7;

/** How a row of each table is named in a detail line. */
const ROW_LABEL: Record<TableName, { readonly column: string; readonly label: string }> = {
  song_data: { column: 'position', label: 'rank' },
  album_data: { column: 'album_id', label: 'album' },
  artist_data: { column: 'artist_id', label: 'artist' },
};

// ---------------------------------------------------------------------------------------------------------------
// Dates: validated strictly before they go into SQL text.

const DAY_MS = 86_400_000;

function checkDate(name: string, value: string): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new EtlError(`Check option ${name} "${String(value)}" is not a calendar date.`, {
      hint: 'Dates are YYYY-MM-DD, e.g. 2024-02-07.',
    });
  }
  return value;
}

const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** An engine may hand a DATE back as a string or a Date. */
function day(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

/** An engine may hand numbers back as number, bigint or string (Athena). */
function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isNaN(n) ? null : n;
}

const text = (value: unknown): string => (value === null || value === undefined ? 'null' : String(value));

const sqlString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

const errorMessage = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).trim();

// ---------------------------------------------------------------------------------------------------------------
// The checked days: a range, minus intervals the engine could not read (found by the schema check).

interface Interval {
  readonly from: string;
  readonly to: string;
}

interface Scope extends Interval {
  readonly unreadable: readonly Interval[];
}

const between = (column: string, i: Interval): string =>
  `${column} BETWEEN DATE '${i.from}' AND DATE '${i.to}'`;

/** The snapshot_date filter of a scope, optionally shifted (the previous day of every checked day). */
function within(scope: Scope, column = 'snapshot_date', shiftDays = 0): string {
  const range = { from: addDays(scope.from, shiftDays), to: addDays(scope.to, shiftDays) };
  return [between(column, range), ...scope.unreadable.map((i) => `NOT (${between(column, i)})`)].join(
    ' AND ',
  );
}

const showInterval = (i: Interval): string => (i.from === i.to ? i.from : `${i.from}…${i.to}`);

// ---------------------------------------------------------------------------------------------------------------
// Results

interface Issue {
  readonly line: string;
  /** Failing items this line stands for (default 1); 0 makes the line a note that does not fail the check. */
  readonly count?: number;
}

/** At most MAX_DETAILS lines, the last saying how many more there were. */
export function capDetails(lines: readonly string[]): readonly string[] {
  return lines.length <= MAX_DETAILS
    ? lines
    : [...lines.slice(0, MAX_DETAILS - 1), `… and ${lines.length - MAX_DETAILS + 1} more`];
}

function result(name: CheckName, issues: readonly Issue[]): CheckResult {
  const failures = issues.reduce((n, i) => n + (i.count ?? 1), 0);
  const details = capDetails(issues.map((i) => i.line));
  const notes = issues.filter((i) => i.count === 0).length;
  return { name, ok: failures === 0, failures, notes, details };
}

async function guarded(name: CheckName, run: () => Promise<readonly Issue[]>): Promise<CheckResult> {
  try {
    return result(name, await run());
  } catch (error) {
    return result(name, [{ line: `could not run: ${errorMessage(error)}` }]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 6. schema — derived from schemas/, the one source of truth for columns.

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

interface SchemaScan {
  readonly issues: Issue[];
  readonly unreadable: Interval[];
}

/** Queries per table spent finding unreadable days; past this, a failing range is reported whole. */
const MAX_PROBES_PER_TABLE = 64;

async function scanTable(engine: SqlEngine, table: TableName, range: Interval): Promise<SchemaScan> {
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
      const mid = addDays(i.from, Math.floor(daysBetween(i.from, i.to) / 2));
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

// ---------------------------------------------------------------------------------------------------------------
// 1. ranks — positions 1..N, each once, per chart day.

const rankSpan = (first: number, last: number): string =>
  first === last ? `rank ${first}` : `ranks ${first}–${last}`;

async function ranks(engine: SqlEngine, scope: Scope): Promise<Issue[]> {
  const { rows } = await engine.query(`
    WITH p AS (
      SELECT chart_id, snapshot_date, position, count(*) AS n
      FROM song_data
      WHERE ${within(scope)} AND position IS NOT NULL
      GROUP BY chart_id, snapshot_date, position
    ), g AS (
      SELECT chart_id, snapshot_date, position, n,
             lag(position) OVER (PARTITION BY chart_id, snapshot_date ORDER BY position) AS prev_position
      FROM p
    )
    SELECT chart_id, snapshot_date, position, n, prev_position
    FROM g
    WHERE n > 1 OR position - coalesce(prev_position, 0) > 1
    ORDER BY chart_id, snapshot_date, position`);
  const issues: Issue[] = [];
  // Consecutive ranks duplicated the same number of times make one line ("ranks 1–200 appear 2 times each").
  let dup: { where: string; first: number; last: number; n: number } | undefined;
  const flush = (): void => {
    if (!dup) return;
    const single = dup.first === dup.last;
    issues.push({
      line: `${dup.where}: ${rankSpan(dup.first, dup.last)} ${single ? 'appears' : 'appear'} ${dup.n} times${single ? '' : ' each'}`,
      count: dup.last - dup.first + 1,
    });
    dup = undefined;
  };
  for (const row of rows) {
    const where = `${text(row.chart_id)} ${day(row.snapshot_date)}`;
    const position = num(row.position) ?? 0;
    const before = num(row.prev_position) ?? 0;
    const n = num(row.n) ?? 1;
    if (dup && (dup.where !== where || dup.last + 1 !== position || dup.n !== n)) flush();
    if (position - before > 1) {
      issues.push({
        line: `${where}: ${rankSpan(before + 1, position - 1)} missing`,
        count: position - before - 1,
      });
    }
    if (n > 1) {
      if (dup) dup.last = position;
      else dup = { where, first: position, last: position, n };
    }
  }
  flush();
  return issues;
}

// ---------------------------------------------------------------------------------------------------------------
// 3. duplicates — one run per chart day, and no key twice within a run.

async function duplicates(engine: SqlEngine, scope: Scope): Promise<Issue[]> {
  const runs = await engine.query(
    TABLES.map(
      (t) =>
        `SELECT '${t}' AS table_name, chart_id, snapshot_date, run_id, count(*) AS n FROM ${t} WHERE ${within(scope)} GROUP BY chart_id, snapshot_date, run_id`,
    ).join(' UNION ALL ') + ' ORDER BY chart_id, snapshot_date, run_id, table_name',
  );
  const byDay = new Map<string, Map<string, string[]>>();
  for (const row of runs.rows) {
    const where = `${text(row.chart_id)} ${day(row.snapshot_date)}`;
    const ofDay = byDay.get(where) ?? new Map<string, string[]>();
    byDay.set(where, ofDay);
    const ofRun = ofDay.get(text(row.run_id)) ?? [];
    ofDay.set(text(row.run_id), ofRun);
    ofRun.push(`${text(row.n)} ${text(row.table_name)}`);
  }
  const issues: Issue[] = [];
  for (const [where, ofDay] of byDay) {
    if (ofDay.size < 2) continue;
    const list = [...ofDay].map(([run, counts]) => `${run}: ${counts.join(', ')}`).join('; ');
    issues.push({
      line: `${where}: ${ofDay.size} runs (${list}): a re-run did not replace the earlier one, the day counts twice`,
    });
  }

  const positions = await engine.query(`
    SELECT chart_id, snapshot_date, run_id, position, count(*) AS n,
           count(DISTINCT coalesce(song_id, song_name)) AS songs, min(song_name) AS song_name
    FROM song_data
    WHERE ${within(scope)}
    GROUP BY chart_id, snapshot_date, run_id, position
    HAVING count(*) > 1
    ORDER BY chart_id, snapshot_date, position, run_id`);
  for (const row of positions.rows) {
    const songs = num(row.songs) ?? 0;
    const what = songs <= 1 ? `"${text(row.song_name)}" each time` : `${songs} different songs`;
    issues.push({
      line: `${text(row.chart_id)} ${day(row.snapshot_date)}: rank ${text(row.position)} appears ${text(row.n)} times in run ${text(row.run_id)} (${what})`,
    });
  }

  const keys: [TableName, string, string][] = [
    ['album_data', 'album_id', 'album'],
    ['artist_data', 'artist_id', 'artist'],
  ];
  for (const [table, key, label] of keys) {
    const { rows } = await engine.query(`
      SELECT chart_id, snapshot_date, run_id, ${key} AS id, count(*) AS n
      FROM ${table}
      WHERE ${within(scope)}
      GROUP BY chart_id, snapshot_date, run_id, ${key}
      HAVING count(*) > 1
      ORDER BY chart_id, snapshot_date, ${key}`);
    for (const row of rows) {
      issues.push({
        line: `${table} ${text(row.chart_id)} ${day(row.snapshot_date)}: ${label} ${text(row.id)} appears ${text(row.n)} times in run ${text(row.run_id)}`,
      });
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. references — an enriched song's album and artists have their rows on the same chart day.

async function references(engine: SqlEngine, scope: Scope): Promise<Issue[]> {
  const albums = await engine.query(`
    SELECT s.chart_id, s.snapshot_date, s.album_id, count(*) AS songs, min(s.position) AS position
    FROM song_data s
    WHERE ${within(scope, 's.snapshot_date')} AND s.album_id IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM album_data a
        WHERE ${within(scope, 'a.snapshot_date')}
          AND a.snapshot_date = s.snapshot_date AND a.chart_id = s.chart_id AND a.album_id = s.album_id)
    GROUP BY s.chart_id, s.snapshot_date, s.album_id
    ORDER BY s.chart_id, s.snapshot_date, position`);
  // Rows without enrichment (album_id null: no credentials, local files) have nothing to refer to.
  // The filter sits in a CTE below the UNNEST: DuckDB does not push it through the lateral join, so without
  // the CTE it would read (and trip over) every day of the lake.
  const artists = await engine.query(`
    WITH s AS (
      SELECT chart_id, snapshot_date, position, artist_ids
      FROM song_data
      WHERE ${within(scope)} AND album_id IS NOT NULL
    )
    SELECT s.chart_id, s.snapshot_date, t.artist_id, count(*) AS songs, min(s.position) AS position
    FROM s
    CROSS JOIN UNNEST(s.artist_ids) AS t(artist_id)
    WHERE NOT EXISTS (
        SELECT 1 FROM artist_data a
        WHERE ${within(scope, 'a.snapshot_date')}
          AND a.snapshot_date = s.snapshot_date AND a.chart_id = s.chart_id AND a.artist_id = t.artist_id)
    GROUP BY s.chart_id, s.snapshot_date, t.artist_id
    ORDER BY s.chart_id, s.snapshot_date, position`);
  const line = (row: Record<string, unknown>, kind: 'album' | 'artist', id: unknown): Issue => {
    const more = (num(row.songs) ?? 1) - 1;
    const of = `the song at rank ${text(row.position)}${more > 0 ? ` and ${more} more` : ''}`;
    return {
      line: `${text(row.chart_id)} ${day(row.snapshot_date)}: ${kind} ${text(id)} of ${of} has no ${kind}_data row`,
    };
  };
  return [
    ...albums.rows.map((r) => line(r, 'album', r.album_id)),
    ...artists.rows.map((r) => line(r, 'artist', r.artist_id)),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// 4. previous_rank — agrees with the previous day's chart, where the lake has that day.

async function previousRank(engine: SqlEngine, scope: Scope): Promise<Issue[]> {
  const { rows } = await engine.query(`
    WITH cur AS (
      SELECT chart_id, snapshot_date, song_id, song_name, position, previous_rank
      FROM song_data
      WHERE ${within(scope)} AND song_id IS NOT NULL AND chart_id LIKE '%-daily'
    ), prev AS (
      SELECT chart_id, snapshot_date, song_id, song_name, position
      FROM song_data
      WHERE ${within(scope, 'snapshot_date', -1)} AND chart_id LIKE '%-daily'
    ), prev_days AS (
      SELECT DISTINCT chart_id, snapshot_date FROM prev
    ), seen AS (
      SELECT chart_id, snapshot_date, song_id, min(position) AS first_position, max(position) AS last_position
      FROM prev WHERE song_id IS NOT NULL
      GROUP BY chart_id, snapshot_date, song_id
    ), at_rank AS (
      SELECT chart_id, snapshot_date, position, min(song_id) AS song_id, min(song_name) AS song_name
      FROM prev
      GROUP BY chart_id, snapshot_date, position
    )
    SELECT c.chart_id, c.snapshot_date, c.song_id, c.song_name, c.position, c.previous_rank,
           s.first_position AS was, o.song_id AS other_id, o.song_name AS other_name
    FROM cur c
    JOIN prev_days d ON d.chart_id = c.chart_id AND d.snapshot_date = c.snapshot_date - INTERVAL '1' DAY
    LEFT JOIN seen s ON s.chart_id = c.chart_id AND s.snapshot_date = d.snapshot_date AND s.song_id = c.song_id
    LEFT JOIN at_rank o ON o.chart_id = c.chart_id AND o.snapshot_date = d.snapshot_date
                       AND o.position = c.previous_rank
    WHERE (c.previous_rank IS NULL AND s.song_id IS NOT NULL)
       OR (c.previous_rank IS NOT NULL AND s.song_id IS NULL)
       OR (c.previous_rank <> s.first_position AND c.previous_rank <> s.last_position)
    ORDER BY c.chart_id, c.snapshot_date, c.position`);
  return rows.map((row) => {
    const date = day(row.snapshot_date);
    const before = addDays(date, -1);
    const song = `"${text(row.song_name)}" (${text(row.song_id)}) at rank ${text(row.position)}`;
    const claims =
      row.previous_rank === null || row.previous_rank === undefined
        ? 'previous_rank null (a new entry)'
        : `previous_rank ${text(row.previous_rank)}`;
    let fact: string;
    if (row.was !== null && row.was !== undefined) fact = `it was at rank ${text(row.was)} on ${before}`;
    else {
      fact = `it was not on the ${before} chart`;
      if (row.other_id !== null && row.other_id !== undefined) {
        // Spotify relinks a song to a new track id (a re-release, a new edition) and the chart keeps its rank:
        // the same song under another id, told by its title (one title starts the other, case aside).
        const a = text(row.other_name).toLowerCase();
        const b = text(row.song_name).toLowerCase();
        if (a !== '' && b !== '' && (a.startsWith(b) || b.startsWith(a))) {
          return {
            line: `note: ${text(row.chart_id)} ${date}: ${song} has ${claims}; on ${before} that rank held "${text(row.other_name)}" under track id ${text(row.other_id)}: the same song relinked to a new track id`,
            count: 0,
          };
        }
        fact += ` (rank ${text(row.previous_rank)} there: "${text(row.other_name)}" ${text(row.other_id)})`;
      }
    }
    return { line: `${text(row.chart_id)} ${date}: ${song} has ${claims}, but ${fact}` };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 5. freshness — the latest chart date is recent.

async function freshness(
  engine: SqlEngine,
  scope: Scope,
  today: string,
  maxAgeDays: number,
): Promise<Issue[]> {
  const oldest = addDays(today, -maxAgeDays);
  const window: Scope = { ...scope, from: scope.from < oldest ? scope.from : oldest, to: today };
  const { rows } = await engine.query(
    `SELECT max(snapshot_date) AS latest FROM song_data WHERE ${within(window)}`,
  );
  const latest = rows[0]?.latest;
  if (latest === null || latest === undefined) {
    return [
      { line: `no chart date between ${window.from} and ${today} (at most ${maxAgeDays} days old allowed)` },
    ];
  }
  const age = daysBetween(day(latest), today);
  return age <= maxAgeDays
    ? []
    : [
        {
          line: `the latest chart date ${day(latest)} is ${age} days before ${today} (at most ${maxAgeDays} allowed): has the daily run stopped?`,
        },
      ];
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs every check over the chart dates from..to. Never throws for bad data: a file the engine cannot read is a
 * schema failure (its days are left out of the other checks); a check whose query fails reports that it could not
 * run. Throws EtlError only for invalid options.
 */
export async function runChecks(engine: SqlEngine, options: CheckOptions): Promise<CheckReport> {
  const today = checkDate('today', options.today);
  const to = options.to === undefined ? today : checkDate('to', options.to);
  const from =
    options.from === undefined ? addDays(to, 1 - DEFAULT_RANGE_DAYS) : checkDate('from', options.from);
  if (from > to) {
    throw new EtlError(`Check range from ${from} to ${to} is empty: from is after to.`, {
      hint: 'Give --from on or before --to.',
    });
  }
  const maxAgeDays = options.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS;
  if (!Number.isInteger(maxAgeDays) || maxAgeDays < 0) {
    throw new EtlError(`Check option maxAgeDays ${String(maxAgeDays)} is not a whole number of days ≥ 0.`);
  }

  const schemaIssues: Issue[] = [];
  const unreadable: Interval[] = [];
  for (const table of TABLES) {
    const scan = await scanTable(engine, table, { from, to });
    schemaIssues.push(...scan.issues);
    unreadable.push(...scan.unreadable);
  }
  const scope: Scope = { from, to, unreadable };

  const checks: CheckResult[] = [
    result('schema', schemaIssues),
    await guarded('ranks', () => ranks(engine, scope)),
    await guarded('duplicates', () => duplicates(engine, scope)),
    await guarded('references', () => references(engine, scope)),
    await guarded('previous_rank', () => previousRank(engine, scope)),
  ];
  if (options.to === undefined) {
    checks.push(await guarded('freshness', () => freshness(engine, scope, today, maxAgeDays)));
  }

  let checked = { chartDays: 0, songRows: 0 };
  try {
    const { rows } = await engine.query(`
      SELECT count(*) AS chart_days, coalesce(sum(n), 0) AS song_rows
      FROM (SELECT chart_id, snapshot_date, count(*) AS n FROM song_data WHERE ${within(scope)}
            GROUP BY chart_id, snapshot_date) AS d`);
    checked = { chartDays: num(rows[0]?.chart_days) ?? 0, songRows: num(rows[0]?.song_rows) ?? 0 };
  } catch {
    // The counts are context for the reader; the checks above already report an engine that cannot answer.
  }
  return { ok: checks.every((c) => c.ok), range: { from, to }, checked, checks };
}

/** One line per check (✓/✗, failures), its details indented below. */
export function formatCheckReport(report: CheckReport): string {
  const failed = report.checks.filter((c) => !c.ok).length;
  const span = (r: { readonly from: string; readonly to: string }): string =>
    r.from === r.to ? r.from : `${r.from} … ${r.to}`;
  const lines = [
    `Checks of ${(report.ranges ?? [report.range]).map(span).join(', ')} (${report.checked.chartDays} chart days, ${report.checked.songRows} song rows): ` +
      (failed === 0 ? 'all passed' : `${failed} of ${report.checks.length} failed`),
  ];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  for (const check of report.checks) {
    const failures =
      (check.ok ? '' : `  ${check.failures} failure${check.failures === 1 ? '' : 's'}`) +
      (check.notes > 0 ? `  ${check.notes} note${check.notes === 1 ? '' : 's'}` : '');
    lines.push(`${check.ok ? '✓' : '✗'} ${check.name.padEnd(width)}${failures}`.trimEnd());
    for (const detail of check.details) lines.push(`    ${detail}`);
  }
  return lines.join('\n');
}
