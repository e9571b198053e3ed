// The plot of a song or artist page: reads the page's JSON block (plot-data.ts) and draws it with uPlot, one line per
// chart, gaps where a value is null. A rank plot has rank 1 at the top. The page's tables say the same without it.
import uPlot from 'uplot';
import { PLOT_DATA_ID, PLOT_ID, type PlotData } from '../plot-data.js';

/** Distinguishable on light and dark backgrounds; a tenth chart and more reuse them. */
const COLOURS = [
  '#1db954',
  '#2563eb',
  '#dc2626',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
  '#475569',
];
const HEIGHT = 320;

/** uPlot's own stylesheet, served beside ours (a <link>: the CSP allows this site's stylesheets only). */
function addStylesheet(): void {
  if (document.querySelector('link[data-uplot]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/assets/uplot.css';
  link.dataset.uplot = '';
  document.head.append(link);
}

const seconds = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 1000;

const DAY = 86_400;
/** The x axis ticks whole days (uPlot's own steps from a day up): the points are calendar days, never hours. */
const DAY_STEPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15]
  .map((n) => n * DAY)
  .concat([1, 2, 3, 4, 6].map((n) => n * 30 * DAY))
  .concat([1, 2, 5, 10, 25, 50, 100].map((n) => n * 365 * DAY));

function options(data: PlotData, width: number): uPlot.Options {
  const rank = data.kind === 'rank';
  const worst = data.series.reduce((w, s) => s.values.reduce<number>((m, v) => Math.max(m, v ?? 1), w), 1);
  return {
    title: data.title,
    width,
    height: HEIGHT,
    // UTC: a chart date is a calendar day, not an instant in the reader's time zone.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: {
      x: { time: true },
      y: rank
        ? { dir: -1, range: [1, Math.max(10, worst)] }
        : { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    axes: [
      { incrs: DAY_STEPS },
      {
        label: rank ? 'Position' : '% of the day’s streams',
        values: (_u, ticks) => ticks.map((t) => (rank ? String(Math.round(t)) : `${t} %`)),
      },
    ],
    series: [
      { label: 'Day', value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)) },
      ...data.series.map((s, i) => ({
        label: s.label,
        stroke: COLOURS[i % COLOURS.length],
        width: 2,
        spanGaps: false,
        points: { show: data.dates.length <= 60 },
        // idx null: no day under the cursor (the legend's resting state).
        value: (_u: uPlot, v: number | null, _s: number, idx: number | null) =>
          idx === null ? '–' : v === null ? 'off the chart' : rank ? `#${v}` : `${v} %`,
      })),
    ],
  };
}

function draw(): void {
  const block = document.getElementById(PLOT_DATA_ID);
  const target = document.getElementById(PLOT_ID);
  if (!block?.textContent || !target) return;
  const data = JSON.parse(block.textContent) as PlotData;
  if (data.dates.length === 0) return;
  addStylesheet();
  const aligned: uPlot.AlignedData = [
    data.dates.map(seconds),
    ...data.series.map((s) => s.values.map((v) => v)),
  ];
  const plot = new uPlot(options(data, target.clientWidth || 600), aligned, target);
  target.dataset.drawn = 'true';
  // The plot follows its container's width (a phone turned, a window resized).
  new ResizeObserver(() => plot.setSize({ width: target.clientWidth, height: HEIGHT })).observe(target);
}

draw();
