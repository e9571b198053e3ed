// The CLI's integrity promises: a damaged chart fails the run loudly (its valid rows still written), the demo
// never replaces or joins a real chart, and an entry whose record Firehose could not carry is set aside alone.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { cliInProcess, withoutSpotifyEnvironment } from '../helpers/cli.js';
import type { Chart } from '#functions/core/chart.js';
import { EntityCache } from '#functions/core/entity-cache.js';
import { MAX_RECORD_BYTES, extractChart } from '#functions/core/extract.js';
import { silentLogger, type DeliveryStream } from '#functions/ports.js';
import { chartsDir, fakeClock, repoRoot, tempDir } from '../helpers/paths.js';

const cli = cliInProcess;

const count = async (lake: string, where: string): Promise<unknown> =>
  JSON.parse(
    (
      await cli([
        'query',
        `SELECT count(*) AS n FROM song_data WHERE ${where}`,
        '--lake',
        lake,
        '--format',
        'json',
      ])
    ).out,
  );

withoutSpotifyEnvironment();

describe('a damaged chart', () => {
  it('fails the run with the chart, its size and the first problem, and still writes the 199 valid rows', async () => {
    const dir = await tempDir('damaged-');
    const lines = (await readFile(join(chartsDir, 'regional-au-daily-2024-02-05.csv'), 'utf8')).split('\n');
    lines[3] = lines[3]!.replace(',', ',"'); // one unbalanced quote on rank 3
    const file = join(dir, 'regional-au-daily-2024-02-05.csv');
    await writeFile(file, lines.join('\n'));
    const lake = join(dir, 'lake');
    const run = await cli(['run', '--lake', lake, '--source', `charts-csv:${file}`]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /incomplete chart: regional-au-daily 2024-02-05 holds 199 of 200 entries: line 4/,
    );
    expect(await count(lake, "chart_id = 'regional-au-daily'")).toEqual([{ n: 199 }]);
  });
});

describe('the demo', () => {
  it('never replaces the real global chart of its date, nor joins its history', async () => {
    const lake = await tempDir('demo-real-');
    const real = join(chartsDir, 'spotifycharts-regional-global-daily-2020-03-01.csv');
    expect((await cli(['run', '--lake', lake, '--source', `charts-csv:${real}`])).code).toBe(0);
    expect((await cli(['run', '--lake', lake, '--date', '2020-03-01'])).code).toBe(0); // the demo, same day
    expect(await count(lake, "chart_id = 'regional-global-daily' AND source_kind = 'charts-csv'")).toEqual([
      { n: 200 },
    ]);
    expect(await count(lake, "chart_id = 'regional-global-daily' AND source_kind = 'demo'")).toEqual([
      { n: 0 },
    ]);
    expect(await count(lake, "chart_id = 'demo-global-daily'")).toEqual([{ n: 200 }]);
  });
});

describe('extraction', () => {
  const entry = (position: number, trackName: string) => ({
    position,
    trackId: `${'a'.repeat(21)}${position}`,
    uri: `spotify:track:${'a'.repeat(21)}${position}`,
    trackName,
    artistNames: ['A'],
    streams: 10,
    peakRank: 1,
    previousRank: null,
    daysOnChart: 1,
    weeksOnChart: null,
    addedAt: null,
  });

  /** Extracts a chart of these entries into a fresh lake; what was delivered, and the report. */
  async function extract(entries: Chart['entries']) {
    const storage = new FolderStorage(await tempDir('extract-limits-'));
    const clock = fakeClock();
    const delivered: string[] = [];
    const delivery: DeliveryStream = {
      put: async (records) => {
        delivered.push(...records);
        return { delivered: records.length, batches: 1, retried: 0 };
      },
      flush: async () => {},
    };
    const chart: Chart = {
      kind: 'charts-csv',
      chartId: 'regional-au-daily',
      region: 'au',
      date: '2024-02-05',
      entries,
      problems: [],
      origin: 'regional-au-daily-2024-02-05.csv',
    };
    const report = await extractChart(chart, {
      storage,
      delivery,
      clock,
      logger: silentLogger,
      cache: await EntityCache.load(storage, clock, 30),
    });
    const positions = delivered.map((r) => (JSON.parse(r) as { position: number }).position);
    return { storage, positions, report };
  }

  it('sets aside an entry whose record is over Firehose limit or against the schema, and delivers the rest', async () => {
    const { storage, positions, report } = await extract([
      entry(1, 'ok'),
      entry(2, 'x'.repeat(MAX_RECORD_BYTES)),
      entry(3, 'y'.repeat(3000)),
      entry(4, 'ok'),
    ]);
    expect(positions).toEqual([1, 4]);
    expect(report.problems.map((p) => p.reason)).toEqual([
      expect.stringMatching(/record of rank 2 is \d+ bytes; Firehose accepts at most 1024000/),
      expect.stringMatching(/record of rank 3 does not match .*track_name must NOT have more than 2048/),
    ]);
    expect(report.completeness).toMatchObject({ complete: false, expected: 200, held: 2 });
    const setAside = await storage.list('top_200_global/raw_data/rejected/extract/');
    expect(setAside).toHaveLength(1);
  });

  it('sets aside what the transformer would reject beyond the schema (a lone surrogate), as the transformer would', async () => {
    const { positions, report } = await extract([entry(1, 'ok'), entry(2, 'bad \ud800 name')]);
    expect(positions).toEqual([1]);
    expect(report.problems.map((p) => p.reason)).toEqual([
      expect.stringMatching(/record of rank 2 holds a string with a lone UTF-16 surrogate/),
    ]);
  });
});

describe('two transforms of one lake at once', () => {
  it('both exit 0 and every object is transformed once (the second finds what the first took done)', async () => {
    const lake = await tempDir('two-transforms-');
    const dir = join(lake, 'top_200_global', 'raw_data', 'to_process', '2026', '11', '25', '16');
    await mkdir(dir, { recursive: true });
    for (let o = 0; o < 8; o++) {
      const lines = Array.from({ length: 200 }, (_, i) =>
        JSON.stringify({
          schema_version: 1,
          snapshot_date: `2024-03-${String(o + 10)}`,
          extracted_at: '2026-11-25T16:00:00Z',
          run_id: `run${o}`,
          source: { kind: 'charts-csv', id: 'regional-au-daily', region: 'au' },
          position: i + 1,
          track: null,
          chart_entry: {
            uri: `spotify:track:${String(i).padStart(22, 'a')}`,
            track_name: 'x',
            artist_names: [],
          },
        }),
      );
      await writeFile(join(dir, `object-${o}`), lines.join('\n') + '\n');
    }
    const transform = () =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [
          join(repoRoot, 'bin/spotify-etl.js'),
          'transform',
          '--lake',
          lake,
        ]);
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('close', (code) => resolve({ code, out, err }));
      });
    const [a, b] = await Promise.all([transform(), transform()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const written = [a, b].map((r) => Number(/= (\d+) rows written/.exec(r.out)?.[1]));
    expect(written[0]! + written[1]!).toBe(1600);
    expect(await count(lake, 'true')).toEqual([{ n: 1600 }]);
  }, 60_000);
});
