// `spotify-etl run`: one chart source → extract → local delivery → transform, and the day's top 10.
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { systemClock } from '#functions/ports.js';
import { EXIT, formatOption, type Command } from '../command.js';
import { formatFigures, formatTable } from '../format.js';
import { lakeLock, runLocal, type RunReport } from '../local-runtime.js';
import { dateOption, progress, sayWaiting, str, transformProblems, unfinished } from '../terminal.js';

/** Charts that do not hold every entry they should: the run delivered the rest, and fails to say so. */
function incomplete(report: RunReport): string[] {
  return report.extracts
    .filter((e) => !e.completeness.complete)
    .map((e) => `incomplete chart: ${e.completeness.reason ?? e.chartId}`);
}

function summary(report: RunReport): string {
  const t = report.transform;
  const rows: [string, string | number][] = [
    ['chart entries', report.extracts.reduce((n, e) => n + e.entries, 0)],
    ['chart rows set aside', report.extracts.reduce((n, e) => n + e.problems.length, 0)],
    ['raw objects', report.rawObjects.length],
    ['lines in', t.linesIn],
    ['song rows written', t.rowsWritten],
    ['duplicates dropped', t.duplicates],
    ['lines rejected', t.rejected],
    ['files written', t.filesWritten],
    ['Spotify API calls', report.apiCalls],
    ['token requests', report.tokenRequests],
    ['retries', report.retries],
    ['cache hits', report.extracts.reduce((n, e) => n + e.cacheHits, 0)],
    ['time', `${report.seconds.toFixed(1)} s`],
  ];
  return formatFigures('summary', rows);
}

/** Read under the lake lock: another process superseding the day meanwhile would delete a file the query lists. */
async function topTen(lakeRoot: string, date: string): Promise<string[]> {
  return lakeLock(lakeRoot, 'run (top 10)').hold(async () => {
    const engine = await LakeQueryEngine.open(lakeRoot);
    try {
      const r = await engine.query(
        `SELECT position, song_name, array_to_string(artist_names, ', ') AS artists, streams, previous_rank, chart_id FROM song_data WHERE snapshot_date = DATE '${date}' ORDER BY chart_id, position LIMIT 10`,
      );
      return ['', `Top 10 on ${date}:`, formatTable(r.columns, r.rows)];
    } finally {
      engine.close();
    }
  });
}

export const run: Command = {
  name: 'run',
  summary: 'extract one chart source, deliver and transform it into the lake; print the summary and top 10',
  description:
    'Sources: demo (the offline demo, the default without Spotify credentials), charts-csv (the inbox),\n' +
    'charts-csv:<file.csv>, playlist:<id or open.spotify.com URL>.',
  args: [],
  options: {
    date: {
      type: 'string',
      value: 'YYYY-MM-DD',
      description: 'the chart date (default today, UTC; for files: the date in the name)',
    },
    source: {
      type: 'string',
      value: 'source',
      description: 'demo, charts-csv, charts-csv:<file> or playlist:<id>',
    },
    format: formatOption('text', 'json'),
  },
  examples: [
    'spotify-etl run --date 2026-11-25',
    'spotify-etl run --source charts-csv:regional-global-daily-2026-11-25.csv',
    'spotify-etl run --source charts-csv --format json | jq .transform.rowsWritten',
  ],
  async run({ values, config, logger, io }) {
    const date = dateOption('date', values.date);
    const source = str(values.source);
    const lookups = values.format === 'text' ? progress(io, 'Spotify lookups') : undefined;
    const report = await runLocal(config(), systemClock, logger, {
      ...(date ? { date } : {}),
      ...(source ? { source } : {}),
      ...(lookups ? { onProgress: lookups } : {}),
      onWait: sayWaiting(io),
    });
    const problems = [
      ...report.inboxFailures.map((f) => `inbox: ${f.key} set aside: ${f.reason}`),
      ...transformProblems(report.transform),
      ...incomplete(report),
    ];
    if (values.format === 'json') io.out(JSON.stringify(report, null, 2));
    else {
      for (const note of report.notes) io.err(`note: ${note}`);
      for (const e of report.extracts) {
        io.out(
          `chart ${e.chartId} ${e.date} (${e.origin}): ${e.entries} entries, ${e.delivered} records delivered, enrichment ${e.enrichment}` +
            (e.tracksNotFound.length
              ? `, ${e.tracksNotFound.length} tracks unknown to Spotify (kept with the chart's text)`
              : '') +
            (e.problems.length ? `, ${e.problems.length} chart rows set aside` : ''),
        );
      }
      io.out('');
      io.out(summary(report));
      const last = report.extracts.at(-1)?.date;
      if (report.transform.rowsWritten > 0 && last)
        for (const l of await topTen(config().lakeRoot, last)) io.out(l);
    }
    for (const p of problems) io.err(p);
    return unfinished(report.transform) + incomplete(report).length + report.inboxFailures.length > 0
      ? EXIT.failed
      : EXIT.ok;
  },
};
