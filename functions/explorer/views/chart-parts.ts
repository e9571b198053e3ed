// Pieces the search and chart pages share: numbers, links to songs, artists, albums and days, the search form, and
// the plot (a JSON block for client/plots.ts beside a table with the same data, so the page works without it).
import { html, raw } from 'hono/html';
import { layout, message, type Html, type PageContext } from '#functions/explorer/html.js';
import { PLOT_DATA_ID, PLOT_ID, type PlotData } from '#functions/explorer/plot-data.js';
import type { ArtistCredit } from '#functions/explorer/search.js';

export const fmt = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : n.toLocaleString('en-US');

export const songHref = (id: string): string => `/song/${encodeURIComponent(id)}`;
export const albumHref = (id: string): string => `/album/${encodeURIComponent(id)}`;
export const dayHref = (chartId: string, date: string): string =>
  `/day/${encodeURIComponent(chartId)}/${date}`;
export const artistHref = (a: { readonly id: string | null; readonly name: string }): string =>
  a.id ? `/artist/${encodeURIComponent(a.id)}` : `/artist?name=${encodeURIComponent(a.name)}`;

/** The credited artists, each a link to their page. */
export const artistLinks = (artists: readonly ArtistCredit[]): Html =>
  html`${artists.map((a, i) => html`${i > 0 ? ', ' : ''}<a href="${artistHref(a)}">${a.name}</a>`)}`;

/** A link to Spotify: the row's URL when it is an open.spotify.com one, else one made from the id. */
export function spotifyHref(kind: 'track' | 'album' | 'artist', id: string, url: string | null): string {
  return url?.startsWith('https://open.spotify.com/') ? url : `https://open.spotify.com/${kind}/${id}`;
}

/** JSON inside <script type="application/json">: no `<` (nor `>`, `&`, line separators) can end the element. */
export const scriptJsonText = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** The plot's place and data; client/plots.ts draws it, the page's table says the same without it. */
export const plotFigure = (data: PlotData, caption: string): Html =>
  data.dates.length === 0
    ? html``
    : html`<figure class="plot-figure">
        <div id="${PLOT_ID}" class="plot" role="img" aria-label="${caption}"></div>
        <figcaption>${caption}</figcaption>
        <script type="application/json" id="${PLOT_DATA_ID}">
          ${raw(scriptJsonText(data))}
        </script>
      </figure>`;

export const searchForm = (query = '', options: { readonly autofocus?: boolean } = {}): Html =>
  html`<form class="search" method="get" action="/search" role="search">
    <label for="q">Search songs, artists and albums</label>
    <div class="search-row">
      <input
        id="q"
        name="q"
        type="search"
        value="${query}"
        maxlength="200"
        autocomplete="off"
        list="q-suggestions"
        aria-describedby="q-hint"
        ${options.autofocus ? raw('autofocus') : ''}
      />
      <button type="submit">Search</button>
    </div>
    <datalist id="q-suggestions"></datalist>
    <p id="q-hint" class="hint">The start of any word: <kbd>beyon</kbd> finds Beyoncé.</p>
  </form>`;

/** Pages scripts: the plot where there is one, the search suggestions everywhere there is a search box. */
export const SCRIPTS = { plots: ['plots.js'], search: ['search.js'] } as const;

/** A page for a missing song, artist, album or chart day (404) or a malformed request (400). */
export const problemPage = (ctx: PageContext, title: string, text: string): Html =>
  layout(
    ctx,
    title,
    html`<h1>${title}</h1>
      ${message('error', text)}
      <p><a href="/">Search</a></p>`,
  );

/** A table that scrolls sideways on a narrow screen rather than the page. */
export const tableWrap = (caption: string, head: Html, rows: readonly Html[]): Html =>
  html`<div class="table-wrap">
    <table>
      <caption>
        ${caption}
      </caption>
      <thead>
        ${head}
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
