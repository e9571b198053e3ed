// A small real lake for the explorer's pages, made by the pipeline itself: the 13 recorded AU daily charts of
// February 2024 (real names, accents included: Beyoncé, Chance Peña, cassö; no Spotify enrichment, so names only),
// two demo days (enriched: albums and artist ids), and a hand-written chart whose song is called <script>.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLocal } from '#functions/cli/local-runtime.js';
import { loadConfig } from '#functions/config.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { chartsDir, tempDir } from './paths.js';

export const AU_CHART = 'regional-au-daily';
export const AU_DAYS = 13;
export const DEMO_CHART = 'demo-global-daily';
export const DEMO_DAYS = ['2026-11-21', '2026-11-22'];
export const SCRIPT_SONG = { id: '0000000000000000Script', name: '<script>alert(1)</script>' } as const;
export const QUOTE_ARTIST = "O'Brien & Sons";
export const NZ_CHART = 'regional-nz-daily';

const HEADER = 'rank,uri,artist_names,track_name,source,peak_rank,previous_rank,days_on_chart,streams';

/** A Charts CSV row (the format Spotify's charts site downloads). */
export const csvRow = (
  rank: number,
  id: string,
  artists: string,
  track: string,
  previous = -1,
  days = 1,
  streams = 1000,
): string =>
  [rank, `"spotify:track:${id}"`, `"${artists.replace(/"/g, '""')}"`, `"${track.replace(/"/g, '""')}"`]
    .concat(['"Label"', String(rank), String(previous), String(days), `"${streams}"`])
    .join(',');

/** Writes a Charts CSV named as Spotify names them (the chart and the date come from the name) and runs it. */
export async function runChartCsv(lake: string, fileName: string, rows: readonly string[]): Promise<void> {
  const dir = await tempDir('pages-csv-');
  const path = join(dir, fileName);
  await writeFile(path, [HEADER, ...rows].join('\n') + '\n');
  await runLocal(loadConfig({ SPOTIFY_ETL_LAKE: lake }), systemClock, silentLogger, {
    source: `charts-csv:${path}`,
  });
}

export async function buildPagesLake(): Promise<string> {
  const lake = await tempDir('explorer-pages-');
  const config = loadConfig({ SPOTIFY_ETL_LAKE: lake });
  const au = (await readdir(chartsDir)).filter((f) => f.startsWith(`${AU_CHART}-2024-02-`)).sort();
  if (au.length !== AU_DAYS) throw new Error(`expected ${AU_DAYS} AU charts, found ${au.length}`);
  for (const file of au) {
    await runLocal(config, systemClock, silentLogger, { source: `charts-csv:${join(chartsDir, file)}` });
  }
  for (const date of DEMO_DAYS) await runLocal(config, systemClock, silentLogger, { date, source: 'demo' });
  await runChartCsv(lake, `${NZ_CHART}-2024-02-10.csv`, [
    csvRow(1, SCRIPT_SONG.id, 'Mallory', SCRIPT_SONG.name),
    csvRow(2, '00000000000000000Quote', QUOTE_ARTIST, 'It\'s "Quoted"', 1, 5, 900),
  ]);
  return lake;
}
