// Wires the domain to local adapters: a folder is the lake, a local delivery stream plays Firehose, the
// transformer runs on each emitted S3 event as Lambda would, and the demo talks to the local Spotify server.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { hasSpotifyCredentials, type Config } from '../config.js';
import type { Clock, LakeLock, Logger } from '../ports.js';
import { FolderStorage } from '../adapters/local/folder-storage.js';
import { FolderLakeLock, type LockHolder } from '../adapters/local/lake-lock.js';
import { LocalDeliveryStream } from '../adapters/local/local-delivery.js';
import { createSpotifyClient, type SpotifyClient } from '../adapters/spotify/web-api.js';
import { DemoCatalog } from '../adapters/local/demo-catalog.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, LocalSpotifyServer } from '../adapters/local/spotify-server.js';
import { EntityCache } from '../core/entity-cache.js';
import { extractDeps, type ExtractReport } from '../core/extract.js';
import { extractFromSource, parseSourceSpec } from '../core/sources.js';
import { MAX_CHART_CSV_CHARS } from '../core/charts-csv.js';
import { objectKeysOf } from '../adapters/aws/s3-events.js';
import { summarize, transformObjects, type ObjectReport, type TransformReport } from '../core/transform.js';
import { backfill, type BackfillProgress, type BackfillReport } from '../core/backfill.js';
import { listCsvFiles } from './files.js';
import { TO_PROCESS } from '../core/lake.js';
import { ChartFormatError, EtlError, UsageError } from '../errors.js';

/** What every command that writes the lake is told: how to say that it waits for another process. */
export interface LakeOptions {
  /** Called when another process holds the lake's lock and this one waits for it. */
  readonly onWait?: (holder: LockHolder | undefined) => void;
}

export interface RunOptions extends LakeOptions {
  readonly date?: string;
  readonly source?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** The transformer's lock; by default the lake lock of a `run` (the explorer's uploads hold it already). */
  readonly lock?: LakeLock;
}

/**
 * The lake's cross-process lock, held by the transformer while it commits an object and by `delete` and
 * `reprocess` while they change a chart day; `command` is what a waiting process is told.
 */
export function lakeLock(lakeRoot: string, command: string, options: LakeOptions = {}): FolderLakeLock {
  return new FolderLakeLock(lakeRoot, {
    command: `spotify-etl ${command}`,
    ...(options.onWait ? { onWait: options.onWait } : {}),
  });
}

export interface RunReport {
  readonly source: string;
  readonly notes: readonly string[];
  readonly extracts: readonly ExtractReport[];
  readonly inboxFailures: readonly { readonly key: string; readonly reason: string }[];
  readonly transform: TransformReport;
  readonly rawObjects: readonly string[];
  readonly apiCalls: number;
  readonly tokenRequests: number;
  readonly retries: number;
  readonly seconds: number;
}

/**
 * The local delivery stream with Firehose's semantics, and the transformer run on each S3 event it emits, as
 * Lambda would; `objects` collects the transformer's reports.
 */
function transformingDelivery(
  config: Config,
  storage: FolderStorage,
  lock: LakeLock,
  clock: Clock,
  logger: Logger,
  bufferSeconds: number,
): { readonly delivery: LocalDeliveryStream; readonly objects: ObjectReport[] } {
  const objects: ObjectReport[] = [];
  const delivery = new LocalDeliveryStream(storage, {
    bufferBytes: config.localDelivery.bufferBytes,
    bufferSeconds,
    gzip: config.localDelivery.gzip,
    clock,
    onObject: async (event) => {
      objects.push(...(await transformObjects(objectKeysOf(event), { storage, logger, lock })).objects);
    },
  });
  return { delivery, objects };
}

/** extract → local delivery → transform (driven by the emitted S3 events), for one chart source. */
// Long by design: the local runtime wiring in one place (source, demo server, client, delivery, cache, extract,
// flush), read top to bottom like the pipeline.
export async function runLocal(
  config: Config,
  clock: Clock,
  logger: Logger,
  options: RunOptions = {},
): Promise<RunReport> {
  const started = clock.now().getTime();
  const storage = new FolderStorage(config.lakeRoot);
  const notes: string[] = [];
  const date = options.date ?? clock.now().toISOString().slice(0, 10);
  let spec = options.source ?? config.chartSource;
  if (!spec) {
    spec = hasSpotifyCredentials(config.spotify) ? 'charts-csv' : 'demo';
    if (spec === 'demo') {
      notes.push(
        'No Spotify credentials (SPOTIFY_CLIENT_ID/SECRET): running the offline demo chart against the local Spotify-API server.',
      );
    }
  }
  const source = parseSourceSpec(spec);

  let server: LocalSpotifyServer | undefined;
  let settings = config.spotify;
  const demo = source.kind === 'demo' ? new DemoCatalog() : undefined;
  if (demo) {
    server = await LocalSpotifyServer.start({ catalog: demo });
    settings = {
      ...settings,
      apiUrl: server.apiUrl,
      accountsUrl: server.url,
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      refreshToken: undefined,
    };
  }
  try {
    const client: SpotifyClient | undefined = createSpotifyClient(settings, { clock, logger });
    if (!client && source.kind !== 'demo') {
      notes.push(
        'No Spotify credentials: rows come from the chart file alone; album and artist tables stay empty. Set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET to enrich.',
      );
    }
    const { delivery, objects } = transformingDelivery(
      config,
      storage,
      options.lock ?? lakeLock(config.lakeRoot, 'run', options),
      clock,
      logger,
      config.localDelivery.bufferSeconds,
    );
    const cache = await EntityCache.load(storage, clock, config.cacheTtlDays);
    const deps = extractDeps(
      { delivery, storage, cache, clock, logger },
      settings,
      client?.catalog,
      options.onProgress,
    );
    const result = await extractFromSource(source, deps, {
      date,
      dateGiven: options.date !== undefined,
      ...(demo ? { demoCsv: (d: string) => demo.chartCsv(d) } : {}),
      readFile: (path) =>
        readChartFile(path).catch((error: NodeJS.ErrnoException) => {
          if (error instanceof EtlError) throw error;
          throw new EtlError(`Cannot read ${path}: ${error.code ?? error.message}.`);
        }),
    });
    const extracts: ExtractReport[] = result.extracted;
    const inboxFailures = result.failed;
    if (source.kind === 'charts-csv' && !source.file && extracts.length === 0 && inboxFailures.length === 0) {
      notes.push(
        `The inbox (${config.lakeRoot}/top_200_global/inbox/) is empty: nothing to extract. Drop a charts.spotify.com CSV there.`,
      );
    }
    await delivery.flush();
    const stats = client?.catalog.stats();
    return {
      source: spec,
      notes,
      extracts,
      inboxFailures,
      transform: summarize(objects),
      rawObjects: delivery.objects,
      apiCalls: stats?.apiCalls ?? 0,
      tokenRequests: stats?.tokenRequests ?? 0,
      retries: stats?.retries ?? 0,
      seconds: (clock.now().getTime() - started) / 1000,
    };
  } finally {
    await server?.close();
  }
}

/**
 * A Charts CSV file's text, refused before it is read when it is larger than any chart (a file without line
 * breaks, a wrong file): memory stays bounded whatever the folder holds.
 */
async function readChartFile(path: string): Promise<string> {
  const { size } = await stat(path);
  if (size > MAX_CHART_CSV_CHARS) {
    throw new ChartFormatError(
      `${path} is ${(size / 1024 / 1024).toFixed(1)} MiB; a Charts CSV is at most ${MAX_CHART_CSV_CHARS / 1024 / 1024} MiB.`,
      { hint: 'Give one chart per file, as charts.spotify.com downloads them.' },
    );
  }
  return readFile(path, 'utf8');
}

/** Replays everything waiting in to_process/, under `lock` (by default the lock of a `transform`). */
export async function transformPending(
  config: Config,
  logger: Logger,
  options: LakeOptions & { readonly lock?: FolderLakeLock } = {},
): Promise<TransformReport> {
  const storage = new FolderStorage(config.lakeRoot);
  const keys = await storage.list(TO_PROCESS);
  const lock = options.lock ?? lakeLock(config.lakeRoot, 'transform', options);
  return transformObjects(keys, { storage, logger, lock });
}

export interface BackfillRunReport {
  readonly backfill: BackfillReport;
  readonly replayed: TransformReport;
  readonly transform: TransformReport;
  readonly seconds: number;
  readonly enrichment: boolean;
}

export interface BackfillLocalOptions extends LakeOptions {
  readonly force?: boolean;
  readonly onProgress?: (p: BackfillProgress) => void;
  /** The chart date, for one file whose name does not give it; refused with several files. */
  readonly date?: string;
  /** The region of every file, for names that do not give it (or give it wrongly). */
  readonly region?: string;
  /** Read and parse every file; replay, extract and write nothing. */
  readonly dryRun?: boolean;
  /** Ctrl-C: stop before the next file, after committing the batch in progress. */
  readonly signal?: AbortSignal;
}

/**
 * `spotify-etl backfill <folder|glob>`: first replays raw objects a crashed run left in to_process/, then
 * extracts every file not yet done, in chart-date order, through the local delivery stream and transformer.
 * A dry run only reads: the lake's done markers and the files.
 */
export async function backfillLocal(
  config: Config,
  clock: Clock,
  logger: Logger,
  pathOrGlob: string,
  options: BackfillLocalOptions = {},
): Promise<BackfillRunReport> {
  const started = clock.now().getTime();
  const storage = new FolderStorage(config.lakeRoot);
  const paths = await listCsvFiles(pathOrGlob);
  if (options.date !== undefined && paths.length > 1) {
    // Every file would become the same chart day, each superseding the one before: never what is meant.
    throw new UsageError(
      `--date gives the chart date of one file, but ${pathOrGlob} holds ${paths.length} CSV files.`,
      {
        hint: 'Give the one file (spotify-etl backfill chart.csv --date YYYY-MM-DD), or name the files regional-<region>-daily-YYYY-MM-DD.csv.',
      },
    );
  }
  const dryRun = options.dryRun === true;
  // One lock for the replay and the backfill: one process, one holder queue.
  const lock = lakeLock(config.lakeRoot, 'backfill', options);
  const replayed = dryRun ? summarize([]) : await transformPending(config, logger, { lock });
  // A dry run looks nothing up: the chart files alone say what would be ingested.
  const client = dryRun ? undefined : createSpotifyClient(config.spotify, { clock, logger });
  // bufferSeconds 0: the backfill flushes per batch; no timer may cut a batch in two.
  const { delivery, objects } = transformingDelivery(config, storage, lock, clock, logger, 0);
  const cache = await EntityCache.load(storage, clock, config.cacheTtlDays);
  const files = paths.map((path) => ({
    name: basename(path),
    origin: path,
    read: () => readChartFile(path),
  }));
  const report = await backfill(
    files,
    extractDeps({ storage, delivery, cache, clock, logger }, config.spotify, client?.catalog),
    {
      ...(options.force ? { force: true } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.date !== undefined ? { date: options.date } : {}),
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(dryRun ? { dryRun } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  return {
    backfill: report,
    replayed,
    transform: summarize(objects),
    seconds: (clock.now().getTime() - started) / 1000,
    enrichment: client !== undefined,
  };
}
