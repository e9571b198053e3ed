// Whether a chart holds every entry it should, and the sentence that says what is missing when it does not.
import type { Chart } from './chart.js';

/** The size of every Spotify Charts regional chart, daily and weekly: the Top 200. */
export const SPOTIFY_CHART_SIZE = 200;

export interface ChartCompleteness {
  readonly complete: boolean;
  /** How many entries the chart should hold, from the evidence in it (see chartCompleteness). */
  readonly expected: number;
  readonly held: number;
  /** One sentence naming the chart, its date, held/expected and the first problem; absent when complete. */
  readonly reason?: string;
}

/**
 * Whether a chart holds every entry it should. Complete means: at least one entry, no rows set aside, and ranks
 * exactly 1..N with no gap or duplicate, where N is also the expected size. The expected size is the largest of
 * - the highest rank among the entries,
 * - the highest rank readable from a row set aside (its first field),
 * - the highest previous_rank of an entry (the chart had at least that many places the day or week before),
 * - 200 (SPOTIFY_CHART_SIZE) for a Spotify Charts file (kind charts-csv or demo) that shows damage: rows set aside,
 *   a gap, a duplicate, no entries, or a previous_rank above every rank in the file (a file cut off at its end).
 * A clean file of ranks 1..N with N < 200 (a small market, a test fixture) thus proves its own size.
 */
export function chartCompleteness(chart: Chart): ChartCompleteness {
  const held = chart.entries.length;
  const seen = new Set<number>();
  let top = 0;
  let duplicate: number | null = null;
  let previous: { readonly position: number; readonly previousRank: number } | null = null;
  for (const e of chart.entries) {
    if (seen.has(e.position)) duplicate ??= e.position;
    seen.add(e.position);
    top = Math.max(top, e.position);
    if (e.previousRank !== null && e.previousRank > (previous?.previousRank ?? 0)) {
      previous = { position: e.position, previousRank: e.previousRank };
    }
  }
  let problemTop = 0;
  for (const p of chart.problems) problemTop = Math.max(problemTop, leadingRank(p.text));
  const gapless = seen.size === top && [...seen].every((r) => Number.isInteger(r) && r >= 1);
  // An entry that was lower on the previous chart than the last rank here says the file lost its tail.
  const cutOff = (previous?.previousRank ?? 0) > Math.max(top, problemTop);
  const damaged = held === 0 || chart.problems.length > 0 || duplicate !== null || !gapless || cutOff;
  const nominal = damaged && chart.kind !== 'playlist' ? SPOTIFY_CHART_SIZE : 1;
  const expected = Math.max(top, problemTop, previous?.previousRank ?? 0, nominal);
  if (!damaged && held === expected) return { complete: true, expected, held };

  const name = `${chart.chartId} ${chart.date}`;
  const holds =
    held === expected ? `holds all ${expected} entries, but` : `holds ${held} of ${expected} entries:`;
  const first = chart.problems[0];
  let why: string;
  if (first) {
    const more = chart.problems.length - 1;
    why = `line ${first.line} was set aside (${first.reason})${more > 0 ? ` and ${more} more row${more > 1 ? 's' : ''}` : ''}`;
  } else if (duplicate !== null) {
    why = `rank ${duplicate} appears twice`;
  } else {
    why = missingRanks(seen, expected);
    // Say where an expected size above every rank in the file comes from.
    if (previous && cutOff) {
      why += ` (rank ${previous.position} was at ${previous.previousRank} on the previous chart)`;
    }
  }
  return { complete: false, expected, held, reason: `${name} ${holds} ${why}.` };
}

/** The first run of ranks in 1..expected that no entry has: "rank 5 is missing", "ranks 50-199 are missing". */
function missingRanks(seen: ReadonlySet<number>, expected: number): string {
  let from = 1;
  while (from <= expected && seen.has(from)) from++;
  if (from > expected) return 'its ranks are not 1 to N';
  let to = from;
  while (to < expected && !seen.has(to + 1)) to++;
  return from === to ? `rank ${from} is missing` : `ranks ${from}-${to} are missing`;
}

/** The rank at the start of a row set aside (rank and Position are the first column of both formats), or 0. */
function leadingRank(text: string): number {
  const comma = text.indexOf(',');
  const first = (comma < 0 ? text : text.slice(0, comma)).trim().replace(/^"(.*)"$/, '$1');
  return /^\d{1,6}$/.test(first) ? Number(first) : 0;
}
