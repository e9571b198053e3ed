// `spotify-etl`: the local runtime's commands. Parses arguments, wires local adapters, prints; errors are one
// clear line plus the fix (`--verbose` shows the stack).
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { loadConfig, type Config } from '../config.js';
import { EtlError } from '../errors.js';
import { systemClock, type Logger } from '../ports.js';
import { isIsoDate } from '../core/chart.js';
import { parseRawLine } from '../core/transform.js';
import { LakeQueryEngine } from '../adapters/local/duckdb-query.js';
import { backfillLocal, runLocal, transformPending, type RunReport } from './local-runtime.js';
import type { LockHolder } from '../adapters/local/lake-lock.js';
import type { TransformReport } from '../core/transform.js';
import type { BackfillProgress } from '../core/backfill.js';
import { formatCsv, formatFigures, formatJson, formatTable } from './format.js';
import { chartCommand } from './plot.js';
import { formatCheckReport, readKnownGaps, runChecks } from '../core/checks.js';
import { checkPending, clearPending, listPending } from '../core/pending-checks.js';
import { FolderStorage } from '../adapters/local/folder-storage.js';
import { defaultTokenFile, login, readStoredRefreshToken } from './login.js';
import { DEFAULT_CRON, parseCron, runSchedule } from './schedule.js';

const USAGE = `spotify-etl — the Spotify chart as album, artist and song tables, on one machine.

Usage:
  spotify-etl run [--date YYYY-MM-DD] [--source demo|charts-csv|charts-csv:<file>|playlist:<id>]
  spotify-etl transform                      process everything waiting in raw_data/to_process/
  spotify-etl query "<SQL>" [--format table|json|csv]
  spotify-etl validate <file.ndjson>         check raw records against schemas/
  spotify-etl backfill <folder|glob> [--force]   many Charts CSVs: resumable, idempotent
  spotify-etl check [--date D | --from D --to D | --pending] [--format json]
                                             data-quality checks; exit 1 on failure. --pending: the chart
                                             dates written since the last \`check --pending\` (after a backfill)
  spotify-etl chart "<song or artist>" [--chart <chart_id>] [--from D] [--to D] [--svg <file.svg>]
                                             rank history of up to 5 matching songs (terminal plot, SVG)
  spotify-etl login [--port 8888]            authorize a Spotify user (PKCE); stores the refresh token (0600)
  spotify-etl schedule [--cron "0 16 * * *"] stay up and run \`run\` on a UTC cron, as EventBridge does on AWS
Options:
  --lake <dir>     the lake folder (default ./lake, or SPOTIFY_ETL_LAKE)
  --verbose        show stack traces and debug logs
Tables: song_data, album_data, artist_data; partition column snapshot_date (DATE).`;

function cliLogger(verbose: boolean): Logger {
  const write = (level: string, message: string, details?: Record<string, unknown>): void => {
    if (!verbose && level === 'info') return;
    process.stderr.write(`${level}: ${message}${details ? ` ${JSON.stringify(details)}` : ''}\n`);
  };
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => (verbose ? write('warn', m, d) : undefined),
    error: (m, d) => write('error', m, d),
  };
}

/** Says, once per wait, that another process is writing to the lake and this one waits for it. */
function sayWaiting(holder: LockHolder | undefined): void {
  const who = holder
    ? `another process (pid ${holder.pid}, \`${holder.command}\`, since ${holder.since})`
    : 'another spotify-etl process';
  process.stderr.write(`waiting: ${who} is writing to the lake; this one goes on when it is done.\n`);
}

/**
 * What a transform could not finish (an object to retry), can never read (quarantined) or set aside (rejected
 * lines): any of them fails the command, so that exit 0 means the work is complete.
 */
function unfinished(t: TransformReport): number {
  return t.failedObjects.length + t.quarantinedObjects.length + t.rejected;
}

function progress(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    process.stderr.write(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

/** A progress bar with rate and ETA on a terminal; nothing when output is not a terminal. */
function progressBar(started: number): ((p: BackfillProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    const handled = p.done + p.skipped + p.failed;
    if (now - last < 100 && handled < p.total) return;
    last = now;
    const rate = p.done / Math.max(0.001, (now - started) / 1000);
    const eta = rate > 0 ? Math.round((p.total - handled) / rate) : 0;
    const width = 30;
    const filled = Math.round((handled / p.total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${handled}/${p.total} files  ${rate.toFixed(1)} charts/s  ` +
        `${p.entries} entries  ETA ${Math.floor(eta / 60)}:${String(eta % 60).padStart(2, '0')}   ${handled === p.total ? '\n' : ''}`,
    );
  };
}

function printRun(report: RunReport, out: (s: string) => void): void {
  for (const note of report.notes) out(`note: ${note}`);
  for (const e of report.extracts) {
    out(
      `chart ${e.chartId} ${e.date} (${e.origin}): ${e.entries} entries, ${e.delivered} records delivered, enrichment ${e.enrichment}` +
        (e.tracksNotFound.length
          ? `, ${e.tracksNotFound.length} tracks unknown to Spotify (kept with the chart's text)`
          : '') +
        (e.problems.length ? `, ${e.problems.length} chart rows set aside` : ''),
    );
  }
  for (const f of report.inboxFailures) out(`inbox: ${f.key} set aside: ${f.reason}`);
  const t = report.transform;
  const cacheHits = report.extracts.reduce((n, e) => n + e.cacheHits, 0);
  const rows: [string, string | number][] = [
    ['chart entries', report.extracts.reduce((n, e) => n + e.entries, 0)],
    ['raw objects', report.rawObjects.length],
    ['lines in', t.linesIn],
    ['song rows written', t.rowsWritten],
    ['duplicates dropped', t.duplicates],
    ['lines rejected', t.rejected],
    ['files written', t.filesWritten],
    ['Spotify API calls', report.apiCalls],
    ['token requests', report.tokenRequests],
    ['retries', report.retries],
    ['cache hits', cacheHits],
    ['time', `${report.seconds.toFixed(1)} s`],
  ];
  out('');
  out(formatFigures('summary', rows));
  for (const o of t.objects.filter((x) => x.rejectedKey))
    out(`rejected lines of ${o.key}: see ${o.rejectedKey}`);
  for (const f of t.failedObjects) out(`transform failed for ${f.key}: ${f.error}`);
  for (const q of t.quarantinedObjects) out(`quarantined ${q.key}: ${q.reason}`);
  for (const e of report.extracts.filter((x) => !x.completeness.complete))
    out(`incomplete chart: ${e.completeness.reason ?? e.chartId}`);
}

/** Charts that do not hold every entry they should: the run delivered the rest, and fails to say so. */
function incomplete(extracts: readonly { readonly completeness: { readonly complete: boolean } }[]): number {
  return extracts.filter((e) => !e.completeness.complete).length;
}

async function topTen(config: Config, dates: readonly string[]): Promise<string[]> {
  const engine = await LakeQueryEngine.open(config.lakeRoot);
  try {
    const out: string[] = [];
    for (const date of dates) {
      const r = await engine.query(
        `SELECT position, song_name, array_to_string(artist_names, ', ') AS artists, streams, previous_rank, chart_id FROM song_data WHERE snapshot_date = DATE '${date}' ORDER BY chart_id, position LIMIT 10`,
      );
      out.push('', `Top 10 on ${date}:`, formatTable(r.columns, r.rows));
    }
    return out;
  } finally {
    engine.close();
  }
}

export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      date: { type: 'string' },
      source: { type: 'string' },
      lake: { type: 'string' },
      format: { type: 'string', default: 'table' },
      cron: { type: 'string' },
      port: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      chart: { type: 'string' },
      svg: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      'max-age-days': { type: 'string' },
      pending: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return command || values.help ? 0 : 2;
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...(values.lake ? { SPOTIFY_ETL_LAKE: values.lake } : {}),
  };
  if (!env.SPOTIFY_REFRESH_TOKEN && command !== 'login' && env.SPOTIFY_CLIENT_ID) {
    // A user token stored by `spotify-etl login` is used when the environment does not name one.
    const stored = await readStoredRefreshToken(defaultTokenFile(env));
    if (stored) env.SPOTIFY_REFRESH_TOKEN = stored;
  }
  const config = loadConfig(env);
  const logger = cliLogger(values.verbose);
  if (values.date !== undefined && !isIsoDate(values.date)) {
    throw new EtlError(`--date ${values.date} is not a date.`, {
      hint: 'Use YYYY-MM-DD, e.g. --date 2026-11-25.',
    });
  }

  switch (command) {
    case 'run': {
      const lookups = progress('Spotify lookups');
      const report = await runLocal(config, systemClock, logger, {
        ...(values.date ? { date: values.date } : {}),
        ...(values.source ? { source: values.source } : {}),
        ...(lookups ? { onProgress: lookups } : {}),
        onWait: sayWaiting,
      });
      printRun(report, out);
      const dates = [...new Set(report.extracts.map((e) => e.date))].slice(-1);
      if (report.transform.rowsWritten > 0) for (const l of await topTen(config, dates)) out(l);
      const problems =
        unfinished(report.transform) + incomplete(report.extracts) + report.inboxFailures.length;
      return problems > 0 ? 1 : 0;
    }
    case 'backfill': {
      const target = rest[0];
      if (!target)
        throw new EtlError('backfill needs a folder, a glob or a file.', {
          hint: 'spotify-etl backfill ./charts',
        });
      const bar = progressBar(Date.now());
      const r = await backfillLocal(config, systemClock, logger, target, {
        force: values.force,
        ...(bar ? { onProgress: bar } : {}),
        onWait: sayWaiting,
      });
      const b = r.backfill;
      if (!r.enrichment)
        out(
          'note: no Spotify credentials: rows come from the chart files alone (album and artist tables stay empty).',
        );
      if (r.replayed.objects.length > 0)
        out(`replayed ${r.replayed.objects.length} raw objects left in to_process/ by an earlier run`);
      for (const f of [...r.replayed.failedObjects, ...r.transform.failedObjects])
        out(`transform failed for ${f.key}: ${f.error}`);
      for (const q of [...r.replayed.quarantinedObjects, ...r.transform.quarantinedObjects])
        out(`quarantined ${q.key}: ${q.reason}`);
      for (const f of b.failed) out(`set aside: ${f.origin}: ${f.reason}`);
      for (const f of b.incomplete) out(`incomplete chart: ${f.origin}: ${f.reason}`);
      const t = r.transform;
      const rows: [string, string | number][] = [
        ['files', b.files],
        ['charts extracted', b.extracted],
        ['already done (skipped)', b.skipped],
        ['files set aside', b.failed.length],
        ['incomplete charts', b.incomplete.length],
        ['chart entries', b.entries],
        ['song rows written', t.rowsWritten],
        ['duplicates dropped', t.duplicates],
        ['lines rejected', t.rejected],
        ['Spotify API calls', b.apiCalls],
        ['cache hits', b.cacheHits],
        ['time', `${r.seconds.toFixed(1)} s`],
        ['rate', `${(b.entries / Math.max(r.seconds, 0.001)).toFixed(0)} entries/s`],
      ];
      out(formatFigures('backfill', rows));
      if (t.rowsWritten > 0) out('Check the chart dates it wrote: spotify-etl check --pending');
      // Exit 0 means every file became a complete chart in the lake.
      return unfinished(t) + unfinished(r.replayed) + b.incomplete.length + b.failed.length > 0 ? 1 : 0;
    }
    case 'check': {
      if ([values.date, values.from || values.to, values.pending].filter(Boolean).length > 1) {
        throw new EtlError('Give one of --date, --from/--to or --pending.');
      }
      const maxAge = values['max-age-days'];
      const today = systemClock.now().toISOString().slice(0, 10);
      const storage = new FolderStorage(config.lakeRoot);
      // Read before the engine opens: an invalid file stops here with its name and the bad entry.
      const knownGaps = await readKnownGaps(storage);
      const engine = await LakeQueryEngine.open(config.lakeRoot);
      try {
        if (values.pending) {
          const pending = await listPending(storage);
          if (pending.dates.length === 0 && (pending.invalid ?? []).length === 0) {
            out(
              'No chart dates are waiting for a check: every date written has been checked with --pending.',
            );
            return 0;
          }
          const report = await checkPending(engine, { ...pending, knownGaps }, { today });
          out(values.format === 'json' ? JSON.stringify(report, null, 2) : formatCheckReport(report));
          // Checked, passed or not: the report is the answer. A date fixed later is checked again with --date.
          await clearPending(storage, pending);
          return report.ok ? 0 : 1;
        }
        const report = await runChecks(engine, {
          today,
          knownGaps,
          ...(values.date ? { from: values.date, to: values.date } : {}),
          ...(values.from ? { from: values.from } : {}),
          ...(values.to ? { to: values.to } : {}),
          ...(maxAge !== undefined ? { maxAgeDays: Number(maxAge) } : {}),
        });
        out(values.format === 'json' ? JSON.stringify(report, null, 2) : formatCheckReport(report));
        return report.ok ? 0 : 1;
      } finally {
        engine.close();
      }
    }
    case 'chart': {
      const engine = await LakeQueryEngine.open(config.lakeRoot);
      try {
        out(
          await chartCommand(engine, rest.join(' '), {
            ...(values.chart ? { chartId: values.chart } : {}),
            ...(values.from ? { from: values.from } : {}),
            ...(values.to ? { to: values.to } : {}),
            ...(values.svg ? { svg: values.svg } : {}),
            ...(values.width ? { width: Number(values.width) } : {}),
            ...(values.height ? { height: Number(values.height) } : {}),
          }),
        );
      } finally {
        engine.close();
      }
      return 0;
    }
    case 'transform': {
      const t = await transformPending(config, logger, { onWait: sayWaiting });
      out(
        formatTable(
          ['object', 'status', 'lines', 'rows', 'duplicates', 'rejected'],
          t.objects.map((o) => ({
            object: o.key.split('/').pop(),
            status: o.status,
            lines: o.linesIn,
            rows: o.rowsWritten,
            duplicates: o.duplicates,
            rejected: o.rejected,
          })),
        ),
      );
      out(
        `${t.objects.length} objects: ${t.linesIn} lines in = ${t.rowsWritten} rows written + ${t.duplicates} duplicates + ${t.rejected} rejected`,
      );
      for (const f of t.failedObjects) out(`transform failed for ${f.key}: ${f.error}`);
      for (const q of t.quarantinedObjects) out(`quarantined ${q.key}: ${q.reason}`);
      return unfinished(t) > 0 ? 1 : 0;
    }
    case 'query': {
      const sql = rest.join(' ').trim();
      if (!sql)
        throw new EtlError('query needs SQL.', {
          hint: 'spotify-etl query "select count(*) from song_data"',
        });
      const engine = await LakeQueryEngine.open(config.lakeRoot);
      try {
        const r = await engine.query(sql);
        const format = values.format;
        if (format === 'json') out(formatJson(r.rows));
        else if (format === 'csv') out(formatCsv(r.columns, r.rows));
        else if (format === 'table') out(formatTable(r.columns, r.rows));
        else throw new EtlError(`--format ${format} is not known.`, { hint: 'Use table, json or csv.' });
      } finally {
        engine.close();
      }
      return 0;
    }
    case 'validate': {
      const file = rest[0];
      if (!file)
        throw new EtlError('validate needs a file.', {
          hint: 'spotify-etl validate lake/top_200_global/raw_data/processed/…',
        });
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new EtlError(`Cannot read ${file}: ${e.code ?? e.message}.`);
      });
      let lines = 0;
      let bad = 0;
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        lines++;
        const r = parseRawLine(line);
        if ('reason' in r) {
          bad++;
          out(`${file}:${i + 1}: ${r.reason}`);
        }
      });
      out(`${lines} records, ${lines - bad} valid, ${bad} invalid`);
      return bad > 0 ? 1 : 0;
    }
    case 'login': {
      const clientId = config.spotify.clientId;
      if (!clientId) {
        throw new EtlError('login needs SPOTIFY_CLIENT_ID.', {
          hint: 'Create an app at developer.spotify.com/dashboard, add the redirect URI http://127.0.0.1:8888/callback, then export SPOTIFY_CLIENT_ID.',
        });
      }
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
        throw new EtlError(`--port ${values.port} is not a port number.`);
      }
      const r = await login({
        clientId,
        accountsUrl: config.spotify.accountsUrl,
        tokenFile: defaultTokenFile(env),
        out,
        ...(port ? { port } : {}),
      });
      out(`token stored in ${r.tokenFile} (scopes: ${r.scope}); \`run --source playlist:<id>\` will use it.`);
      return 0;
    }
    case 'schedule': {
      const cron = parseCron(values.cron ?? DEFAULT_CRON);
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      await runSchedule({
        cron,
        clock: systemClock,
        log: out,
        signal: stop.signal,
        job: async () => {
          const r = await runLocal(
            config,
            systemClock,
            logger,
            values.source ? { source: values.source } : {},
          );
          const charts = r.extracts.map((e) => `${e.chartId} ${e.date}`).join(', ') || 'no chart';
          const t = r.transform;
          return `${charts}: ${t.rowsWritten} rows, ${t.duplicates} duplicates, ${t.rejected} rejected, ${r.apiCalls} API calls${r.notes.length ? ` (${r.notes.join(' ')})` : ''}`;
        },
      });
      return 0;
    }
    default:
      throw new EtlError(`Unknown command "${command}".`, { hint: 'Run spotify-etl --help.' });
  }
}

/** Runs the CLI and turns errors into one line plus a hint (or the stack with --verbose). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof EtlError) {
      process.stderr.write(`error: ${error.message}\n`);
      if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    } else if (
      error instanceof Error &&
      (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      process.stderr.write(`error: ${error.message}\nhint: run spotify-etl --help\n`);
    } else {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    if (verbose && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
