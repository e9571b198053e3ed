// The explorer's figures on a lake (bench/child.ts `explorer <lake>`): cold start (state opened, app built, first
// search answered with the index built), 200 searches, song and day pages, each timed through the app's own HTTP
// interface in-process (what the server does, without the socket), and the page scripts' sizes.
import { performance } from 'node:perf_hooks';
import { createExplorerApp } from '#functions/explorer/app.js';
import { clientBundle, CLIENT_BUNDLES } from '#functions/explorer/routes/assets.js';
import { openLocalExplorer } from '#functions/cli/explorer-runtime.js';

export interface ExplorerFigures {
  readonly songRows: number;
  readonly coldStartMs: number;
  readonly searches: number;
  readonly searchP50Ms: number;
  readonly searchP95Ms: number;
  readonly songPages: number;
  readonly songPageP95Ms: number;
  readonly dayPages: number;
  readonly dayPageP95Ms: number;
  readonly bundleKiB: Readonly<Record<string, number>>;
}

const percentile = (xs: readonly number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1));
};

/** A deterministic spread of prefixes: 2 to 6 characters of a word of a song or artist name. */
function searchTerms(names: readonly string[], count: number): string[] {
  const words = names.flatMap((n) => n.split(/\s+/)).filter((w) => w.length >= 2);
  return Array.from({ length: count }, (_, i) => {
    const word = words[(i * 7919) % words.length] ?? 'a';
    return word.slice(0, 2 + (i % 5));
  });
}

async function timed(run: () => Response | Promise<Response>): Promise<number> {
  const t0 = performance.now();
  const response = await run();
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`explorer answered ${response.status}`);
  return performance.now() - t0;
}

export async function explorerFigures(lakeRoot: string): Promise<ExplorerFigures> {
  const t0 = performance.now();
  const explorer = await openLocalExplorer(lakeRoot);
  const app = createExplorerApp(explorer.deps);
  const get = (path: string) => () =>
    app.request(`http://bench.local${path}`, { headers: { accept: 'text/html' } });
  await timed(() => app.request('http://bench.local/api/search?q=a'));
  const coldStartMs = Math.round(performance.now() - t0);
  const { rows } = await explorer.deps.lake.query(
    `SELECT song_id, song_name, artist_names[1] AS artist, chart_id, CAST(snapshot_date AS VARCHAR) AS day
       FROM song_data WHERE song_id IS NOT NULL USING SAMPLE 200 ROWS (reservoir, 42)`,
  );
  const [{ n } = { n: 0 }] = (await explorer.deps.lake.query('SELECT count(*) AS n FROM song_data')).rows;
  const names = rows.flatMap((r) => [String(r.song_name), String(r.artist)]);
  const searches: number[] = [];
  for (const term of searchTerms(names, 200))
    searches.push(
      await timed(() => app.request(`http://bench.local/api/search?q=${encodeURIComponent(term)}`)),
    );
  const songPages: number[] = [];
  for (const r of rows.slice(0, 50)) songPages.push(await timed(get(`/song/${String(r.song_id)}`)));
  const dayPages: number[] = [];
  for (const r of rows.slice(50, 100))
    dayPages.push(await timed(get(`/day/${String(r.chart_id)}/${String(r.day)}`)));
  const bundleKiB: Record<string, number> = {};
  for (const name of Object.keys(CLIENT_BUNDLES)) {
    bundleKiB[name] = Math.round(Buffer.byteLength((await clientBundle(name)) ?? '') / 102.4) / 10;
  }
  await explorer.close();
  return {
    songRows: Number(n),
    coldStartMs,
    searches: searches.length,
    searchP50Ms: percentile(searches, 50),
    searchP95Ms: percentile(searches, 95),
    songPages: songPages.length,
    songPageP95Ms: percentile(songPages, 95),
    dayPages: dayPages.length,
    dayPageP95Ms: percentile(dayPages, 95),
    bundleKiB,
  };
}
