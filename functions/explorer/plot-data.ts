// The data a page hands its plot script (client/plots.ts) in a JSON block: one shared x axis of calendar days and
// one series per chart, null where there is no point (a gap: off the chart that day).

export interface PlotData {
  /** rank: y is the chart position, 1 at the top. share: y is a percentage of the day's streams. */
  readonly kind: 'rank' | 'share';
  readonly title: string;
  /** YYYY-MM-DD, every calendar day from the first to the last. */
  readonly dates: readonly string[];
  readonly series: readonly { readonly label: string; readonly values: readonly (number | null)[] }[];
}

/** The id of the JSON block and of the element the plot goes into. */
export const PLOT_DATA_ID = 'plot-data';
export const PLOT_ID = 'plot';
