// `spotify-etl schedule`: stays up and runs `run` on a UTC cron, as EventBridge does on AWS.
import { systemClock } from '#functions/ports.js';
import { EXIT, type Command } from '../command.js';
import { runLocal } from '../local-runtime.js';
import { DEFAULT_CRON, parseCron, runSchedule } from '../schedule.js';
import { str } from '../terminal.js';

export const schedule: Command = {
  name: 'schedule',
  summary: 'stay up and run `run` on a 5-field UTC cron (default 16:00 daily); Ctrl-C stops it',
  args: [],
  options: {
    cron: {
      type: 'string',
      value: 'expression',
      description: `a 5-field UTC cron (default "${DEFAULT_CRON}")`,
    },
    source: { type: 'string', value: 'source', description: 'as run --source' },
  },
  examples: ['spotify-etl schedule', 'spotify-etl schedule --cron "30 16 * * *" --source charts-csv'],
  async run({ values, config, logger, io, signal }) {
    const cron = parseCron(str(values.cron) ?? DEFAULT_CRON);
    const source = str(values.source);
    const stop = new AbortController();
    signal.addEventListener('abort', () => stop.abort(), { once: true });
    process.once('SIGTERM', () => stop.abort());
    await runSchedule({
      cron,
      clock: systemClock,
      log: (s) => io.out(s),
      signal: stop.signal,
      job: async () => {
        const r = await runLocal(config(), systemClock, logger, source ? { source } : {});
        const charts = r.extracts.map((e) => `${e.chartId} ${e.date}`).join(', ') || 'no chart';
        const t = r.transform;
        return `${charts}: ${t.rowsWritten} rows, ${t.duplicates} duplicates, ${t.rejected} rejected, ${r.apiCalls} API calls${r.notes.length ? ` (${r.notes.join(' ')})` : ''}`;
      },
    });
    return EXIT.ok;
  },
};
