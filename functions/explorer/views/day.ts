// The day page: pick a chart and a date; the chart of that day with the days before and after, its biggest climbs
// and falls, and its new entries and re-entries.
import { html } from 'hono/html';
import { layout, message, type Html, type PageContext } from '#functions/explorer/html.js';
import type { DayEntry, DayPage, Mover } from '#functions/explorer/day-pages.js';
import type { ChartDays } from '#functions/explorer/search.js';
import { dayHref, tableWrap } from './chart-parts.js';
import { entryRow } from './home.js';

/** Against the previous chart: +3, −2, = (same place), new, or re-entry. */
export function changeText(e: DayEntry): string {
  if (e.previousRank === null) return (e.daysOnChart ?? 1) > 1 ? 're-entry' : 'new';
  const change = e.previousRank - e.position;
  return change > 0 ? `+${change}` : change < 0 ? `−${-change}` : '=';
}

export function dayForm(charts: readonly ChartDays[], chartId?: string, date?: string): Html {
  const chart = charts.find((c) => c.chartId === chartId);
  return html`<form class="day-form" method="get" action="/day">
    <div>
      <label for="chart">Chart</label>
      <select id="chart" name="chart">
        ${charts.map(
          (c) =>
            html`<option value="${c.chartId}" ${c.chartId === chartId ? 'selected' : ''}>
              ${c.chartId}
            </option>`,
        )}
      </select>
    </div>
    <div>
      <label for="date">Date</label>
      <input
        id="date"
        name="date"
        type="date"
        required
        value="${date ?? ''}"
        min="${chart?.dates[0] ?? ''}"
        max="${chart?.dates.at(-1) ?? ''}"
      />
    </div>
    <button type="submit">Show</button>
  </form>`;
}

const pager = (chartId: string, previous: string | undefined, next: string | undefined): Html =>
  html`<nav class="pager" aria-label="Other days">
    ${previous ? html`<a rel="prev" href="${dayHref(chartId, previous)}">← ${previous}</a>` : html`<span></span>`}
    ${next ? html`<a rel="next" href="${dayHref(chartId, next)}">${next} →</a>` : ''}
  </nav>`;

const HEAD = html`<tr>
  <th scope="col" class="num">#</th>
  <th scope="col">Change</th>
  <th scope="col">Song</th>
  <th scope="col">Artists</th>
  <th scope="col" class="num">Streams</th>
</tr>`;

const rowsOf = (entries: readonly (DayEntry | Mover)[]): Html[] =>
  entries.map((e) => entryRow(e, html`<td>${changeText(e)}</td>`));

function section(
  id: string,
  title: string,
  caption: string,
  entries: readonly DayEntry[],
  none: string,
): Html {
  return html`<section aria-labelledby="${id}">
    <h2 id="${id}">${title}</h2>
    ${entries.length === 0 ? html`<p>${none}</p>` : tableWrap(caption, HEAD, rowsOf(entries))}
  </section>`;
}

export function dayView(ctx: PageContext, charts: readonly ChartDays[], page: DayPage): Html {
  const id = page.chart.chartId;
  const title = `${id}, ${page.date}`;
  if (page.kind === 'no-data') {
    return layout(
      ctx,
      title,
      html`<h1>${title}</h1>
        ${dayForm(charts, id, page.date)} ${message('error', `The lake has no ${id} chart for ${page.date}.`)}
        ${pager(id, page.previous, page.next)}`,
    );
  }
  return layout(
    ctx,
    title,
    html`<h1>${title}</h1>
      ${dayForm(charts, id, page.date)} ${pager(id, page.previous, page.next)}
      <div class="day-movers">
        ${section('climbs', 'Biggest climbs', `Most places gained on ${page.date}`, page.climbs, 'None.')}
        ${section('falls', 'Biggest falls', `Most places lost on ${page.date}`, page.falls, 'None.')}
        ${section(
          'new',
          'New entries and re-entries',
          `Entries without a previous position on ${page.date}`,
          page.newEntries,
          'None: every entry was on the previous chart.',
        )}
      </div>
      ${section('chart', 'The chart', `${id} on ${page.date}`, page.entries, 'The chart is empty.')}`,
  );
}

/** The day page's start, on an empty lake. */
export const noChartsView = (ctx: PageContext): Html =>
  layout(
    ctx,
    'Day',
    html`<h1>Day</h1>
      ${message('note', 'The lake holds no chart yet: `spotify-etl run` or `backfill` fills it.')}`,
  );
