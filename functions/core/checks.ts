// Data-quality checks over the lake, written as SQL for any engine behind a small port (DuckDB locally, Athena later).
// Every query filters snapshot_date with DATE literals, so an engine with partition pruning reads only the checked days.
import { addDays, daysFrom, isIsoDate } from './dates.js';
import { sqlString } from './sql.js';
import { SPOTIFY_CHART_SIZE } from './charts-csv.js';
import { EtlError } from '../errors.js';
import { KNOWN_GAPS, TABLES, type TableName } from './lake.js';
import { TABLE_SCHEMAS, type JsonSchema } from './schemas.js';
import type { Storage } from '../ports.js';

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
  /** Absences and short charts declared in advance (KNOWN_GAPS, read with readKnownGaps): notes, not failures. */
  readonly knownGaps?: readonly KnownGap[];
  /**
   * Only these chart dates of the range have to hold the range's charts (`check --pending`: the dates written; the
   * days between them are in the range to save queries, and are checked for what they hold, not for being there).
   */
  readonly coverageDates?: readonly string[];
}

export type CheckName =
  'schema' | 'coverage' | 'ranks' | 'duplicates' | 'references' | 'previous_rank' | 'freshness' | 'markers';

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
  /** What the range held: 0 chart days fails coverage (an explicit range) or freshness (the recent days). */
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

function checkDate(name: string, value: string): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new EtlError(`Check option ${name} "${String(value)}" is not a calendar date.`, {
      hint: 'Dates are YYYY-MM-DD, e.g. 2024-02-07.',
    });
  }
  return value;
}

const daysBetween = daysFrom;

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

/** Every date from..to, in order. */
function datesOf(i: Interval): string[] {
  const dates: string[] = [];
  for (let d = i.from; d <= i.to; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/** Runs of consecutive dates listed in a detail line at most; the rest are counted. */
const MAX_DATE_RUNS = 10;

/** Sorted dates as runs: "2024-02-07, 2024-02-10…2024-02-12", the runs past MAX_DATE_RUNS counted. */
export function dateList(dates: readonly string[]): string {
  const runs: { from: string; to: string }[] = [];
  for (const date of dates) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.to, 1) === date) last.to = date;
    else runs.push({ from: date, to: date });
  }
  const shown = runs.slice(0, MAX_DATE_RUNS).map(showInterval);
  const hidden = runs.slice(MAX_DATE_RUNS).reduce((n, r) => n + daysBetween(r.from, r.to) + 1, 0);
  return shown.join(', ') + (hidden > 0 ? `, and ${hidden} more day${hidden === 1 ? '' : 's'}` : '');
}

// ---------------------------------------------------------------------------------------------------------------
// Known gaps: what the lake is known to lack, declared once so that the checks keep failing for everything else.

export { KNOWN_GAPS } from './lake.js';

/**
 * One entry of `top_200_global/checks/known-gaps.json`, a JSON array of them:
 * ```json
 * [
 *   { "chart_id": "regional-global-daily", "from": "2024-12-25", "to": "2024-12-25",
 *     "reason": "Spotify published no chart that day" },
 *   { "chart_id": "regional-au-daily", "from": "2024-02-07", "to": "2024-02-07", "expected_entries": 150,
 *     "reason": "charts.spotify.com lists 150 entries that day" },
 *   { "from": "2025-01-01", "to": "2025-01-03", "reason": "extraction down, not backfilled" }
 * ]
 * ```
 * Without `expected_entries`: the chart (every chart, when `chart_id` is left out) is known to be absent from..to
 * (dates inclusive), so the coverage check does not ask for it. With `expected_entries`: the chart is there with that
 * many entries instead of its usual size, so the ranks check asks for exactly 1..expected_entries (and the chart must
 * still be there). An entry naming the chart wins over one without `chart_id`. A declared gap that excused something
 * is listed as a note.
 */
export interface KnownGap {
  readonly chart_id?: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly expected_entries?: number;
}

const KNOWN_GAP_FIELDS: ReadonlySet<string> = new Set([
  'chart_id',
  'from',
  'to',
  'reason',
  'expected_entries',
]);

const KNOWN_GAPS_HINT =
  'known-gaps.json is a JSON array of {"chart_id"?: "regional-global-daily", "from": "YYYY-MM-DD", ' +
  '"to": "YYYY-MM-DD", "reason": "…", "expected_entries"?: 150}; leave out expected_entries for a chart absent on those days.';

/** Known gaps from any source (the file's JSON, a caller's option), validated: throws EtlError naming the bad entry. */
export function validateKnownGaps(value: unknown, source: string = KNOWN_GAPS): KnownGap[] {
  if (!Array.isArray(value)) {
    throw new EtlError(`${source} is not a JSON array of known gaps.`, { hint: KNOWN_GAPS_HINT });
  }
  return value.map((entry: unknown, index): KnownGap => {
    const shown = JSON.stringify(entry) ?? String(entry);
    const bad = (why: string): never => {
      throw new EtlError(
        `${source}: entry ${index + 1} ${shown.length > 160 ? `${shown.slice(0, 159)}…` : shown} ${why}.`,
        { hint: KNOWN_GAPS_HINT },
      );
    };
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return bad('is not an object');
    const e = entry as Record<string, unknown>;
    // A misspelt field ("expected_entires") would otherwise be a gap that silently does nothing.
    const unknown = Object.keys(e).filter((k) => !KNOWN_GAP_FIELDS.has(k));
    if (unknown.length > 0) bad(`has unknown field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}`);
    const date = (field: 'from' | 'to'): string => {
      const v = e[field];
      return typeof v === 'string' && isIsoDate(v)
        ? v
        : bad(`has ${field} ${JSON.stringify(v) ?? 'missing'}, not a calendar date YYYY-MM-DD`);
    };
    const from = date('from');
    const to = date('to');
    if (from > to) bad(`has from ${from} after to ${to}`);
    if (typeof e.reason !== 'string' || e.reason.trim() === '')
      bad('has no reason: say why the gap is known');
    const chartId = e.chart_id;
    if (chartId !== undefined && (typeof chartId !== 'string' || chartId.trim() === '')) {
      bad('has a chart_id that is not a chart id such as "regional-global-daily"');
    }
    const size = e.expected_entries;
    if (size !== undefined && !(typeof size === 'number' && Number.isInteger(size) && size >= 1)) {
      bad('has an expected_entries that is not a whole number ≥ 1');
    }
    return {
      ...(typeof chartId === 'string' ? { chart_id: chartId } : {}),
      from,
      to,
      reason: String(e.reason),
      ...(typeof size === 'number' ? { expected_entries: size } : {}),
    };
  });
}

/** The known-gaps file's text, validated. */
export function parseKnownGaps(text: string, source: string = KNOWN_GAPS): KnownGap[] {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, '')); // an editor's byte-order mark is not a syntax error
  } catch (error) {
    throw new EtlError(`${source} is not valid JSON: ${errorMessage(error)}`, { hint: KNOWN_GAPS_HINT });
  }
  return validateKnownGaps(value, source);
}

/** The lake's declared known gaps; none when the file does not exist. Throws EtlError for a file it cannot use. */
export async function readKnownGaps(storage: Pick<Storage, 'get'>): Promise<KnownGap[]> {
  let body: Uint8Array | undefined;
  try {
    body = await storage.get(KNOWN_GAPS);
  } catch (error) {
    throw new EtlError(`Could not read ${KNOWN_GAPS}: ${errorMessage(error)}`, {
      hint: 'On AWS the checker needs s3:GetObject on that key, and s3:ListBucket for it (S3 answers a missing key with 403 without it).',
      cause: error,
    });
  }
  return body === undefined ? [] : parseKnownGaps(new TextDecoder().decode(body));
}

const covers = (gap: KnownGap, chartId: string | undefined, date: string): boolean =>
  (gap.chart_id === undefined || gap.chart_id === chartId) && gap.from <= date && date <= gap.to;

/** The gap that says a chart is absent on a date (chartId undefined: every chart, as for a day with no chart). */
function absenceGap(
  gaps: readonly KnownGap[],
  chartId: string | undefined,
  date: string,
): KnownGap | undefined {
  const absences = gaps.filter((g) => g.expected_entries === undefined && covers(g, chartId, date));
  return absences.find((g) => g.chart_id === chartId) ?? absences[0];
}

/** The gap that declares a chart day's size; one naming the chart wins. */
function sizeGap(gaps: readonly KnownGap[], chartId: string, date: string): KnownGap | undefined {
  const sizes = gaps.filter((g) => g.expected_entries !== undefined && covers(g, chartId, date));
  return sizes.find((g) => g.chart_id === chartId) ?? sizes[0];
}

/** Notes for the gaps that excused something: the chart, the dates, the declared reason. */
class GapNotes {
  private readonly used = new Map<KnownGap, { readonly who: string; readonly dates: Set<string> }>();

  use(gap: KnownGap, date: string): void {
    const entry = this.used.get(gap) ?? { who: gap.chart_id ?? 'every chart', dates: new Set<string>() };
    this.used.set(gap, entry);
    entry.dates.add(date);
  }

  issues(what: (gap: KnownGap) => string): Issue[] {
    return [...this.used].map(([gap, { who, dates }]) => ({
      line: `note: ${who} ${dateList([...dates].sort())}: ${what(gap)} as declared in known-gaps.json (${gap.reason})`,
      count: 0,
    }));
  }
}

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
// 1. schema — derived from schemas/, the one source of truth for columns.

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
// The chart days of a scope: what coverage and the chart size are judged on.

interface ChartDay {
  readonly chartId: string;
  readonly date: string;
  readonly lastPosition: number;
  /** Rows of the offline demo, whose chart has no fixed size (older lakes hold it as regional-global-daily). */
  readonly demo: boolean;
}

async function queryChartDays(engine: SqlEngine, scope: Scope): Promise<ChartDay[]> {
  const { rows } = await engine.query(`
    SELECT chart_id, snapshot_date, count(*) AS n, max(position) AS last_position,
           sum(CASE WHEN source_kind = 'demo' THEN 1 ELSE 0 END) AS demo_rows
    FROM song_data
    WHERE ${within(scope)}
    GROUP BY chart_id, snapshot_date
    ORDER BY chart_id, snapshot_date`);
  return rows.map((row) => ({
    chartId: text(row.chart_id),
    date: day(row.snapshot_date),
    lastPosition: num(row.last_position) ?? 0,
    demo: (num(row.demo_rows) ?? 0) === (num(row.n) ?? 0),
  }));
}

/** Spotify's regional charts (charts.spotify.com, daily and weekly) are a Top 200. */
const TOP_200_CHART = /^regional-[a-z0-9]+-(?:daily|weekly)$/;

/** A weekly chart is published once every 7 days. */
const cadenceDays = (chartId: string): number => (chartId.endsWith('-weekly') ? 7 : 1);

// ---------------------------------------------------------------------------------------------------------------
// 2. coverage — every checked day holds every chart the range holds.

interface CoveragePlan {
  /**
   * An explicit range (--date, --from/--to, pending dates) is asked for in full. The recent days (no `to`) are asked
   * for from a chart's first date in them to the latest chart date: a lake that began within them passes, and the
   * days not yet extracted are for freshness to report.
   */
  readonly explicit: boolean;
  readonly coverageDates?: readonly string[];
  readonly knownGaps: readonly KnownGap[];
}

function coverage(days: readonly ChartDay[], scope: Scope, plan: CoveragePlan): Issue[] {
  const only = plan.coverageDates === undefined ? undefined : new Set(plan.coverageDates);
  // Unreadable days fail the schema check; what they hold is unknown, so they are not also called missing.
  let checked = datesOf(scope).filter(
    (d) => (only === undefined || only.has(d)) && !scope.unreadable.some((u) => u.from <= d && d <= u.to),
  );
  const held = new Map<string, Set<string>>();
  const withRows = new Set<string>();
  for (const d of days) {
    const dates = held.get(d.chartId) ?? new Set<string>();
    held.set(d.chartId, dates);
    dates.add(d.date);
    withRows.add(d.date);
  }
  if (!plan.explicit) {
    const latest = [...withRows].sort().pop();
    if (latest === undefined) return []; // freshness reports the empty window
    checked = checked.filter((d) => d <= latest);
  }

  // The dates each chart is expected on: every checked day, or every 7th from its first for a weekly chart.
  const expected = new Map<string, string[]>();
  for (const [chartId, dates] of held) {
    const first = [...dates].sort()[0] ?? scope.from;
    const cadence = cadenceDays(chartId);
    expected.set(
      chartId,
      checked.filter(
        (d) => (plan.explicit || d >= first) && ((daysBetween(first, d) % cadence) + cadence) % cadence === 0,
      ),
    );
  }

  const expectedOn = new Map([...expected].map(([chartId, dates]) => [chartId, new Set(dates)]));
  const notes = new GapNotes();
  const noChart: string[] = [];
  for (const date of checked) {
    if (withRows.has(date)) continue;
    const excused = (chartId: string | undefined): boolean => {
      const gap = absenceGap(plan.knownGaps, chartId, date);
      if (gap) notes.use(gap, date);
      return gap !== undefined;
    };
    // A range that holds no chart at all still expects one on each of its days.
    const wanted =
      held.size === 0
        ? !excused(undefined)
        : [...expected]
            .filter(([chartId]) => expectedOn.get(chartId)?.has(date))
            .map(([chartId]) => !excused(chartId))
            .some(Boolean);
    if (wanted) noChart.push(date);
  }

  const issues: Issue[] = [];
  if (noChart.length > 0) issues.push({ line: `no chart on ${dateList(noChart)}`, count: noChart.length });
  const empty = new Set(noChart);
  for (const [chartId, dates] of [...expected].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const has = held.get(chartId) ?? new Set<string>();
    const missing = dates.filter((date) => {
      if (has.has(date) || empty.has(date)) return false;
      const gap = absenceGap(plan.knownGaps, chartId, date);
      if (gap) notes.use(gap, date);
      return gap === undefined;
    });
    if (missing.length > 0) {
      issues.push({
        line: `${chartId}: missing on ${dateList(missing)} (${missing.length} of ${dates.length} chart dates)`,
        count: missing.length,
      });
    }
  }
  return [...issues, ...notes.issues(() => 'absent')];
}

// ---------------------------------------------------------------------------------------------------------------
// 3. ranks — positions 1..N, each once, per chart day, where N is the chart's size when it has a fixed one.

const rankSpan = (first: number, last: number): string =>
  first === last ? `rank ${first}` : `ranks ${first}–${last}`;

/**
 * The entries a chart day must hold: as declared in the known gaps; 200 for Spotify's regional charts; none fixed
 * for playlists and the demo (their size is their last rank, and the gap query finds what is missing below it).
 */
function chartSize(d: ChartDay, gaps: readonly KnownGap[]): { size: number; gap?: KnownGap } | undefined {
  const gap = sizeGap(gaps, d.chartId, d.date);
  if (gap?.expected_entries !== undefined) return { size: gap.expected_entries, gap };
  return !d.demo && TOP_200_CHART.test(d.chartId) ? { size: SPOTIFY_CHART_SIZE } : undefined;
}

async function ranks(
  engine: SqlEngine,
  scope: Scope,
  chartDays: readonly ChartDay[],
  knownGaps: readonly KnownGap[],
): Promise<Issue[]> {
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
  // Lines per chart day, so that a chart's missing tail follows the gaps found below its last rank.
  const byDay = new Map<string, Issue[]>();
  const push = (where: string, issue: Issue): void => {
    const issues = byDay.get(where);
    if (issues) issues.push(issue);
    else byDay.set(where, [issue]);
  };
  // Consecutive ranks duplicated the same number of times make one line ("ranks 1–200 appear 2 times each").
  let dup: { where: string; first: number; last: number; n: number } | undefined;
  const flush = (): void => {
    if (!dup) return;
    const single = dup.first === dup.last;
    push(dup.where, {
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
      push(where, {
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

  const notes = new GapNotes();
  const issues: Issue[] = [];
  for (const d of chartDays) {
    const where = `${d.chartId} ${d.date}`;
    issues.push(...(byDay.get(where) ?? []));
    byDay.delete(where);
    const expected = chartSize(d, knownGaps);
    if (expected === undefined) continue;
    const { size, gap } = expected;
    const why = gap
      ? `${size} entries declared in known-gaps.json: ${gap.reason}`
      : `a Spotify regional chart has ${size} entries`;
    if (d.lastPosition < size) {
      issues.push({
        line: `${where}: ${rankSpan(d.lastPosition + 1, size)} missing (${why})`,
        count: size - d.lastPosition,
      });
    } else if (d.lastPosition > size) {
      issues.push({
        line: `${where}: ${rankSpan(size + 1, d.lastPosition)} beyond the chart's size (${why})`,
        count: d.lastPosition - size,
      });
    } else if (gap) notes.use(gap, d.date);
  }
  // A chart day the day query did not list (a file written between the two queries): its lines are kept.
  for (const rest of byDay.values()) issues.push(...rest);
  return [...issues, ...notes.issues((gap) => `${String(gap.expected_entries)} entries`)];
}

// ---------------------------------------------------------------------------------------------------------------
// 4. duplicates — one run per chart day, and no key twice within a run.

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
// 5. references — an enriched song's album and artists have their rows on the same chart day.

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
// 6. previous_rank — agrees with the previous day's chart, where the lake has that day.

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
// 7. freshness — the latest chart date is recent.

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
 * run; a range without data fails coverage (or, for the recent days, freshness). Throws EtlError only for invalid
 * options.
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
  const knownGaps = validateKnownGaps(options.knownGaps ?? [], 'Check option knownGaps');
  const coverageDates = options.coverageDates?.map((d) => checkDate('coverageDates', d));

  const schemaIssues: Issue[] = [];
  const unreadable: Interval[] = [];
  for (const table of TABLES) {
    const scan = await scanTable(engine, table, { from, to });
    schemaIssues.push(...scan.issues);
    unreadable.push(...scan.unreadable);
  }
  const scope: Scope = { from, to, unreadable };

  // One query for both checks that judge whole chart days; when it fails, both say they could not run.
  let days: Promise<ChartDay[]> | undefined;
  const chartDays = (): Promise<ChartDay[]> => (days ??= queryChartDays(engine, scope));
  const plan: CoveragePlan = {
    explicit: options.to !== undefined,
    knownGaps,
    ...(coverageDates ? { coverageDates } : {}),
  };
  const checks: CheckResult[] = [
    result('schema', schemaIssues),
    await guarded('coverage', async () => coverage(await chartDays(), scope, plan)),
    await guarded('ranks', async () => ranks(engine, scope, await chartDays(), knownGaps)),
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
  const spans = report.ranges ?? [report.range];
  // No range: a pending run whose every marker named an impossible date (the markers check says which).
  const what = spans.length > 0 ? spans.map(span).join(', ') : 'no chart date';
  const lines = [
    `Checks of ${what} (${report.checked.chartDays} chart days, ${report.checked.songRows} song rows): ` +
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
