// `spotify-etl status` as a child process: an empty lake, a missing one, and a lake backfilled from real Charts
// CSVs with a gap, a weekly chart, an object waiting and an object quarantined.
import { spawn } from 'node:child_process';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { TO_PROCESS } from '#functions/core/lake.js';
import type { LakeStatus } from '#functions/core/lake-status.js';
import { chartsDir, repoRoot, tempDir } from '../helpers/paths.js';

interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function cli(lake: string, ...args: string[]): Promise<Ran> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('SPOTIFY_') || k === 'CHART_SOURCE') delete env[k];
  const child = spawn(process.execPath, [join(repoRoot, 'bin/spotify-etl.js'), ...args, '--lake', lake], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});
const dir = async (prefix: string): Promise<string> => {
  const d = await tempDir(prefix);
  made.push(d);
  return d;
};

describe('spotify-etl status', () => {
  it('says an existing empty lake is empty, and exits 0', async () => {
    const lake = await dir('status-empty-');
    const r = await cli(lake, 'status');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `The lake ${lake} is empty: no chart day, nothing waiting, nothing set aside. \`spotify-etl run\` or \`backfill\` fills it.\n`,
    );
  });

  it('exits 1 with a hint for a lake folder that does not exist', async () => {
    const r = await cli(join(await dir('status-none-'), 'nowhere'), 'status');
    expect(r.code).toBe(1);
    expect(r.err).toContain('the folder does not exist');
    expect(r.err).toContain('hint: ');
  });

  it('lists charts with their region, dates and gaps, the rows, and what waits or was set aside', async () => {
    const charts = await dir('status-charts-');
    const lake = await dir('status-lake-');
    for (const f of [
      'regional-au-daily-2024-02-05.csv',
      'regional-au-daily-2024-02-06.csv',
      'regional-au-daily-2024-02-09.csv',
      'regional-global-weekly-2024-09-12.csv',
      'regional-global-weekly-2024-09-19.csv',
    ])
      await copyFile(join(chartsDir, f), join(charts, f));
    expect((await cli(lake, 'backfill', charts)).code).toBe(0);
    // An unreadable object (a truncated gzip stream) is quarantined by a transform; another one waits.
    const storage = new FolderStorage(lake);
    await storage.put(`${TO_PROCESS}2026/12/04/19/broken.gz`, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]));
    expect((await cli(lake, 'transform')).code).toBe(1);
    await storage.put(`${TO_PROCESS}2026/12/04/20/waiting`, '');

    const text = await cli(lake, 'status');
    expect(text.code).toBe(0);
    expect(text.out.split('\n')).toEqual([
      `Charts in ${lake}:`,
      '  regional-au-daily (region au): 2024-02-05…2024-02-09, 3 days, 2 missing days: 2024-02-07…2024-02-08',
      '  regional-global-weekly (region global): 2024-09-12…2024-09-19, 2 weeks, no gaps',
      'Rows: album_data 0, artist_data 0, song_data 1000',
      'Waiting: 1 raw object in raw_data/to_process/',
      'Pending checks: 5 chart dates (check --pending)',
      'Set aside: 0 rejected lines in 0 files, 1 quarantined object, 0 extract set-asides in 0 files',
      'Entity cache: 0 files, 0 bytes',
      '',
    ]);

    const json = await cli(lake, 'status', '--format', 'json');
    expect(json.code).toBe(0);
    const status = JSON.parse(json.out) as LakeStatus;
    expect(status.charts.map((c) => [c.chartId, c.days, c.gaps])).toEqual([
      ['regional-au-daily', 3, [{ from: '2024-02-07', to: '2024-02-08' }]],
      ['regional-global-weekly', 2, []],
    ]);
    expect(status.rows.song_data).toBe(1000);
    expect(status.rejected.quarantinedObjects).toBe(1);
  }, 60_000);
});
