// `spotify-etl chart`: the rank history of matching songs, as a terminal plot (or JSON) and an SVG file.
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { EXIT, formatOption, type Command } from '../command.js';
import { chartCommand } from '#functions/cli/chart-search.js';
import { dateOption, intOption, str } from '../terminal.js';

export const chart: Command = {
  name: 'chart',
  summary: 'rank history of up to 5 matching songs: a terminal plot, and an SVG file with --svg',
  args: [
    {
      name: 'song or artist',
      description: 'words a song or artist name contains',
      required: true,
      variadic: true,
    },
  ],
  options: {
    chart: {
      type: 'string',
      value: 'chart_id',
      description: 'the chart (default: the one with most matches)',
    },
    from: { type: 'string', value: 'YYYY-MM-DD', description: 'first day of the history' },
    to: { type: 'string', value: 'YYYY-MM-DD', description: 'last day of the history' },
    svg: { type: 'string', value: 'file.svg', description: 'also write the plot as an SVG file' },
    width: { type: 'string', value: 'columns', description: 'plot width' },
    height: { type: 'string', value: 'rows', description: 'plot height' },
    format: formatOption('text', 'json'),
  },
  examples: [
    'spotify-etl chart "Noah Kahan"',
    'spotify-etl chart "love" --chart regional-au-daily --svg /tmp/love.svg',
    'spotify-etl chart "Stick Season" --format json',
  ],
  async run({ values, args, config, io }) {
    const from = dateOption('from', values.from);
    const to = dateOption('to', values.to);
    const width = intOption('width', values.width, 10, 1000);
    const height = intOption('height', values.height, 5, 500);
    const chartId = str(values.chart);
    const svg = str(values.svg);
    const format = values.format === 'json' ? 'json' : 'text';
    const engine = await LakeQueryEngine.open(config().lakeRoot);
    try {
      io.out(
        await chartCommand(engine, args.join(' '), {
          ...(chartId ? { chartId } : {}),
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(svg ? { svg } : {}),
          ...(width ? { width } : {}),
          ...(height ? { height } : {}),
          format,
          color: io.color,
          note: (line) => io.err(line),
        }),
      );
    } finally {
      engine.close();
    }
    return EXIT.ok;
  },
};
