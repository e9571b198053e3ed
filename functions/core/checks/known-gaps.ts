// Known gaps: what the lake is known to lack, declared once (checks/known-gaps.json) so the checks fail for the rest.
import { isIsoDate } from '../dates.js';
import { EtlError } from '#functions/errors.js';
import { KNOWN_GAPS } from '../lake.js';
import type { Storage } from '#functions/ports.js';
import type { Issue } from './report.js';
import { dateList } from './scope.js';
import { errorMessage } from './values.js';

export { KNOWN_GAPS } from '../lake.js';

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
export function absenceGap(
  gaps: readonly KnownGap[],
  chartId: string | undefined,
  date: string,
): KnownGap | undefined {
  const absences = gaps.filter((g) => g.expected_entries === undefined && covers(g, chartId, date));
  return absences.find((g) => g.chart_id === chartId) ?? absences[0];
}

/** The gap that declares a chart day's size; one naming the chart wins. */
export function sizeGap(gaps: readonly KnownGap[], chartId: string, date: string): KnownGap | undefined {
  const sizes = gaps.filter((g) => g.expected_entries !== undefined && covers(g, chartId, date));
  return sizes.find((g) => g.chart_id === chartId) ?? sizes[0];
}

/** Notes for the gaps that excused something: the chart, the dates, the declared reason. */
export class GapNotes {
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
