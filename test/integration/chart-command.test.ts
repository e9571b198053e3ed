// `spotify-etl chart`: songs found by name or artist in a real lake (five demo days and the 13 real AU daily
// charts of February 2024), their rank history drawn in the terminal and written as SVG.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { runLocal } from '#functions/cli/local-runtime.js';
import { chartCommand } from '#functions/cli/chart-search.js';
import { MARKERS } from '#functions/cli/plot-terminal.js';
import { loadConfig } from '#functions/config.js';
import { EtlError } from '#functions/errors.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { chartsDir, tempDir } from '../helpers/paths.js';

const DEMO_DAYS = ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25'];
const AU_FIRST = '2024-02-05';
const AU_LAST = '2024-02-17';
const WIDTH = 60;

let lake: string;
let engine: LakeQueryEngine;

beforeAll(async () => {
  lake = await tempDir('spotify-etl-chart-');
  const config = loadConfig({ SPOTIFY_ETL_LAKE: lake });
  for (const date of DEMO_DAYS) await runLocal(config, systemClock, silentLogger, { date, source: 'demo' });
  const au = (await readdir(chartsDir)).filter((f) => f.startsWith('regional-au-daily-2024-02-')).sort();
  expect(au).toHaveLength(13);
  for (const file of au) {
    await runLocal(config, systemClock, silentLogger, { source: `charts-csv:${join(chartsDir, file)}` });
  }
  engine = await LakeQueryEngine.open(lake);
}, 120_000);

afterAll(() => engine?.close());

const chart = (term: string, options: Parameters<typeof chartCommand>[2] = {}): Promise<string> =>
  chartCommand(engine, term, { color: false, ...options });

/** The plot area: one string per row, top row (rank 1) first. */
const plotRows = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => /^\s*\d*\s[┤│]/.test(l))
    .map((l) => l.slice(l.search(/[┤│]/) + 1).padEnd(WIDTH));

/** The legend: marker → label. */
const legend = (text: string): Map<string, string> =>
  new Map(
    text
      .split('\n')
      .map((l) => /^ {2}(\S) (.+?) {2}\(peak \d+ on /.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );

const column = (rows: readonly string[], c: number): string => rows.map((r) => r[c] ?? ' ').join('');

async function rejection(promise: Promise<unknown>): Promise<EtlError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EtlError);
    return error as EtlError;
  }
  throw new Error('expected chartCommand to fail');
}

describe('chartCommand on the real AU charts', () => {
  it("finds Noah Kahan's songs and shows Stick Season at rank 1 on 2024-02-05", async () => {
    const text = await chart('Noah Kahan');
    expect(text.split('\n')[0]).toBe(`Rank on regional-au-daily, ${AU_FIRST} to ${AU_LAST}: "Noah Kahan"`);
    const songs = legend(text);
    expect(songs.get(MARKERS[0])).toBe('Stick Season — Noah Kahan');
    expect([...songs.values()]).toEqual(
      expect.arrayContaining([
        'Forever — Noah Kahan',
        'Dial Drunk (with Post Malone) — Noah Kahan, Post Malone',
      ]),
    );
    const rows = plotRows(text);
    expect(rows[0]![0]).toBe(MARKERS[0]); // top row = rank 1, first column = 2024-02-05
    expect(text).toContain('peak 1 on 2024-02-05, 13 of 13 days on the chart');
    expect(text).toMatch(/^\s+02-05\s.*\s02-17$/m);
  });

  it('leaves the days before Forever entered and after it left blank', async () => {
    const text = await chart('noah kahan'); // case does not matter
    const songs = legend(text);
    const forever = [...songs].find(([, label]) => label.startsWith('Forever'))![0];
    const rows = plotRows(text);
    const colOf = (day: number): number => Math.round((day * (WIDTH - 1)) / 12); // 13 days over 60 columns
    // On the chart 2024-02-09 to 02-14 (days 4 to 9 of the range); nothing of it outside.
    for (const day of [0, 1, 2, 3, 10, 11, 12]) expect(column(rows, colOf(day))).not.toContain(forever);
    for (const day of [4, 5, 6, 7, 8, 9]) expect(column(rows, colOf(day))).toContain(forever);
    expect(text).toContain('Forever — Noah Kahan  (peak 55 on 2024-02-09, 6 of 13 days on the chart)');
  });

  it('writes the SVG when asked: one polyline per song here (no gaps inside the range), legend and title', async () => {
    const path = join(lake, 'noah-kahan.svg');
    const text = await chart('Noah Kahan', { svg: path });
    expect(text).toContain(`SVG written to ${path}`);
    const svg = await readFile(path, 'utf8');
    expect(svg).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(legend(text).size);
    expect(svg).toContain('Stick Season — Noah Kahan (peak 1 on 2024-02-05)');
    expect(svg).toContain('Stick Season — Noah Kahan: #1 on 2024-02-05');
    expect(svg).toContain('Rank on regional-au-daily');
  });

  it('takes a term with a single quote literally and draws at most five songs, the best peaks', async () => {
    const text = await chart("Taylor's Version");
    const songs = [...legend(text).values()];
    expect(songs).toHaveLength(5);
    for (const s of songs) expect(s).toContain("(Taylor's Version)");
    const peaks = [...text.matchAll(/\(peak (\d+) on /g)].map((m) => Number(m[1]));
    expect(peaks).toEqual([...peaks].sort((a, b) => a - b));
    expect(text).toMatch(/\d+ songs match; the 5 with the best peak are drawn\./);
  });

  it('draws the --from/--to range only', async () => {
    const text = await chart('Stick Season', { from: '2024-02-14', to: '2024-02-16' });
    expect(text).toMatch(/^\s+02-14\s+02-15\s+02-16$/m);
    expect(text).toContain('Stick Season — Noah Kahan  (peak 1 on 2024-02-14, 3 of 3 days on the chart)');
    expect(plotRows(text)).toHaveLength(20);
  });

  it('is not fooled by SQL in the term: the quote stays inside the literal and nothing matches', async () => {
    const error = await rejection(chart("x' OR '1'='1"));
    expect(error.message).toBe(`No song or artist on any chart matches "x' OR '1'='1".`);
    await rejection(chart("%' --"));
    await rejection(chart('_')); // LIKE wildcards are taken literally too: no song name has an underscore
  });
});

describe('chartCommand on the demo chart', () => {
  it("shows the last day's number 1 at the top of the last column", async () => {
    const top = (
      await engine.query(
        `select song_name, array_to_string(artist_names, ', ') as artists from song_data where snapshot_date = DATE '${DEMO_DAYS.at(-1)}' and position = 1`,
      )
    ).rows[0]!;
    const text = await chart(String(top.song_name));
    expect(text.split('\n')[0]).toContain('demo-global-daily, 2026-11-21 to 2026-11-25');
    expect(legend(text).get(MARKERS[0])).toBe(`${top.song_name} — ${top.artists}`);
    expect(plotRows(text)[0]![WIDTH - 1]).toBe(MARKERS[0]);
  });

  it('matches a part of an artist name and shows only songs that match', async () => {
    const text = await chart('aria');
    const songs = [...legend(text).values()];
    expect(songs.length).toBeGreaterThan(0);
    expect(songs.length).toBeLessThanOrEqual(5);
    for (const s of songs) expect(s.toLowerCase()).toContain('aria');
  });

  it('picks one chart and names the others when songs match on several', async () => {
    const text = await chart('love');
    expect(text).toMatch(
      /Also on (demo-global|regional-au)-daily \(\d+ songs\): choose with --chart <chart_id>\./,
    );
    const other = /Also on (\S+) /.exec(text)![1]!;
    const again = await chart('love', { chartId: other });
    expect(again.split('\n')[0]).toContain(`Rank on ${other},`);
    expect(again).not.toContain('Also on');
  });

  it('colours the plot when asked (io.color: a TTY without NO_COLOR), and not by default', async () => {
    expect(await chartCommand(engine, 'aria', { color: true })).toContain('\x1b[36m');
    expect(await chartCommand(engine, 'aria')).not.toContain('\x1b');
  });

  it('gives the same history as JSON with format json: no plot', async () => {
    const history = JSON.parse(await chartCommand(engine, 'Stick Season', { format: 'json' })) as {
      chartId: string;
      dates: string[];
      series: { song: string; artists: string; peak: number; peakDate: string; daysOnChart: number }[];
    };
    expect(history.chartId).toBe('regional-au-daily');
    expect(history.dates[0]).toBe(AU_FIRST);
    expect(history.dates.at(-1)).toBe(AU_LAST);
    expect(history.series[0]).toMatchObject({
      song: 'Stick Season',
      artists: 'Noah Kahan',
      peak: 1,
      peakDate: AU_FIRST,
      daysOnChart: 13,
    });
  });
});

describe('chartCommand errors', () => {
  it('says when nothing matches and suggests a shorter term', async () => {
    const error = await rejection(chart('zz no such song zz'));
    expect(error.message).toBe('No song or artist on any chart matches "zz no such song zz".');
    expect(error.hint).toMatch(/shorter term/);
  });

  it('names the chart and range that were searched', async () => {
    const error = await rejection(
      chart('Noah Kahan', { chartId: 'regional-global-daily', from: '2024-02-01', to: '2024-02-03' }),
    );
    expect(error.message).toBe(
      'No song or artist on regional-global-daily from 2024-02-01 to 2024-02-03 matches "Noah Kahan".',
    );
  });

  it('rejects an empty term, a malformed date and a range that ends before it starts', async () => {
    expect((await rejection(chart('  '))).hint).toMatch(/spotify-etl chart "Noah Kahan"/);
    expect((await rejection(chart('Noah', { from: '2024-2-5' }))).message).toMatch(
      /--from 2024-2-5 is not a date/,
    );
    await expect(chart('Noah', { from: '2024-02-10', to: '2024-02-05' })).rejects.toThrow(/is after --to/);
    // A size that cannot be drawn fails before any query, even for a term that would match nothing.
    expect((await rejection(chart('zz no such song zz', { height: 3 }))).message).toBe(
      '--height must be a whole number from 5 to 200 (not 3).',
    );
    expect((await rejection(chart('Noah', { width: Number('abc') }))).message).toMatch(/^--width must be/);
  });
});
