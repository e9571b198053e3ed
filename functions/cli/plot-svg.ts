// The rank history as a standalone SVG file, and the atomic write that puts it on disk.
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { segmentsOf, type RankHistory } from '#functions/core/rank-history.js';
import { EtlError } from '#functions/errors.js';
import { axisMaxRank, dateLabeller, rankTicks } from './plot-axes.js';
import { forTerminal, forXml } from './sanitize.js';

export const SVG_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'] as const;

export interface SvgOptions {
  /** Pixels (default 900 × 500). */
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
  readonly maxRank?: number;
}

const xml = forXml;
const px = (v: number): string => String(Math.round(v * 10) / 10);

/** The picture's size, the plot area's edges, and where a day (its index in the dates) and a rank fall in it. */
interface Frame {
  readonly W: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly plotWidth: number;
  readonly maxRank: number;
  readonly x: (i: number) => number;
  readonly y: (rank: number) => number;
}

type Series = RankHistory['series'];

/**
 * A standalone SVG: rank 1 at the top, one polyline per run of consecutive days on the chart (so gaps stay gaps),
 * a circle per chart day with a tooltip, date and rank ticks, a legend under the plot and a title.
 */
export function renderSvg(history: RankHistory, options: SvgOptions = {}): string {
  const W = options.width ?? 900;
  const H = options.height ?? 500;
  const { dates } = history;
  const series = history.series.slice(0, SVG_COLORS.length);
  const maxRank = options.maxRank ?? axisMaxRank(history);
  const n = dates.length;
  const legendHeight = 20 * series.length + 10;
  const [left, right, top] = [60, 30, 50];
  const bottom = H - 50 - legendHeight;
  const plotWidth = W - left - right;
  const frame: Frame = {
    W,
    left,
    right,
    top,
    bottom,
    plotWidth,
    maxRank,
    x: (i) => (n <= 1 ? left + plotWidth / 2 : left + (i * plotWidth) / (n - 1)),
    y: (rank) => top + ((rank - 1) * (bottom - top)) / Math.max(1, maxRank - 1),
  };

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
  ];
  if (options.title) {
    out.push(
      `<text x="${px(W / 2)}" y="28" text-anchor="middle" font-size="18" font-weight="bold">${xml(options.title)}</text>`,
    );
  }
  out.push(...svgAxes(dates, frame), ...svgSeries(dates, series, frame), ...svgLegend(series, frame));
  out.push('</svg>', '');
  return out.join('\n');
}

/** Rank grid lines and ticks, date ticks, both axis lines and their names. */
function svgAxes(
  dates: readonly string[],
  { W, left, right, top, bottom, plotWidth, maxRank, x, y }: Frame,
): string[] {
  const n = dates.length;
  const dl = dateLabeller(dates);
  const out = ['<g class="axes" font-size="11" fill="#333333">'];
  for (const t of rankTicks(maxRank)) {
    out.push(
      `<line x1="${left}" y1="${px(y(t))}" x2="${W - right}" y2="${px(y(t))}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${px(y(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(80 / (n <= 1 ? plotWidth : plotWidth / (n - 1))));
  for (let i = 0; i < n; i += every) {
    out.push(
      `<line x1="${px(x(i))}" y1="${bottom}" x2="${px(x(i))}" y2="${bottom + 5}" stroke="#333333"/>`,
      `<text x="${px(x(i))}" y="${bottom + 18}" text-anchor="middle">${xml(dl.label(dates[i]!))}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${W - right}" y2="${bottom}" stroke="#333333"/>`,
    `<text x="${px(left + plotWidth / 2)}" y="${bottom + 36}" text-anchor="middle">${xml(dl.axis)}</text>`,
    `<text x="16" y="${px((top + bottom) / 2)}" text-anchor="middle" transform="rotate(-90 16 ${px((top + bottom) / 2)})">rank (1 = top)</text>`,
    '</g>',
  );
  return out;
}

/** Per song: one polyline per run of chart days and a circle with a tooltip per chart day. */
function svgSeries(dates: readonly string[], series: Series, { maxRank, x, y }: Frame): string[] {
  const out: string[] = [];
  series.forEach((s, k) => {
    const color = SVG_COLORS[k]!;
    out.push(`<g class="series" stroke="${color}" fill="${color}">`);
    for (const seg of segmentsOf(s.ranks)) {
      const points = seg.ranks.map((r, j) => `${px(x(seg.start + j))},${px(y(Math.min(r, maxRank)))}`);
      out.push(`<polyline fill="none" stroke-width="2" points="${points.join(' ')}"/>`);
    }
    s.ranks.forEach((r, i) => {
      if (r === null) return;
      out.push(
        `<circle cx="${px(x(i))}" cy="${px(y(Math.min(r, maxRank)))}" r="3"><title>${xml(`${s.label}: #${r} on ${dates[i]}`)}</title></circle>`,
      );
    });
    out.push('</g>');
  });
  return out;
}

/** One line per song under the plot: its colour, label and peak. */
function svgLegend(series: Series, { left, bottom }: Frame): string[] {
  const out = ['<g class="legend" font-size="12">'];
  series.forEach((s, k) => {
    const ly = bottom + 58 + 20 * k;
    out.push(
      `<line x1="${left}" y1="${ly - 4}" x2="${left + 24}" y2="${ly - 4}" stroke="${SVG_COLORS[k]}" stroke-width="3"/>`,
      `<text x="${left + 32}" y="${ly}" fill="#333333">${xml(`${s.label} (peak ${s.peak} on ${s.peakDate})`)}</text>`,
    );
  });
  out.push('</g>');
  return out;
}

/**
 * Writes a temporary file beside `path`, then renames it over `path`: a reader (a browser reloading the SVG) sees
 * the old file or the new one, never half of one, and a failed write leaves the old file as it was.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, path);
  } catch (caught) {
    await unlink(temp).catch(() => undefined);
    const e = caught as NodeJS.ErrnoException;
    throw new EtlError(`Cannot write ${forTerminal(path)}: ${e.code ?? e.message}.`, {
      hint: 'Check that the folder exists and is writable (and that the path is not a folder).',
      cause: e,
    });
  }
}
