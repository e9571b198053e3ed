// Search and the chart pages: home, search (HTML and JSON), song, artist, album and day. They are public, like a
// chart site: anyone may look things up; SQL and uploads need an account (routes/sql.ts, routes/upload.ts). Every
// id and date is checked here before it reaches the domain (chart-pages.ts, day-pages.ts) and its SQL.
import { Hono } from 'hono';
import { isIsoDate } from '#functions/core/dates.js';
import { pageContext, type ExplorerContext, type ExplorerEnv } from '#functions/explorer/app.js';
import { albumPage, artistPage, homePage, mainChart, songPage } from '#functions/explorer/chart-pages.js';
import { dayPage } from '#functions/explorer/day-pages.js';
import { isAlbumId, isArtistId, isArtistName, isChartId, isSongId } from '#functions/explorer/lake-values.js';
import type { ExplorerDeps } from '#functions/explorer/ports.js';
import { liveSearchIndex } from '#functions/explorer/search-load.js';
import type { EntityKind, SearchIndex } from '#functions/explorer/search.js';
import { albumView, artistView } from '#functions/explorer/views/artist.js';
import { dayHref, problemPage } from '#functions/explorer/views/chart-parts.js';
import { dayView, noChartsView } from '#functions/explorer/views/day.js';
import { homeView } from '#functions/explorer/views/home.js';
import { entityDetail, entityHref, searchView } from '#functions/explorer/views/search-results.js';
import { songView } from '#functions/explorer/views/song.js';

/** Longer queries are cut: no name needs more words than this to be found. */
export const MAX_QUERY_CHARS = 200;
const PER_KIND = 20;
const ALL_OF_KIND = 200;
const SUGGESTIONS = 8;
const KINDS: readonly EntityKind[] = ['song', 'artist', 'album'];

const queryOf = (c: ExplorerContext): string => (c.req.query('q') ?? '').slice(0, MAX_QUERY_CHARS);

const notFound = (c: ExplorerContext, what: string) =>
  c.html(problemPage(pageContext(c), 'Not found', `The lake has no ${what}.`), 404);

function searchRoutes(app: Hono<ExplorerEnv>, index: () => Promise<SearchIndex>): void {
  app.get('/search', async (c) => {
    const q = queryOf(c);
    const kind = KINDS.find((k) => k === c.req.query('kind'));
    const hits = (await index()).search(q, { limit: Infinity });
    const groups = (kind ? [kind] : KINDS).map((k) => {
      const ofKind = hits.filter((h) => h.entity.kind === k);
      return {
        kind: k,
        total: ofKind.length,
        entities: ofKind.slice(0, kind ? ALL_OF_KIND : PER_KIND).map((h) => h.entity),
      };
    });
    return c.html(searchView(pageContext(c, 'search'), q, groups, kind));
  });
  app.get('/api/search', async (c) => {
    const q = queryOf(c);
    const hits = (await index()).search(q, { limit: SUGGESTIONS });
    return c.json({
      query: q,
      results: hits.map(({ entity: e }) => ({
        kind: e.kind,
        id: e.id,
        name: e.name,
        detail: entityDetail(e),
        href: entityHref(e),
      })),
    });
  });
}

function entityRoutes(app: Hono<ExplorerEnv>, deps: ExplorerDeps, index: () => Promise<SearchIndex>): void {
  app.get('/song/:id', async (c) => {
    const id = c.req.param('id');
    const page = isSongId(id) ? await songPage(deps.lake, await index(), id) : undefined;
    return page ? c.html(songView(pageContext(c), page)) : notFound(c, 'such song');
  });
  app.get('/artist/:id', async (c) => {
    const id = c.req.param('id');
    const artist = isArtistId(id) ? (await index()).artist({ id }) : undefined;
    if (!artist) return notFound(c, 'such artist');
    return c.html(artistView(pageContext(c), await artistPage(deps.lake, await index(), artist)));
  });
  // Artists known by name only (charts not enriched from Spotify); an enriched artist of the name has its own URL.
  app.get('/artist', async (c) => {
    const name = c.req.query('name') ?? '';
    const artist = isArtistName(name) ? (await index()).artist({ name }) : undefined;
    if (!artist) return notFound(c, 'artist of that name');
    if (artist.id) return c.redirect(`/artist/${artist.id}`, 301);
    return c.html(artistView(pageContext(c), await artistPage(deps.lake, await index(), artist)));
  });
  app.get('/album/:id', async (c) => {
    const id = c.req.param('id');
    const ix = await index();
    const album = isAlbumId(id) ? ix.albums.get(id) : undefined;
    return album ? c.html(albumView(pageContext(c), albumPage(ix, album))) : notFound(c, 'such album');
  });
}

function dayRoutes(app: Hono<ExplorerEnv>, deps: ExplorerDeps, index: () => Promise<SearchIndex>): void {
  // The form's GET (chart, date) goes to the day's own URL; no choice yet opens the main chart's latest day.
  app.get('/day', async (c) => {
    const ix = await index();
    const chart = c.req.query('chart') ?? mainChart(ix)?.chartId;
    if (!chart) return c.html(noChartsView(pageContext(c, 'day')));
    const date = c.req.query('date') || ix.chart(chart)?.dates.at(-1) || '';
    if (!isChartId(chart) || !ix.chart(chart)) return notFound(c, 'such chart');
    if (!isIsoDate(date)) return badDate(c, date);
    return c.redirect(dayHref(chart, date), 303);
  });
  app.get('/day/:chart/:date', async (c) => {
    const { chart, date } = c.req.param();
    if (!isChartId(chart)) return notFound(c, 'such chart');
    if (!isIsoDate(date)) return badDate(c, date);
    const ix = await index();
    const page = await dayPage(deps.lake, ix, chart, date);
    if (!page) return notFound(c, 'such chart');
    return c.html(dayView(pageContext(c, 'day'), ix.charts, page), page.kind === 'chart' ? 200 : 404);
  });
}

const badDate = (c: ExplorerContext, date: string) =>
  c.html(
    problemPage(
      pageContext(c, 'day'),
      'Not a date',
      `“${date}” is not a date: use YYYY-MM-DD, e.g. 2024-02-05.`,
    ),
    400,
  );

export function pagesRoutes(deps: ExplorerDeps): Hono<ExplorerEnv> {
  const app = new Hono<ExplorerEnv>();
  const live = liveSearchIndex(deps.lake, deps.clock, {
    // The previous index stays in use; the next check (a few seconds on) tries again.
    onError: (error) => console.error('The search index could not be rebuilt:', error),
  });
  const index = (): Promise<SearchIndex> => live.current();
  app.get('/', async (c) =>
    c.html(homeView(pageContext(c, 'search'), await homePage(deps.lake, await index()))),
  );
  searchRoutes(app, index);
  entityRoutes(app, deps, index);
  dayRoutes(app, deps, index);
  return app;
}
