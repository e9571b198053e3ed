// Extraction: a chart in, one raw track record per chart entry out to the delivery stream, enriched with
// the Spotify track (and its album and artists) at the fewest calls the entity cache allows.
import { randomBytes } from 'node:crypto';
import type { Clock, DeliveryStream, Logger, SpotifyCatalog, Storage } from '../ports.js';
import type { Chart, ChartEntry, ChartProblem } from './chart.js';
import { chartCompleteness, type ChartCompleteness } from './chart-completeness.js';
import type { EntityCache, EntityKind } from './entity-cache.js';
import { mapLimit } from './limit.js';
import { REJECTED, fileSafeChartId, ndjson } from './lake.js';
import { recordProblem } from './raw-groups.js';
import type { SpotifyAlbum, SpotifyArtist, SpotifyTrack } from './spotify-types.js';
import type { RawTrackRecord } from './record-types.js';

export interface ExtractDeps {
  readonly delivery: DeliveryStream;
  readonly storage: Storage;
  readonly cache: EntityCache;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Absent when no Spotify credentials are configured: records carry the chart's own text only. */
  readonly catalog?: SpotifyCatalog | undefined;
  /** Also fetch /albums/{id} and /artists/{id} (extended-quota apps get genres, followers, label). */
  readonly fullEntities?: boolean;
  readonly concurrency?: number;
  readonly newRunId?: () => string;
  /** Progress callback for terminals: done of total tracks looked up. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The extractor's dependencies from the pieces every runtime has, and the Spotify settings that tune it. */
export function extractDeps(
  base: Pick<ExtractDeps, 'delivery' | 'storage' | 'cache' | 'clock' | 'logger'>,
  spotify: { readonly fullEntities: boolean; readonly concurrency: number },
  catalog: SpotifyCatalog | undefined,
  onProgress?: (done: number, total: number) => void,
): ExtractDeps {
  return {
    ...base,
    catalog,
    fullEntities: spotify.fullEntities,
    concurrency: spotify.concurrency,
    ...(onProgress ? { onProgress } : {}),
  };
}

export interface ExtractReport {
  readonly runId: string;
  readonly chartId: string;
  readonly date: string;
  readonly origin: string;
  readonly entries: number;
  readonly delivered: number;
  /** Chart rows that could not become entries (bad CSV lines), kept under raw_data/rejected/extract/. */
  readonly problems: readonly ChartProblem[];
  /**
   * Whether every entry the chart should hold was delivered (a daily Top 200 holds 200 unless a clean file
   * shows fewer); an incomplete chart's valid entries are still delivered, and the run reports it as a failure.
   */
  readonly completeness: ChartCompleteness;
  readonly enrichment: 'spotify' | 'skipped: no Spotify credentials' | 'not needed';
  /** Distinct track ids Spotify answered 404 for (removed or unknown); their records carry track: null. */
  readonly tracksNotFound: readonly string[];
  readonly apiCalls: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
}

/** The last millisecond a run id of this process was made for. */
let lastRunMs = 0;

/**
 * `20261125T160000123Z-3f9a1c`: the time to the millisecond, so "the latest extraction" is the greatest run id.
 * Strictly increasing within a process (a second id in the same millisecond takes the next one), so two
 * extractions of one chart day always sort in the order they ran; only processes started in the same
 * millisecond fall back to the random suffix.
 */
export function newRunId(clock: Clock): string {
  lastRunMs = Math.max(clock.now().getTime(), lastRunMs + 1);
  const stamp = new Date(lastRunMs).toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Firehose's per-record limit, in bytes (1,000 KiB); a larger record could never be delivered. */
export const MAX_RECORD_BYTES = 1_024_000;

/**
 * Records that may go to the stream, and the entries that may not (a record over Firehose's limit, or one the
 * transformer would reject anyway), set aside with the chart's bad rows instead of stopping the run.
 */
function deliverable(records: readonly RawTrackRecord[]): {
  readonly lines: string[];
  readonly problems: ChartProblem[];
  readonly positions: Set<number>;
} {
  const lines: string[] = [];
  const problems: ChartProblem[] = [];
  const positions = new Set<number>();
  for (const record of records) {
    const line = JSON.stringify(record);
    const bytes = line.length * 3 > MAX_RECORD_BYTES ? Buffer.byteLength(line) + 1 : 0;
    const problem = bytes > MAX_RECORD_BYTES ? undefined : recordProblem(record, line);
    const reason =
      bytes > MAX_RECORD_BYTES
        ? `the record of rank ${record.position} is ${bytes} bytes; Firehose accepts at most ${MAX_RECORD_BYTES}`
        : problem && `the record of rank ${record.position} ${problem}`;
    if (reason) problems.push({ line: 0, reason, text: line.slice(0, 1024) });
    else {
      lines.push(line);
      positions.add(record.position);
    }
  }
  return { lines, problems, positions };
}

/** What the Web API (or the cache) said for each id; null = 404. */
interface Enriched {
  readonly tracks: Map<string, SpotifyTrack | null>;
  readonly albums: Map<string, SpotifyAlbum | null>;
  readonly artists: Map<string, SpotifyArtist | null>;
}

/**
 * Each id from the entity cache, or one Web API call per id not cached (batch endpoints are gone); a 404 is
 * remembered as null. Results keep the order of `ids`.
 */
async function lookUp<T>(
  kind: EntityKind,
  ids: readonly string[],
  fetch: (id: string) => Promise<T | undefined>,
  deps: ExtractDeps,
  onFetched?: (done: number, total: number) => void,
): Promise<Map<string, T | null>> {
  const found = new Map<string, T | null>();
  const missing: string[] = [];
  for (const id of ids) {
    const cached = deps.cache.get<T>(kind, id);
    found.set(id, cached ?? null);
    if (cached === undefined) missing.push(id);
  }
  let done = 0;
  await mapLimit(missing, deps.concurrency ?? 4, async (id) => {
    const object = (await fetch(id)) ?? null;
    found.set(id, object);
    deps.cache.set(kind, id, object);
    onFetched?.(++done, missing.length);
  });
  return found;
}

const distinct = (ids: readonly (string | null | undefined)[]): string[] => [
  ...new Set(ids.filter((id): id is string => !!id)),
];

/** One GET /tracks/{id} per distinct id not in the cache; albums and artists only when asked for. */
async function enrich(
  entries: readonly ChartEntry[],
  deps: ExtractDeps,
  catalog: SpotifyCatalog,
): Promise<Enriched> {
  const trackIds = distinct(entries.filter((e) => e.track === undefined).map((e) => e.trackId));
  const tracks = await lookUp('tracks', trackIds, (id) => catalog.getTrack(id), deps, deps.onProgress);
  if (!deps.fullEntities) return { tracks, albums: new Map(), artists: new Map() };
  const all = [...tracks.values(), ...entries.map((e) => e.track ?? null)].filter(
    (t): t is SpotifyTrack => !!t,
  );
  const albums = await lookUp(
    'albums',
    distinct(all.map((t) => t.album?.id)),
    (id) => catalog.getAlbum(id),
    deps,
  );
  const artistIds = distinct(all.flatMap((t) => (t.artists ?? []).map((a) => a.id)));
  const artists = await lookUp('artists', artistIds, (id) => catalog.getArtist(id), deps);
  return { tracks, albums, artists };
}

/** The raw record of one chart entry: the envelope plus Spotify's objects as returned. */
export function buildRecord(
  chart: Chart,
  entry: ChartEntry,
  run: { readonly runId: string; readonly extractedAt: string },
  found: Enriched,
): RawTrackRecord {
  const track =
    entry.track !== undefined
      ? entry.track
      : entry.trackId
        ? (found.tracks.get(entry.trackId) ?? null)
        : null;
  const albumId = track?.album?.id;
  const album = (albumId ? found.albums.get(albumId) : undefined) ?? track?.album ?? null;
  const artists = track?.artists
    ? track.artists.map((a) => (a.id ? found.artists.get(a.id) : undefined) ?? a)
    : null;
  const record: RawTrackRecord = {
    schema_version: 1,
    snapshot_date: chart.date,
    extracted_at: run.extractedAt,
    run_id: run.runId,
    source: { kind: chart.kind, id: chart.chartId, region: chart.region },
    position: entry.position,
    streams: entry.streams,
    peak_rank: entry.peakRank,
    previous_rank: entry.previousRank,
    days_on_chart: entry.daysOnChart,
    weeks_on_chart: entry.weeksOnChart,
    added_at: entry.addedAt,
    track,
    album,
    artists,
  };
  return entry.uri
    ? {
        ...record,
        chart_entry: { uri: entry.uri, track_name: entry.trackName, artist_names: [...entry.artistNames] },
      }
    : record;
}

/**
 * Extracts one chart: enrich, build one record per entry, deliver them all. Throws when delivery fails
 * (nothing is half-reported as success); Spotify errors that stop a run (quota) propagate with their explanation.
 */
export async function extractChart(chart: Chart, deps: ExtractDeps): Promise<ExtractReport> {
  const runId = (deps.newRunId ?? (() => newRunId(deps.clock)))();
  const extractedAt = deps.clock.now().toISOString();
  const cacheBefore = deps.cache.stats();
  const callsBefore = deps.catalog?.stats().apiCalls ?? 0;
  const needsLookup = chart.entries.some((e) => e.trackId && e.track === undefined);

  let found: Enriched = { tracks: new Map(), albums: new Map(), artists: new Map() };
  let enrichment: ExtractReport['enrichment'] = 'not needed';
  if (deps.catalog && (needsLookup || deps.fullEntities)) {
    try {
      found = await enrich(chart.entries, deps, deps.catalog);
    } finally {
      await deps.cache.save(); // keep what was fetched even when the run stops (quota): the next run starts there
    }
    enrichment = 'spotify';
  } else if (needsLookup) {
    enrichment = 'skipped: no Spotify credentials';
  }

  const {
    lines,
    problems: unsendable,
    positions,
  } = deliverable(chart.entries.map((e) => buildRecord(chart, e, { runId, extractedAt }, found)));
  const problems = [...chart.problems, ...unsendable];
  const completeness = chartCompleteness({
    ...chart,
    entries: chart.entries.filter((e) => positions.has(e.position)),
    problems,
  });
  if (!completeness.complete) deps.logger.error('chart incomplete', { reason: completeness.reason });
  if (problems.length > 0) {
    const key = `${REJECTED}extract/${chart.date}/${fileSafeChartId(chart.chartId)}-${runId}.ndjson`;
    const rows = problems.map((p) => ({ origin: chart.origin, ...p }));
    await deps.storage.put(key, ndjson(rows), 'application/x-ndjson');
    deps.logger.warn('chart rows set aside', { origin: chart.origin, count: problems.length, key });
  }

  const delivery = await deps.delivery.put(lines);
  await deps.delivery.flush();

  const cacheAfter = deps.cache.stats();
  const tracksNotFound = [...found.tracks.entries()].filter(([, t]) => t === null).map(([id]) => id);
  return {
    runId,
    chartId: chart.chartId,
    date: chart.date,
    origin: chart.origin,
    entries: chart.entries.length,
    delivered: delivery.delivered,
    problems,
    completeness,
    enrichment,
    tracksNotFound,
    apiCalls: (deps.catalog?.stats().apiCalls ?? 0) - callsBefore,
    cacheHits: cacheAfter.hits - cacheBefore.hits,
    cacheMisses: cacheAfter.misses - cacheBefore.misses,
  };
}
