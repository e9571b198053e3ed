// `spotify-etl check`: the data-quality checks over the lake (the same as the checker runs in Athena on AWS).
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { readKnownGaps, runChecks } from '#functions/core/checks/index.js';
import { checkPending, clearPending, listPending } from '#functions/core/pending-checks.js';
import { formatCheckReport } from '../check-report.js';
import { UsageError } from '#functions/errors.js';
import { systemClock } from '#functions/ports.js';
import { EXIT, formatOption, type Command } from '../command.js';
import { dateOption, intOption } from '../terminal.js';

export const check: Command = {
  name: 'check',
  summary: 'data-quality checks per chart and day; exit 1 on a failure',
  description:
    'A checked date holds a chart; every day of a range holds each chart the range holds; ranks 1..N with N the\n' +
    "chart's size (200 for a Spotify regional chart); albums and artists present; one run per chart day;\n" +
    'previous_rank agrees with the day before; freshness; schema conformity. Known gaps are declared in\n' +
    'top_200_global/checks/known-gaps.json. --pending: the chart dates written since the last check --pending.',
  args: [],
  options: {
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'check one chart date' },
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'first chart date of a range' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last chart date of a range' },
    pending: { type: 'boolean', description: 'the chart dates written since the last check --pending' },
    'max-age-days': {
      type: 'string',
      value: 'days',
      description: 'freshness: the newest chart may be this old (default 2)',
    },
    format: formatOption('text', 'json'),
  },
  examples: [
    'spotify-etl check',
    'spotify-etl check --from 2024-02-05 --to 2024-02-17',
    'spotify-etl check --pending --format json',
  ],
  async run({ values, config, io }) {
    const date = dateOption('date', values.date);
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    const maxAge = intOption('max-age-days', values['max-age-days']);
    if ([date, from || to, values.pending].filter(Boolean).length > 1) {
      throw new UsageError('Give one of --date, --from/--to or --pending.');
    }
    const lakeRoot = config().lakeRoot;
    const today = systemClock.now().toISOString().slice(0, 10);
    const storage = new FolderStorage(lakeRoot);
    // Read before the engine opens: an invalid file stops here with its name and the bad entry.
    const knownGaps = await readKnownGaps(storage);
    const print = (report: Parameters<typeof formatCheckReport>[0]): void =>
      io.out(values.format === 'json' ? JSON.stringify(report, null, 2) : formatCheckReport(report));
    const engine = await LakeQueryEngine.open(lakeRoot);
    try {
      if (values.pending) {
        const pending = await listPending(storage);
        if (pending.dates.length === 0 && (pending.invalid ?? []).length === 0) {
          if (values.format === 'json') io.out(JSON.stringify({ ok: true, pending: 0 }));
          else
            io.out(
              'No chart dates are waiting for a check: every date written has been checked with --pending.',
            );
          return EXIT.ok;
        }
        const report = await checkPending(engine, { ...pending, knownGaps }, { today });
        print(report);
        // Checked, passed or not: the report is the answer. A date fixed later is checked again with --date.
        await clearPending(storage, pending);
        return report.ok ? EXIT.ok : EXIT.failed;
      }
      const report = await runChecks(engine, {
        today,
        knownGaps,
        ...(date ? { from: date, to: date } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(maxAge !== undefined ? { maxAgeDays: maxAge } : {}),
      });
      print(report);
      return report.ok ? EXIT.ok : EXIT.failed;
    } finally {
      engine.close();
    }
  },
};
