// Search and the chart pages through the explorer's HTTP interface, on a real lake made by the pipeline (13 real AU
// charts, two demo days, a chart with a song called <script>): every expected value is read from the lake here with
// SQL of the test's own, not from the app's code.
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { everyDay } from '#functions/core/dates.js';
import type { PlotData } from '#functions/explorer/plot-data.js';
import { liveSearchIndex } from '#functions/explorer/search-load.js';
import { TestBrowser, testExplorer, type TestExplorer } from '../helpers/explorer.js';
import {
  AU_CHART,
  DEMO_CHART,
  NZ_CHART,
  QUOTE_ARTIST,
  SCRIPT_SONG,
  buildPagesLake,
} from '../helpers/pages-lake.js';

let lake: string;
let t: TestExplorer;
let sql: LakeQueryEngine;
let anon: TestBrowser;

beforeAll(async () => {
  lake = await buildPagesLake();
  t = await testExplorer({}, lake);
  sql = await LakeQueryEngine.open(lake);
  anon = new TestBrowser(t.app);
}, 180_000);

afterAll(async () => {
  await liveSearchIndex(t.explorer.deps.lake, t.clock).idle();
  sql?.close();
  await t?.close();
});

const rows = async (text: string) => (await sql.query(text)).rows;
const page = async (path: string, browser = anon): Promise<{ status: number; body: string }> => {
  const r = await browser.get(path);
  return { status: r.status, body: await r.text() };
};
interface Result {
  readonly kind: string;
  readonly id: string | null;
  readonly name: string;
  readonly href: string;
}
const api = async (q: string): Promise<Result[]> =>
  (
    (await (await anon.get(`/api/search?q=${encodeURIComponent(q)}`, 'application/json')).json()) as {
      results: Result[];
    }
  ).results;
/** The part of a page inside <section aria-labelledby="id">. */
const section = (body: string, id: string): string => {
  const start = body.indexOf(`aria-labelledby="${id}"`);
  expect(start).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf('</section>', start));
};
const songIds = (fragment: string): string[] =>
  [...fragment.matchAll(/href="\/song\/(\w+)"/g)].map((m) => m[1]!);
/** The value beside a label of a page's figures (its <dl>). */
const figure = (body: string, label: string): string | undefined =>
  new RegExp(`<dt>${label}</dt>\\s*<dd>([^<]*)</dd>`).exec(body)?.[1];
const plotData = (body: string): PlotData => {
  const json = /<script type="application\/json" id="plot-data">([\s\S]*?)<\/script>/.exec(body)?.[1];
  expect(json).toBeDefined();
  return JSON.parse(json!) as PlotData;
};

describe('search', () => {
  it.each(['beyonce', 'BEYONCÉ', 'Beyon', 'beyoncé!'])(
    'finds Beyoncé by %s: accents, case and punctuation do not count',
    async (q) => {
      const [first] = await api(q);
      expect(first).toMatchObject({ kind: 'artist', name: 'Beyoncé', href: '/artist?name=Beyonc%C3%A9' });
    },
  );

  it.each([
    ['pena', 'Chance Peña'],
    ['casso', 'cassö'],
    ['tiesto', 'Tiësto'],
  ])('finds the artist %s → %s by an unaccented prefix', async (q, name) => {
    expect((await api(q)).map((r) => r.name)).toContain(name);
  });

  it('ranks the exact artist first, then their songs by best peak, days and streams', async () => {
    const expected = await rows(`SELECT song_id FROM song_data WHERE list_contains(artist_names, 'Beyoncé')
      GROUP BY song_id ORDER BY min(position), count(DISTINCT snapshot_date) DESC, sum(streams) DESC`);
    const results = await api('beyonce');
    expect(results[0]?.kind).toBe('artist');
    expect(results.slice(1).map((r) => r.id)).toEqual(expected.map((r) => r.song_id));
  });

  it('puts names that start with the query before names with the word later, each by best peak', async () => {
    const { body } = await page('/search?q=love&kind=song');
    const ids = songIds(body);
    const peaks = new Map(
      (
        await rows(`SELECT song_id, min(position) AS peak, max_by(song_name, snapshot_date) AS name
        FROM song_data WHERE song_id IS NOT NULL GROUP BY song_id`)
      ).map((r) => [r.song_id, r]),
    );
    const starts = ids.map((id) => /^love/i.test(String(peaks.get(id)!.name)));
    expect(starts.indexOf(false)).toBeGreaterThan(0);
    expect(starts.slice(starts.indexOf(false))).not.toContain(true);
    for (const group of [true, false]) {
      const groupPeaks = ids.filter((_, i) => starts[i] === group).map((id) => Number(peaks.get(id)!.peak));
      expect(groupPeaks).toEqual([...groupPeaks].sort((a, b) => a - b));
    }
  });

  it('shows songs, artists and albums with links to their pages, and says when nothing matches', async () => {
    const { body } = await page('/search?q=echo');
    expect(body).toMatch(/<h2 id="results-song">Songs \(\d+\)<\/h2>/);
    expect(body).toMatch(/<h2 id="results-album">Albums \(\d+\)<\/h2>/);
    expect(body).toMatch(/href="\/album\/\w{22}"/);
    expect((await page('/search?q=zzqqxx')).body).toContain('Nothing on the charts starts with');
  });
});

describe('song page', () => {
  it('draws the rank history with a gap on the days the song was off the chart', async () => {
    const [gappy] =
      await rows(`SELECT song_id, list(CAST(snapshot_date AS VARCHAR) ORDER BY snapshot_date) AS days,
        list(position ORDER BY snapshot_date) AS positions FROM song_data WHERE chart_id = '${AU_CHART}'
      GROUP BY song_id HAVING date_diff('day', min(snapshot_date), max(snapshot_date)) + 1 > count(*)
      ORDER BY min(position), song_id LIMIT 1`);
    const days = gappy!.days as string[];
    const positions = gappy!.positions as number[];
    const { status, body } = await page(`/song/${String(gappy!.song_id)}`);
    expect(status).toBe(200);
    const data = plotData(body);
    expect(data.kind).toBe('rank');
    expect(data.dates).toEqual(everyDay(days[0]!, days.at(-1)!));
    const expected = data.dates.map((d) => (days.includes(d) ? positions[days.indexOf(d)]! : null));
    expect(data.series).toEqual([{ label: AU_CHART, values: expected }]);
    expect(expected).toContain(null);
    expect(body).toContain('off the chart');
    expect(body).toContain(`href="https://open.spotify.com/track/${String(gappy!.song_id)}"`);
  });

  it('shows peak, days, streams, album and artists with links (an enriched demo song)', async () => {
    const [song] =
      await rows(`SELECT song_id, min(position) AS peak, count(*) AS days, sum(streams) AS streams,
        any_value(album_id) AS album_id, any_value(artist_ids[1]) AS artist FROM song_data
      WHERE chart_id = '${DEMO_CHART}' GROUP BY song_id ORDER BY min(position), song_id LIMIT 1`);
    const { body } = await page(`/song/${String(song!.song_id)}`);
    expect(figure(body, 'Peak')).toBe(String(song!.peak));
    expect(figure(body, 'Days on a chart')).toBe(String(song!.days));
    expect(figure(body, 'Streams')).toBe(Number(song!.streams).toLocaleString('en-US'));
    expect(body).toContain(`href="/album/${String(song!.album_id)}"`);
    expect(body).toContain(`href="/artist/${String(song!.artist)}"`);
    const album = await page(`/album/${String(song!.album_id)}`);
    expect(album.status).toBe(200);
    expect(songIds(album.body)).toContain(song!.song_id);
  });

  it('renders a song called <script>alert(1)</script> as text, in the page and in the plot data', async () => {
    expect((await api('alert')).map((r) => r.id)).toContain(SCRIPT_SONG.id);
    const { body } = await page(`/song/${SCRIPT_SONG.id}`);
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toContain('<script>alert(1)');
    expect(body).toContain('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
    expect(plotData(body).title).toContain(SCRIPT_SONG.name);
    // Every script is the site's own file or inert JSON: the CSP allows nothing else.
    for (const tag of body.match(/<script[^>]*>/g) ?? [])
      expect(tag).toMatch(/ src="\/assets\/|application\/json/);
    const search = await page('/search?q=alert');
    expect(search.body).not.toContain('<script>alert(1)');
  });
});

describe('artist page', () => {
  it("shows an artist's songs and their share of each day's streams", async () => {
    const share = await rows(`WITH day AS (SELECT snapshot_date, sum(streams) AS total FROM song_data
        WHERE chart_id = '${AU_CHART}' GROUP BY ALL)
      SELECT CAST(s.snapshot_date AS VARCHAR) AS day, round(sum(s.streams) * 100.0 / any_value(d.total), 2) AS pct
      FROM song_data s JOIN day d USING (snapshot_date)
      WHERE s.chart_id = '${AU_CHART}' AND list_contains(s.artist_names, 'Taylor Swift') GROUP BY ALL ORDER BY 1`);
    const { status, body } = await page('/artist?name=Taylor%20Swift');
    expect(status).toBe(200);
    const data = plotData(body);
    expect(data.kind).toBe('share');
    expect(data.dates).toEqual(share.map((r) => r.day));
    expect(data.series[0]?.values).toEqual(share.map((r) => Number(r.pct)));
    const songs = await rows(`SELECT count(DISTINCT song_id) AS n FROM song_data
      WHERE list_contains(artist_names, 'Taylor Swift')`);
    expect(figure(body, 'Songs on a chart')).toBe(String(songs[0]!.n));
  });

  it('opens an enriched artist by id, and an artist whose name holds a quote by name', async () => {
    const [artist] = await rows(`SELECT artist_id FROM song_data WHERE chart_id = '${DEMO_CHART}' LIMIT 1`);
    expect((await page(`/artist/${String(artist!.artist_id)}`)).status).toBe(200);
    const quoted = await page(`/artist?name=${encodeURIComponent(QUOTE_ARTIST)}`);
    expect(quoted.status).toBe(200);
    expect(quoted.body).toContain('O&#39;Brien &amp; Sons');
    expect(songIds(quoted.body)).toEqual(['00000000000000000Quote']);
  });
});

describe('day page', () => {
  const date = '2024-02-10';
  const idsOf = async (where: string, order: string) =>
    (
      await rows(`SELECT song_id FROM song_data WHERE chart_id = '${AU_CHART}' AND snapshot_date = DATE '${date}'
        AND ${where} ORDER BY ${order}`)
    ).map((r) => r.song_id);

  it('shows the chart with the days before and after, its biggest climbs and falls, and its new entries', async () => {
    const { status, body } = await page(`/day/${AU_CHART}/${date}`);
    expect(status).toBe(200);
    expect(body).toContain(`rel="prev" href="/day/${AU_CHART}/2024-02-09"`);
    expect(body).toContain(`rel="next" href="/day/${AU_CHART}/2024-02-11"`);
    expect(songIds(section(body, 'climbs'))).toEqual(
      await idsOf('previous_rank > position', 'previous_rank - position DESC, position LIMIT 10'),
    );
    expect(songIds(section(body, 'falls'))).toEqual(
      await idsOf('previous_rank < position', 'position - previous_rank DESC, position LIMIT 10'),
    );
    const fresh = await idsOf('previous_rank IS NULL', 'position');
    expect(fresh.length).toBeGreaterThan(0);
    expect(songIds(section(body, 'new'))).toEqual(fresh);
    expect(songIds(section(body, 'chart'))).toEqual(await idsOf('true', 'position'));
  });

  it('has no previous link on the first day and no next link on the last', async () => {
    expect((await page(`/day/${AU_CHART}/2024-02-05`)).body).not.toContain('rel="prev"');
    expect((await page(`/day/${AU_CHART}/2024-02-17`)).body).not.toContain('rel="next"');
  });

  it('sends the form to the day’s URL, and /day alone to the main chart’s latest day', async () => {
    const form = await anon.get(`/day?chart=${AU_CHART}&date=2024-02-12`);
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/day/${AU_CHART}/2024-02-12`);
    const latest = await anon.get('/day');
    expect(latest.headers.get('location')).toBe(`/day/${DEMO_CHART}/2026-11-22`);
  });

  it('answers 400 for a date that is not one, and 404 for a day or chart the lake does not have', async () => {
    for (const bad of ['2024-02-30', '20240210', 'yesterday']) {
      const r = await page(`/day/${AU_CHART}/${bad}`);
      expect(r.status).toBe(400);
      expect(r.body).toContain('is not a date');
    }
    expect((await page(`/day/${AU_CHART}/2024-03-01`)).status).toBe(404);
    expect((await page(`/day/regional-xx-daily/${date}`)).status).toBe(404);
  });
});

describe('unknown ids, injection and access', () => {
  it.each([
    '/song/0000000000000000000000',
    '/artist/0000000000000000000000',
    '/album/0000000000000000000000',
    '/artist?name=Nobody%20At%20All',
  ])('%s is the 404 page', async (path) => {
    const r = await page(path);
    expect(r.status).toBe(404);
    expect(r.body).toContain('The lake has no');
  });

  it('treats SQL in ids, names, dates and the query as text: nothing runs, nothing leaks', async () => {
    const [before] = await rows('SELECT count(*) AS n FROM song_data');
    for (const path of [
      `/song/${encodeURIComponent("x' OR '1'='1")}`,
      `/artist?name=${encodeURIComponent("Mallory' OR '1'='1")}`,
      `/artist?name=${encodeURIComponent("x')) OR true --")}`,
      `/day/${encodeURIComponent(`${AU_CHART}' OR '1'='1`)}/2024-02-10`,
      `/album/${encodeURIComponent('x; DROP TABLE song_data')}`,
    ])
      expect((await page(path)).status).toBe(404);
    expect((await page(`/day/${AU_CHART}/${encodeURIComponent("2024-02-10' OR 1=1 --")}`)).status).toBe(400);
    for (const q of ["' OR 1=1 --", "'; DROP TABLE song_data; --", '%', '\\']) {
      expect((await anon.get(`/api/search?q=${encodeURIComponent(q)}`, 'application/json')).status).toBe(200);
    }
    expect((await rows('SELECT count(*) AS n FROM song_data'))[0]).toEqual(before);
    expect((await api('beyonce'))[0]?.name).toBe('Beyoncé');
  });

  it('is public: search and pages answer without an account, and the same with one', async () => {
    expect((await page('/')).body).toContain('Search the charts');
    const viewer = new TestBrowser(t.app);
    await viewer.signUp('reader@example.com');
    const home = await page('/', viewer);
    expect(home.status).toBe(200);
    expect(home.body).toContain(`${NZ_CHART}`);
    expect((await page('/search?q=beyonce', viewer)).body).toContain('Beyoncé');
  });
});
