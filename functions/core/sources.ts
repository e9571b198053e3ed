// Chart sources: a Charts CSV (a file, or the inbox in the lake), a playlist through the Web API, the demo.
import { basename } from 'node:path';
import type { SpotifyCatalog, Storage } from '../ports.js';
import { type Chart, type ChartEntry, trackIdFromUri } from './chart.js';
import { parseChartCsv, parseChartFileName } from './charts-csv.js';
import { UNDATED } from './dates.js';
import { ChartFormatError, EtlError } from '../errors.js';
import { extractChart, type ExtractDeps, type ExtractReport } from './extract.js';
import { INBOX, INBOX_DONE, INBOX_FAILED, baseName, keyExists } from './lake.js';

/** A playlist's items as a chart: position = order in the playlist; `item ?? track` (the 2026 rename). */
export async function playlistChart(
  catalog: SpotifyCatalog,
  playlistId: string,
  date: string,
): Promise<Chart> {
  const entries: ChartEntry[] = [];
  let position = 0;
  for await (const item of catalog.playlistItems(playlistId)) {
    position++;
    const track = item.item ?? item.track ?? null;
    const uri = track?.uri ?? '';
    entries.push({
      position,
      trackId: track?.is_local ? null : (track?.id ?? (uri ? trackIdFromUri(uri) : null)),
      uri,
      trackName: track?.name ?? '',
      artistNames: (track?.artists ?? []).map((a) => a.name),
      streams: null,
      peakRank: null,
      previousRank: null,
      daysOnChart: null,
      weeksOnChart: null,
      addedAt: item.added_at ?? null,
      track,
    });
  }
  return {
    kind: 'playlist',
    chartId: `playlist:${playlistId}`,
    region: null,
    date,
    entries,
    problems: [],
    origin: `playlist ${playlistId}`,
  };
}

/** The demo's chart id: never a real chart's, so demo rows cannot replace or join a real chart's history. */
export const DEMO_CHART_ID = 'demo-global-daily';

/** The demo chart: the generator's CSV goes through the same parser as a real Charts file. */
export function demoChart(csv: string, date: string): Chart {
  return {
    ...parseChartCsv(csv, { fileName: `regional-global-daily-${date}.csv` }),
    kind: 'demo',
    chartId: DEMO_CHART_ID,
  };
}

export interface InboxReport {
  readonly extracted: ExtractReport[];
  readonly failed: { readonly key: string; readonly reason: string }[];
  /** Files left for the next run because `shouldStop` said so (a Lambda near its timeout). */
  readonly remaining: number;
}

/** CSV files waiting in the inbox, oldest chart date first (a late schedule catches up in order). */
export async function inboxFiles(storage: Storage): Promise<string[]> {
  const keys = (await storage.list(INBOX)).filter(
    (k) => !k.startsWith(INBOX_DONE) && !k.startsWith(INBOX_FAILED) && k.toLowerCase().endsWith('.csv'),
  );
  const dateOf = (k: string): string => parseChartFileName(baseName(k))?.date ?? UNDATED;
  return keys.sort((a, b) => dateOf(a).localeCompare(dateOf(b)) || a.localeCompare(b));
}

/**
 * Extracts every chart CSV in the inbox and moves it to inbox/done/. A file that is not a chart goes to
 * inbox/failed/ with a `.reason.txt` beside it; a Spotify error that stops the run (quota) leaves the file for the next run.
 */
export async function processInbox(
  storage: Storage,
  deps: ExtractDeps,
  date?: string,
  options: { readonly shouldStop?: () => boolean } = {},
): Promise<InboxReport> {
  const extracted: ExtractReport[] = [];
  const failed: { key: string; reason: string }[] = [];
  const files = await inboxFiles(storage);
  for (const [i, key] of files.entries()) {
    if (options.shouldStop?.()) return { extracted, failed, remaining: files.length - i };
    const name = baseName(key);
    const body = await storage.get(key);
    if (!body) continue; // taken by a concurrent run
    let chart: Chart;
    try {
      chart = parseChartCsv(Buffer.from(body).toString('utf8'), {
        fileName: name,
        ...(date ? { date } : {}),
      });
    } catch (error) {
      if (!(error instanceof ChartFormatError)) throw error;
      const reason = `${error.message}${error.hint ? ` ${error.hint}` : ''}`;
      await storage.move(key, `${INBOX_FAILED}${name}`);
      await storage.put(`${INBOX_FAILED}${name}.reason.txt`, reason + '\n', 'text/plain');
      failed.push({ key, reason });
      continue;
    }
    extracted.push(await extractChart(chart, deps));
    const done = `${INBOX_DONE}${name}`;
    await storage.move(key, done).catch(async (error: unknown) => {
      // A concurrent run extracted the same file and moved it first: its chart day keeps the later run.
      if (!(await keyExists(storage, done))) throw error;
    });
  }
  return { extracted, failed, remaining: 0 };
}

/** Parses `demo`, `charts-csv`, `charts-csv:<file>`, `playlist:<id>`. */
export type SourceSpec =
  | { readonly kind: 'demo' }
  | { readonly kind: 'charts-csv'; readonly file?: string }
  | { readonly kind: 'playlist'; readonly id: string };

export function parseSourceSpec(spec: string): SourceSpec {
  if (spec === 'demo') return { kind: 'demo' };
  if (spec === 'charts-csv') return { kind: 'charts-csv' };
  if (spec.startsWith('charts-csv:')) return { kind: 'charts-csv', file: spec.slice('charts-csv:'.length) };
  if (spec.startsWith('playlist:')) {
    const raw = spec.slice('playlist:'.length);
    const id = /playlist[/:]([0-9A-Za-z]{22})/.exec(raw)?.[1] ?? raw;
    if (/^[0-9A-Za-z]{22}$/.test(id)) return { kind: 'playlist', id };
  }
  throw new EtlError(`Unknown source "${spec}".`, {
    hint: 'Use demo, charts-csv (the inbox), charts-csv:<file.csv> or playlist:<id or open.spotify.com URL>.',
  });
}

/** What only some runtimes can offer a source: the demo's generator and local files (the CLI), a deadline (Lambda). */
export interface SourceRun {
  /** The chart date for sources that do not carry one (demo, playlist), and the fallback for files. */
  readonly date: string;
  /** The date was given by the user: it overrides the date in a file's or an inbox file's name. */
  readonly dateGiven?: boolean;
  /** Stop between inbox files (a Lambda near its timeout). */
  readonly shouldStop?: () => boolean;
  /** The demo's chart CSV for a date; absent where the demo cannot run (AWS). */
  readonly demoCsv?: (date: string) => string;
  /** Reads a local Charts CSV (bounded in size); absent where there are no local files (AWS). */
  readonly readFile?: (path: string) => Promise<string>;
}

/**
 * Extracts whatever the source names, through the one extractor: the demo chart, a playlist, a Charts CSV file or
 * the inbox. The inbox's report shape is every source's: what was extracted, what was set aside, what is left.
 */
export async function extractFromSource(
  source: SourceSpec,
  deps: ExtractDeps,
  run: SourceRun,
): Promise<InboxReport> {
  const one = async (chart: Chart): Promise<InboxReport> => ({
    extracted: [await extractChart(chart, deps)],
    failed: [],
    remaining: 0,
  });
  switch (source.kind) {
    case 'demo':
      if (!run.demoCsv) throw new EtlError('The demo source runs on one machine only (spotify-etl run).');
      return one(demoChart(run.demoCsv(run.date), run.date));
    case 'playlist':
      if (!deps.catalog) {
        throw new EtlError('A playlist source needs Spotify credentials.', {
          hint: 'Set SPOTIFY_CLIENT_ID (and SPOTIFY_CLIENT_SECRET, or SPOTIFY_REFRESH_TOKEN from `spotify-etl login`).',
        });
      }
      return one(await playlistChart(deps.catalog, source.id, run.date));
    case 'charts-csv': {
      if (!source.file) {
        return processInbox(deps.storage, deps, run.dateGiven ? run.date : undefined, {
          ...(run.shouldStop ? { shouldStop: run.shouldStop } : {}),
        });
      }
      if (!run.readFile)
        throw new EtlError(`charts-csv:${source.file} reads a local file: use the inbox here.`);
      const text = await run.readFile(source.file);
      const fileName = basename(source.file);
      return one(parseChartCsv(text, { fileName, ...(run.dateGiven ? { date: run.date } : {}) }));
    }
  }
}
