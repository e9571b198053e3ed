// The Athena named queries (infra/queries/*.sql), run in DuckDB over a demo lake of two chart days:
// the same SQL must answer sensibly in both engines, so it sticks to what Trino and DuckDB share.
import { LakeQueryEngine, type Row } from '#functions/adapters/local/duckdb-query.js';
import { runLocal } from '#functions/cli/local-runtime.js';
import { DEMO_CHART_ID } from '#functions/core/sources.js';
import { loadConfig } from '#functions/config.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { namedQueryFiles, type NamedQueryFile } from '#infra/constructs/query-workgroup.js';
import { tempDir } from '../helpers/paths.js';

const DAY_1 = '2026-11-24';
const DAY_2 = '2026-11-25';

let engine: LakeQueryEngine;
const files = new Map<string, NamedQueryFile>(namedQueryFiles().map((f) => [f.name, f]));

const run = async (name: string): Promise<Row[]> => {
  const file = files.get(name);
  if (!file) throw new Error(`no infra/queries/${name}.sql`);
  // The demo lake holds the demo's own chart id (never a real chart's): the SQL runs as written but for that literal.
  const sql = file.sql.replaceAll("'regional-global-daily'", `'${DEMO_CHART_ID}'`);
  return [...(await engine.query(sql)).rows];
};

const isSortedBy = <T>(xs: readonly T[], key: (x: T) => number, direction: 1 | -1 = 1): boolean =>
  xs.every((x, i) => i === 0 || direction * (key(x) - key(xs[i - 1]!)) >= 0);

beforeAll(async () => {
  const lake = await tempDir('spotify-etl-queries-');
  const config = loadConfig({ SPOTIFY_ETL_LAKE: lake });
  for (const date of [DAY_1, DAY_2]) {
    await runLocal(config, systemClock, silentLogger, { date, source: 'demo' });
  }
  engine = await LakeQueryEngine.open(lake);
}, 60_000);

afterAll(() => engine?.close());

describe('named queries (portable SQL: Athena engine v3 and DuckDB)', () => {
  it.each([...files.values()].map((f) => [f.name, f] as const))(
    '%s reads only the three tables, prunes by DATE literals and avoids non-portable syntax',
    (_name, file) => {
      const code = file.sql.replace(/--.*$/gm, '');
      // `CROSS JOIN UNNEST(array) AS t(x)` is the array expansion both engines accept; it is not a table.
      const tables = [...code.matchAll(/\b(?:from|join)\s+(?!unnest\s*\()([a-z_]+)/gi)].map((m) =>
        m[1]!.toLowerCase(),
      );
      expect(tables.length).toBeGreaterThan(0);
      for (const t of tables) expect(['song_data', 'album_data', 'artist_data']).toContain(t);
      expect(file.sql).toMatch(/snapshot_date\s*(=|BETWEEN)\s*DATE '\d{4}-\d{2}-\d{2}'/);
      // element_at and [] indexing differ on a missing element; `::`, ILIKE and QUALIFY are DuckDB-only;
      // one statement without `;`, as Athena runs one statement per call.
      expect(code).not.toMatch(/element_at|\w\[\d+\]|;|::|ILIKE|QUALIFY/i);
      expect(file.description.length).toBeGreaterThan(20);
    },
  );

  it('top-10-of-a-day: ten rows, positions 1 to 10 in order, streams not increasing', async () => {
    const rows = await run('top-10-of-a-day');
    expect(rows.map((r) => r.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(isSortedBy(rows, (r) => Number(r.streams), -1)).toBe(true);
    for (const r of rows) {
      expect(typeof r.song_name).toBe('string');
      expect(Array.isArray(r.artist_names) && r.artist_names.length > 0).toBe(true);
    }
  });

  it("song-rank-history: the day's number 1, one row per chart day, ending at position 1", async () => {
    const rows = await run('song-rank-history');
    expect(rows.map((r) => r.snapshot_date)).toEqual([DAY_1, DAY_2]);
    expect(rows.at(-1)?.position).toBe(1);
    expect(new Set(rows.map((r) => r.song_name)).size).toBe(1);
  });

  it('artist-daily-streams: both days, artists ordered by streams, no more songs than chart entries', async () => {
    const rows = await run('artist-daily-streams');
    for (const day of [DAY_1, DAY_2]) {
      const ofDay = rows.filter((r) => r.snapshot_date === day);
      expect(ofDay.length).toBeGreaterThan(10);
      expect(isSortedBy(ofDay, (r) => Number(r.total_streams), -1)).toBe(true);
      const songs = ofDay.reduce((n, r) => n + Number(r.songs), 0);
      expect(songs).toBeGreaterThan(150);
      expect(songs).toBeLessThanOrEqual(200);
    }
  });

  it('new-entries-of-a-day: songs on the second day that were not on the first, by position', async () => {
    const rows = await run('new-entries-of-a-day');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(200);
    expect(isSortedBy(rows, (r) => Number(r.position))).toBe(true);
    const ids = async (date: string) =>
      new Set(
        (await engine.query(`select song_id from song_data where snapshot_date = DATE '${date}'`)).rows
          .map((r) => r.song_id)
          .filter((id) => id !== null),
      );
    const [day1, day2] = [await ids(DAY_1), await ids(DAY_2)];
    const entered = new Set(rows.map((r) => r.song_id).filter((id) => id !== null));
    // Exactly the identified songs of day 2 missing from day 1 (a local file, song_id null, is always "new").
    expect([...entered].sort()).toEqual([...day2].filter((id) => !day1.has(id)).sort());
  });

  it('longest-charting-songs: at most 20, by days on chart, with positions on the chart', async () => {
    const rows = await run('longest-charting-songs');
    expect(rows).toHaveLength(20);
    expect(isSortedBy(rows, (r) => Number(r.max_days_on_chart), -1)).toBe(true);
    for (const r of rows) {
      expect(Number(r.best_position)).toBeGreaterThanOrEqual(1);
      expect(Number(r.best_position)).toBeLessThanOrEqual(200);
      expect([1, 2]).toContain(r.days_in_range);
    }
  });

  it('top-movers-of-a-day: up to 10 gains then up to 10 drops, each equal to previous_rank - position', async () => {
    const rows = await run('top-movers-of-a-day');
    const up = rows.filter((r) => r.movement === 'up');
    const down = rows.filter((r) => r.movement === 'down');
    expect(up.length).toBeGreaterThan(0);
    expect(down.length).toBeGreaterThan(0);
    expect(up.length).toBeLessThanOrEqual(10);
    expect(down.length).toBeLessThanOrEqual(10);
    expect(rows).toEqual([...up, ...down]);
    expect(isSortedBy(rows, (r) => Number(r.places_gained), -1)).toBe(true);
    for (const r of rows) {
      expect(r.previous_rank).not.toBeNull(); // new entries and re-entries are not movers
      expect(r.places_gained).toBe(Number(r.previous_rank) - Number(r.position));
      expect(r.places_gained).not.toBe(0);
      expect(Number(r.places_gained) > 0).toBe(r.movement === 'up');
    }
    // They are the biggest moves of the day: no song left out moved further than the smallest move shown.
    const all = (
      await engine.query(
        `select previous_rank - position as change from song_data where snapshot_date = DATE '${DAY_2}' and previous_rank is not null`,
      )
    ).rows.map((r) => Number(r.change));
    const gains = all.filter((c) => c > 0).sort((a, b) => b - a);
    const drops = all.filter((c) => c < 0).sort((a, b) => a - b);
    expect(up.map((r) => r.places_gained)).toEqual(gains.slice(0, 10));
    expect(down.map((r) => r.places_gained).reverse()).toEqual(drops.slice(0, 10));
  });

  it("artist-share-of-streams: each artist's streams over the day's total, a collaboration counted for each artist", async () => {
    const rows = await run('artist-share-of-streams');
    const entries = (
      await engine.query(`select artist_names, streams from song_data where snapshot_date = DATE '${DAY_2}'`)
    ).rows;
    const total = entries.reduce((n, e) => n + Number(e.streams), 0);
    const byHand = new Map<string, number>();
    for (const e of entries) {
      for (const a of e.artist_names as string[]) byHand.set(a, (byHand.get(a) ?? 0) + Number(e.streams));
    }
    expect(rows).toHaveLength(byHand.size);
    expect(isSortedBy(rows, (r) => Number(r.share), -1)).toBe(true);
    for (const r of rows) {
      expect(r.day_streams).toBe(total);
      expect(Number(r.share)).toBeGreaterThan(0);
      expect(Number(r.share)).toBeLessThanOrEqual(1);
      expect(Number(r.share)).toBeCloseTo(byHand.get(String(r.artist))! / total, 12);
    }
    // RIO's ECHOES (with Yara Lindqvist) counts in full for both artists.
    const echoes = entries.find((e) => (e.artist_names as string[]).join(',') === 'RIO,Yara Lindqvist');
    expect(echoes).toBeDefined();
    const rio = rows.find((r) => r.artist === 'RIO')!;
    const yara = rows.find((r) => r.artist === 'Yara Lindqvist')!;
    expect(Number(rio.artist_streams)).toBeGreaterThanOrEqual(Number(echoes!.streams));
    expect(Number(yara.artist_streams)).toBeGreaterThanOrEqual(Number(echoes!.streams));
    // So the shares add up to the credited streams over the total: over 1 once there is a collaboration.
    const credited = entries.reduce((n, e) => n + Number(e.streams) * (e.artist_names as string[]).length, 0);
    const sum = rows.reduce((n, r) => n + Number(r.share), 0);
    expect(sum).toBeCloseTo(credited / total, 9);
    expect(sum).toBeGreaterThan(1);
  });
});
