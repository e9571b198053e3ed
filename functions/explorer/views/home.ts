// The home page: the search box, what the lake holds (charts, their days) and the main chart's latest top 10.
import { html } from 'hono/html';
import { layout, type Html, type PageContext } from '#functions/explorer/html.js';
import type { HomePage } from '#functions/explorer/chart-pages.js';
import type { DayEntry } from '#functions/explorer/day-pages.js';
import { SCRIPTS, artistLinks, dayHref, fmt, searchForm, songHref, tableWrap } from './chart-parts.js';

const songCell = (e: DayEntry): Html =>
  e.songId ? html`<a href="${songHref(e.songId)}">${e.name}</a>` : html`${e.name}`;

/** Position, song and artists, streams: the rows of a top list (home) or of a day's chart. */
export const entryRow = (e: DayEntry, extra: Html = html``): Html =>
  html`<tr>
    <td class="num">${e.position}</td>
    ${extra}
    <td>${songCell(e)}</td>
    <td>${artistLinks(e.artists)}</td>
    <td class="num">${fmt(e.streams)}</td>
  </tr>`;

function chartsTable(page: HomePage): Html {
  return tableWrap(
    'Charts in the lake',
    html`<tr>
      <th scope="col">Chart</th>
      <th scope="col">Region</th>
      <th scope="col">First day</th>
      <th scope="col">Latest day</th>
      <th scope="col" class="num">Days</th>
    </tr>`,
    page.charts.map(
      (c) =>
        html`<tr>
          <td>${c.chartId}</td>
          <td>${c.region ?? '–'}</td>
          <td><a href="${dayHref(c.chartId, c.dates[0]!)}">${c.dates[0]}</a></td>
          <td><a href="${dayHref(c.chartId, c.dates.at(-1)!)}">${c.dates.at(-1)}</a></td>
          <td class="num">${fmt(c.dates.length)}</td>
        </tr>`,
    ),
  );
}

function latestTop(latest: NonNullable<HomePage['latest']>): Html {
  return html`<section aria-labelledby="latest">
    <h2 id="latest">
      Top 10 on ${latest.chart.chartId},
      <a href="${dayHref(latest.chart.chartId, latest.date)}">${latest.date}</a>
    </h2>
    ${tableWrap(
      `The first ten entries of ${latest.chart.chartId} on ${latest.date}`,
      html`<tr>
        <th scope="col" class="num">#</th>
        <th scope="col">Song</th>
        <th scope="col">Artists</th>
        <th scope="col" class="num">Streams</th>
      </tr>`,
      latest.top.map((e) => entryRow(e)),
    )}
  </section>`;
}

export function homeView(ctx: PageContext, page: HomePage): Html {
  const empty = page.charts.length === 0;
  const first = page.charts.map((c) => c.dates[0]!).sort()[0];
  const last = page.charts
    .map((c) => c.dates.at(-1)!)
    .sort()
    .at(-1);
  return layout(
    ctx,
    'Search',
    html`<h1>Search the charts</h1>
      ${searchForm('', { autofocus: true })}
      ${
        empty
          ? html`<p class="note" role="status">
              The lake is empty: <code>spotify-etl run</code> or <code>spotify-etl backfill</code> fills it.
            </p>`
          : html`<p>
                ${fmt(page.songs)} songs, ${fmt(page.artists)} artists and ${fmt(page.albums)} albums on
                ${fmt(page.charts.length)} ${page.charts.length === 1 ? 'chart' : 'charts'}, from ${first} to
                ${last}.
              </p>
              ${page.latest ? latestTop(page.latest) : ''} ${chartsTable(page)}`
      }`,
    { scripts: SCRIPTS.search },
  );
}
