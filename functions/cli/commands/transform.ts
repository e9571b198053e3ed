// `spotify-etl transform`: replays every raw object waiting in raw_data/to_process/.
import { EXIT, formatOption, type Command } from '../command.js';
import { formatTable } from '../format.js';
import { transformPending } from '../local-runtime.js';
import { sayWaiting, transformProblems, unfinished } from '../terminal.js';

export const transform: Command = {
  name: 'transform',
  summary: 'process every raw object waiting in raw_data/to_process/ (a replay)',
  args: [],
  options: { format: formatOption('text', 'json') },
  examples: ['spotify-etl transform', 'spotify-etl transform --format json'],
  async run({ values, config, logger, io }) {
    const t = await transformPending(config(), logger, { onWait: sayWaiting(io) });
    if (values.format === 'json') io.out(JSON.stringify(t, null, 2));
    else {
      io.out(
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
      io.out(
        `${t.objects.length} objects: ${t.linesIn} lines in = ${t.rowsWritten} rows written + ${t.duplicates} duplicates + ${t.rejected} rejected`,
      );
    }
    for (const p of transformProblems(t)) io.err(p);
    return unfinished(t) > 0 ? EXIT.failed : EXIT.ok;
  },
};
