// `spotify-etl delete` and `reprocess` as child processes on a lake backfilled from real Charts CSVs (and a demo
// day, which fills all three tables): a reprocess of an unchanged day, and a delete followed by a reprocess,
// leave the lake exactly as it was.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { chartDayFiles, planReprocess } from '#functions/core/day-surgery.js';
import { PROCESSED, TO_PROCESS, TRANSFORMED } from '#functions/core/lake.js';
import { chartsDir, repoRoot, tempDir } from '../helpers/paths.js';

const AU = 'regional-au-daily';
const DEMO = 'demo-global-daily';
const FILES = [
  'regional-au-daily-2024-02-05.csv',
  'regional-au-daily-2024-02-06.csv',
  'regional-au-daily-2024-02-08.csv',
  'regional-global-weekly-2024-09-12.csv',
];

interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** The real CLI in a child process, without Spotify credentials, stdin not a terminal. */
function cli(...args: string[]): Promise<Ran> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SPOTIFY_') || k === 'CHART_SOURCE') delete env[k];
  const child = spawn(process.execPath, [join(repoRoot, 'bin/spotify-etl.js'), ...args, '--lake', lake], {
    cwd: repoRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

/** Every table file of the lake and a hash of its content: equal snapshots are equal lakes, rows and bytes. */
async function tables(): Promise<Record<string, string>> {
  const storage = new FolderStorage(lake);
  const snapshot: Record<string, string> = {};
  for (const key of await storage.list(TRANSFORMED)) {
    snapshot[key] = createHash('sha1')
      .update((await storage.get(key)) ?? '')
      .digest('hex');
  }
  return snapshot;
}

const rawObjects = async (prefix: string): Promise<string[]> => new FolderStorage(lake).list(prefix);

let lake: string;
let charts: string;

beforeAll(async () => {
  lake = await tempDir('day-surgery-');
  charts = await tempDir('day-surgery-charts-');
  await mkdir(charts, { recursive: true });
  for (const f of FILES) await copyFile(join(chartsDir, f), join(charts, f));
  const filled = await cli('backfill', charts);
  expect(filled.code).toBe(0);
  // The demo enriches through the local Spotify-API server: album and artist rows too.
  expect((await cli('run', '--source', 'demo', '--date', '2024-02-05')).code).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const dir of [lake, charts]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('spotify-etl reprocess', () => {
  it('rebuilds an unchanged day identically, the other chart days of its backfill batch included', async () => {
    const before = await tables();
    const plan = await planReprocess(new FolderStorage(lake), '2024-02-06', AU);
    expect(plan.objects).toHaveLength(1); // one backfill batch holds every CSV of the folder
    expect(plan.otherChartDays.map((d) => `${d.chartId} ${d.date}`)).toEqual([
      `${AU} 2024-02-05`,
      `${AU} 2024-02-08`,
      'regional-global-weekly 2024-09-12',
    ]);
    const r = await cli('reprocess', '--date', '2024-02-06', '--chart', AU, '--yes');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('song rows of those chart days: 200 before, 200 after');
    expect(r.out).toContain('800 lines in = 800 rows written + 0 duplicates + 0 rejected');
    expect(await tables()).toEqual(before);
    expect(await rawObjects(TO_PROCESS)).toEqual([]);
  });

  it('without --yes and with stdin not a terminal, refuses with exit 2 and names --yes', async () => {
    const r = await cli('reprocess', '--date', '2024-02-06');
    expect(r.code).toBe(2);
    expect(r.err).toContain('stdin is not a terminal');
    expect(r.err).toContain('hint: Add --yes');
  });

  it('exits 1 with a hint when no processed raw object holds the date', async () => {
    const r = await cli('reprocess', '--date', '2024-02-07', '--yes');
    expect(r.code).toBe(1);
    expect(r.err).toContain('No raw object in raw_data/processed/ holds any chart on 2024-02-07');
  });

  it('keeps the latest run: an older extraction still in processed/ is left alone, and the day comes back the same', async () => {
    expect((await cli('backfill', charts, '--force')).code).toBe(0);
    const processed = await rawObjects(PROCESSED);
    expect(processed.length).toBe(3); // the first backfill, the demo run, the forced backfill
    const before = await tables();
    const plan = await planReprocess(new FolderStorage(lake), '2024-02-05', AU);
    expect(plan.objects).toHaveLength(1);
    expect(plan.supersededObjects).toHaveLength(1);
    expect(plan.objects[0]).not.toBe(plan.supersededObjects[0]);
    expect((await cli('delete', '--date', '2024-02-05', '--chart', AU, '--yes')).code).toBe(0);
    const r = await cli('reprocess', '--date', '2024-02-05', '--chart', AU, '--yes');
    expect(r.code).toBe(0);
    expect(r.out).toContain('0 before, 200 after');
    expect(r.out).toContain('1 raw object of older, superseded runs left in processed/');
    expect(await tables()).toEqual(before);
  }, 60_000);
});

describe('spotify-etl delete', () => {
  it('without --yes and with stdin not a terminal, refuses with exit 2 and deletes nothing', async () => {
    const before = await tables();
    const r = await cli('delete', '--date', '2024-02-05', '--chart', DEMO);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: delete asks before it changes the lake, and stdin is not a terminal.');
    expect(r.err).toContain('hint: Add --yes to delete');
    expect(await tables()).toEqual(before);
  });

  it('needs --date and --chart (exit 2), and exits 1 for a chart day the lake does not hold', async () => {
    expect((await cli('delete', '--date', '2024-02-05', '--yes')).code).toBe(2);
    expect((await cli('delete', '--date', '2024-02-31', '--chart', AU, '--yes')).code).toBe(2);
    const absent = await cli('delete', '--date', '2024-02-07', '--chart', AU, '--yes');
    expect(absent.code).toBe(1);
    expect(absent.err).toContain('holds no rows of regional-au-daily on 2024-02-07');
  });

  it('removes the chart day from all three tables, leaves the other charts, and reprocess brings the lake back', async () => {
    const storage = new FolderStorage(lake);
    const before = await tables();
    const files = await chartDayFiles(storage, '2024-02-05', DEMO);
    expect(new Set(files.map((f) => f.table))).toEqual(new Set(['song_data', 'album_data', 'artist_data']));
    const deleted = await cli('delete', '--date', '2024-02-05', '--chart', DEMO, '--yes');
    expect(deleted.code).toBe(0);
    expect(deleted.out).toMatch(
      /^Deleted demo-global-daily on 2024-02-05: 200 song, \d+ album and \d+ artist rows/,
    );
    expect(await chartDayFiles(storage, '2024-02-05', DEMO)).toEqual([]);
    expect((await chartDayFiles(storage, '2024-02-05', AU)).length).toBe(1); // the other chart of the date stays
    const status = JSON.parse((await cli('status', '--format', 'json')).out) as {
      charts: { chartId: string }[];
    };
    expect(status.charts.map((c) => c.chartId)).not.toContain(DEMO);

    const back = await cli('reprocess', '--date', '2024-02-05', '--chart', DEMO, '--yes');
    expect(back.code).toBe(0);
    expect(back.out).toContain('0 before, 200 after');
    expect(await tables()).toEqual(before);
    // The rows read back through DuckDB as well.
    const q = await cli(
      'query',
      `select count(*) as n from song_data where chart_id = '${DEMO}'`,
      '--format',
      'json',
    );
    expect(JSON.parse(q.out)).toEqual([{ n: 200 }]);
  }, 60_000);
});
