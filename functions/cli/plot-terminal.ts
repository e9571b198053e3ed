// The rank history as a text plot for the terminal: rank 1 on the top row, one ASCII marker per song.
import { segmentsOf, type RankHistory } from '#functions/core/rank-history.js';
import { EtlError } from '#functions/errors.js';
import { axisMaxRank, dateLabeller, rankTicks } from './plot-axes.js';
import { forTerminal } from './sanitize.js';

/** One marker per song, in legend order; ASCII so that every terminal shows them. */
export const MARKERS = ['o', 'x', '*', '#', '@'] as const;
const ANSI = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[31m'] as const;
const ANSI_RESET = '\x1b[0m';

const LINE = '.';
const SIZE_RANGES = { width: [10, 500], height: [5, 200] } as const;

/** Throws an EtlError naming the flag unless `value` is a whole number of columns (width) or rows (height) allowed. */
export function checkPlotSize(name: 'width' | 'height', value: number): void {
  const [min, max] = SIZE_RANGES[name];
  if (!Number.isInteger(value) || value < min || value > max) {
    const given = Number.isFinite(value) ? ` (not ${value})` : '';
    throw new EtlError(`--${name} must be a whole number from ${min} to ${max}${given}.`, {
      hint: `e.g. --${name} ${name === 'width' ? 60 : 20}`,
    });
  }
}

export interface TerminalPlotOptions {
  /** Columns of the plot area (default 60) and rows (default 20). */
  readonly width?: number;
  readonly height?: number;
  /** ANSI colours, one per song: the command's `io.color` (a terminal, without NO_COLOR or --no-color). */
  readonly color?: boolean;
  /** Shown through forTerminal, like the songs' labels: lake text never reaches the terminal raw. */
  readonly title?: string;
  /** The bottom of the y axis; by default from the data (see axisMaxRank). */
  readonly maxRank?: number;
}

/** The plot area's size and where a day (its index in the dates) and a rank fall in it. */
interface Scale {
  readonly width: number;
  readonly height: number;
  readonly maxRank: number;
  readonly colOf: (i: number) => number;
  readonly rowOf: (rank: number) => number;
}

type Series = RankHistory['series'];
type Grid = { ch: string; song: number }[][];

/**
 * A text plot: dates left to right, rank 1 on the top row, one marker per song and day with a dotted line between
 * consecutive days on the chart; a day off the chart is left blank, so gaps show. Legend and notes follow.
 */
export function renderTerminalPlot(history: RankHistory, options: TerminalPlotOptions = {}): string {
  const width = options.width ?? 60;
  const height = options.height ?? 20;
  checkPlotSize('width', width);
  checkPlotSize('height', height);
  const { dates } = history;
  const series = history.series.slice(0, MARKERS.length);
  const maxRank = options.maxRank ?? axisMaxRank(history);
  const n = dates.length;
  const scale: Scale = {
    width,
    height,
    maxRank,
    colOf: (i) => (n <= 1 ? 0 : Math.round((i * (width - 1)) / (n - 1))),
    rowOf: (rank) => Math.round(((rank - 1) * (height - 1)) / Math.max(1, maxRank - 1)),
  };
  const paint = (text: string, song: number): string =>
    options.color && song >= 0 ? `${ANSI[song]}${text}${ANSI_RESET}` : text;

  const tickRows = new Map<number, number>();
  for (const t of rankTicks(maxRank)) if (!tickRows.has(scale.rowOf(t))) tickRows.set(scale.rowOf(t), t);
  const labelWidth = String(maxRank).length + 1;
  const lines: string[] = [];
  if (options.title) lines.push(forTerminal(options.title), '');
  lines.push(`${'rank'.padStart(labelWidth + 1)}`);
  plotGrid(series, scale).forEach((cells, row) => {
    const tick = tickRows.get(row);
    const axis =
      tick === undefined ? `${' '.repeat(labelWidth)} │` : `${String(tick).padStart(labelWidth)} ┤`;
    lines.push((axis + cells.map((c) => paint(c.ch, c.song)).join('')).trimEnd());
  });
  lines.push(...dateAxis(dates, scale, labelWidth), '');
  lines.push(...legend(history, series, paint));
  return lines.join('\n');
}

/** Each cell: a character and the song it belongs to (for the colour); lines first, markers on top of them. */
function plotGrid(series: Series, { width, height, maxRank, colOf, rowOf }: Scale): Grid {
  const grid: Grid = Array.from({ length: height }, () =>
    Array.from({ length: width }, () => ({ ch: ' ', song: -1 })),
  );
  const put = (row: number, col: number, ch: string, song: number): void => {
    const cell = grid[row]?.[col];
    if (cell) [cell.ch, cell.song] = [ch, song];
  };
  // Worst-peaked song first, so that the best one ends on top where songs share a cell.
  for (let s = series.length - 1; s >= 0; s--) {
    for (const seg of segmentsOf(series[s]!.ranks)) {
      seg.ranks.forEach((rank, k) => {
        const next = seg.ranks[k + 1];
        if (next === undefined || rank > maxRank || next > maxRank) return;
        const [c0, c1] = [colOf(seg.start + k), colOf(seg.start + k + 1)];
        for (let c = c0 + 1; c < c1; c++) {
          put(Math.round(rowOf(rank) + ((rowOf(next) - rowOf(rank)) * (c - c0)) / (c1 - c0)), c, LINE, s);
        }
      });
    }
  }
  for (let s = series.length - 1; s >= 0; s--) {
    series[s]!.ranks.forEach((rank, i) => {
      if (rank !== null && rank <= maxRank) put(rowOf(rank), colOf(i), MARKERS[s]!, s);
    });
  }
  return grid;
}

/** The x axis, its date labels and its name: ticks at least one label plus two spaces apart. */
function dateAxis(dates: readonly string[], { width, colOf }: Scale, labelWidth: number): string[] {
  const n = dates.length;
  const dl = dateLabeller(dates);
  const labelLength = dl.label(dates[0] ?? '0000-00-00').length;
  const perDay = n <= 1 ? width : (width - 1) / (n - 1);
  const every = Math.max(1, Math.ceil((labelLength + 2) / perDay));
  const axisLine = Array.from({ length: width }, () => '─');
  const labels: string[] = [];
  for (let i = 0; i < n; i += every) {
    const c = colOf(i);
    axisLine[c] = '┬';
    const at = labelWidth + 2 + c;
    while (labels.length < at) labels.push(' ');
    labels.push(...dl.label(dates[i]!));
  }
  return [
    `${' '.repeat(labelWidth + 1)}└${axisLine.join('')}`,
    labels.join('').trimEnd(),
    `${' '.repeat(labelWidth + 2)}${dl.axis}`,
  ];
}

/** One legend line per song drawn, then what was left out: songs not drawn, chart dates missing from the lake. */
function legend(
  history: RankHistory,
  series: Series,
  paint: (text: string, song: number) => string,
): string[] {
  const n = history.dates.length;
  const lines = series.map(
    (s, i) =>
      `  ${paint(MARKERS[i]!, i)} ${forTerminal(s.label)}  (peak ${s.peak} on ${s.peakDate}, ${s.daysOnChart} of ${n} days on the chart)`,
  );
  if (history.series.length > series.length) {
    lines.push(`  … ${history.series.length - series.length} more songs not drawn`);
  }
  if (history.datesWithoutData.length > 0) {
    const shown = history.datesWithoutData.slice(0, 5).join(', ');
    const more =
      history.datesWithoutData.length > 5 ? ` and ${history.datesWithoutData.length - 5} more` : '';
    lines.push(`  no chart in the lake on ${shown}${more}: gaps there say nothing about the songs`);
  }
  return lines;
}
