// The song page: who and what, its success, and its rank history per chart: a plot (rank 1 at the top, gaps where
// it was off the chart) drawn by client/plots.ts, and the same history as tables.
import { html } from 'hono/html';
import { dateRuns } from '#functions/core/dates.js';
import { layout, type Html, type PageContext } from '#functions/explorer/html.js';
import type { ChartHistory, SongPage } from '#functions/explorer/chart-pages.js';
import {
  SCRIPTS,
  albumHref,
  artistLinks,
  dayHref,
  fmt,
  plotFigure,
  spotifyHref,
  tableWrap,
} from './chart-parts.js';

/** Label and value pairs, as a description list. */
export const figures = (pairs: readonly (readonly [string, Html | string])[]): Html =>
  html`<dl class="figures">
    ${pairs.map(
      ([label, value]) =>
        html`<dt>${label}</dt>
          <dd>${value}</dd>`,
    )}
  </dl>`;

/** One chart's history, oldest first: an entry per row, and one row per run of chart days it was off the chart. */
export function historyTable(chart: ChartHistory, valueHeader = 'Streams'): Html {
  type Line = { readonly date: string; readonly row: Html };
  const entries: Line[] = chart.entries.map((e) => ({
    date: e.date,
    row: html`<tr>
      <td><a href="${dayHref(chart.chartId, e.date)}">${e.date}</a></td>
      <td class="num">${e.position}</td>
      <td class="num">${fmt(e.streams)}</td>
    </tr>`,
  }));
  const gaps: Line[] = dateRuns(chart.offChart).map((run) => ({
    date: run.from,
    row: html`<tr class="gap">
      <td>${run.from === run.to ? run.from : `${run.from} to ${run.to}`}</td>
      <td colspan="2">off the chart</td>
    </tr>`,
  }));
  return tableWrap(
    `Position on ${chart.chartId} by day`,
    html`<tr>
      <th scope="col">Day</th>
      <th scope="col" class="num">Position</th>
      <th scope="col" class="num">${valueHeader}</th>
    </tr>`,
    [...entries, ...gaps].sort((a, b) => a.date.localeCompare(b.date)).map((l) => l.row),
  );
}

/** A chart's totals, as the heading of its history. */
export const chartSummary = (chart: ChartHistory): string =>
  `peak ${chart.peak}, ${fmt(chart.days)} ${chart.days === 1 ? 'day' : 'days'}, ${fmt(chart.streams)} streams`;

export function songView(ctx: PageContext, page: SongPage): Html {
  const { song, album } = page;
  const chartWord = page.charts.length === 1 ? 'chart' : 'charts';
  return layout(
    ctx,
    song.name,
    html`<h1>${song.name}</h1>
      <p class="byline">
        ${artistLinks(song.artists)}
        ${album ? html` · from <a href="${albumHref(album.id)}">${album.name}</a>` : ''}
      </p>
      ${figures([
        ['Peak', song.peak === null ? '–' : String(song.peak)],
        ['Days on a chart', fmt(song.days)],
        ['Streams', fmt(song.streams)],
        ['First and latest day', `${song.firstDate} to ${song.latestDate}`],
        ['On Spotify', html`<a href="${spotifyHref('track', song.id, song.url)}">open.spotify.com</a>`],
      ])}
      <h2>Rank history</h2>
      ${plotFigure(
        { kind: 'rank', title: `${song.name}: position by day`, ...page.ranks },
        `Position of ${song.name} by day on ${page.charts.length} ${chartWord}; rank 1 at the top, gaps where it was off the chart.`,
      )}
      ${page.charts.map(
        (chart) =>
          html`<details class="history" ${page.charts.length === 1 ? 'open' : ''}>
            <summary>${chart.chartId}: ${chartSummary(chart)}</summary>
            ${historyTable(chart)}
          </details>`,
      )}`,
    { scripts: SCRIPTS.plots },
  );
}
