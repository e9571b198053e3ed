// `spotify-etl backfill` as a process: --date/--region for files whose names do not say, --dry-run, and Ctrl-C
// (SIGINT) that stops after the batch in progress, says how far it got, and resumes to the rows of a clean run.
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { BACKFILL_DONE, type PlannedFile } from '#functions/core/backfill.js';
import { chartsDir, repoRoot, tempDir } from '../helpers/paths.js';

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of the child: none of the developer's SPOTIFY_* settings (rows come from the files alone). */
const childEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_'))),
  NO_COLOR: '1',
});

function cli(args: readonly string[], onSpawn?: (child: ReturnType<typeof spawn>) => void): Promise<Exit> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/spotify-etl.js'), ...args], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  onSpawn?.(child);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function query(lake: string, sql: string): Promise<unknown[]> {
  const engine = await LakeQueryEngine.open(lake);
  try {
    return (await engine.query(sql)).rows as unknown[];
  } finally {
    engine.close();
  }
}

const markers = async (lake: string): Promise<number> =>
  (await readdir(join(lake, ...BACKFILL_DONE.split('/').filter(Boolean))).catch(() => [])).length;

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('backfill --date and --region', () => {
  it('gives a …-latest.csv its chart date with --date (without it the file is set aside)', async () => {
    const dir = await tempDir('charts-latest-');
    await copyFile(
      join(chartsDir, 'spotifycharts-regional-global-daily-latest.csv'),
      join(dir, 'spotifycharts-regional-global-daily-latest.csv'),
    );
    const without = await cli(['backfill', dir, '--lake', await tempDir('lake-')]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/set aside: .*latest\.csv: Cannot tell the chart date/);

    const lake = await tempDir('lake-latest-');
    const r = await cli(['backfill', dir, '--date', '2020-03-15', '--lake', lake]);
    expect(r.stderr).not.toMatch(/set aside|error/);
    expect(r.code).toBe(0);
    expect(
      await query(
        lake,
        'select cast(snapshot_date as varchar) as d, chart_id, count(*) as n from song_data group by 1, 2',
      ),
    ).toEqual([{ d: '2020-03-15', chart_id: 'regional-global-daily', n: 200 }]);
  }, 60_000);

  it('gives a file named chart.csv its date and region', async () => {
    const dir = await tempDir('charts-plain-');
    await copyFile(join(chartsDir, 'regional-au-daily-2024-02-05.csv'), join(dir, 'chart.csv'));
    const lake = await tempDir('lake-plain-');
    const r = await cli([
      'backfill',
      join(dir, 'chart.csv'),
      '--date',
      '2024-02-05',
      '--region',
      'AU',
      '--lake',
      lake,
    ]);
    expect(r.code).toBe(0);
    expect(
      await query(
        lake,
        'select cast(snapshot_date as varchar) as d, region, chart_id, count(*) as n from song_data group by 1, 2, 3',
      ),
    ).toEqual([{ d: '2024-02-05', region: 'au', chart_id: 'regional-au-daily', n: 200 }]);
  }, 60_000);

  it('refuses --date with several files (every one would become the same chart day), exit 2', async () => {
    const lake = join(await tempDir('lake-refused-'), 'lake');
    const r = await cli(['backfill', chartsDir, '--date', '2024-02-05', '--lake', lake]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: --date gives the chart date of one file, but .* holds 20 CSV files\./);
    expect(r.stderr).toMatch(/hint: /);
    expect(await exists(lake)).toBe(false);
  }, 30_000);

  it('refuses a --region that is not one, exit 2', async () => {
    const r = await cli(['backfill', chartsDir, '--region', 'europe', '--lake', await tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--region europe is not a region/);
  }, 30_000);
});

describe('backfill --dry-run', () => {
  it('lists what it would ingest and set aside, writes nothing, and exits 1 when a file would be set aside', async () => {
    const lake = join(await tempDir('lake-dry-'), 'lake');
    const r = await cli(['backfill', chartsDir, '--dry-run', '--lake', lake]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /would ingest: .*regional-au-daily-2024-02-05\.csv: regional-au-daily 2024-02-05, 200 entries, complete/,
    );
    expect(r.stdout).toMatch(/would set aside: .*latest\.csv: Cannot tell the chart date/);
    expect(r.stdout).toMatch(/would ingest complete\s+19/);
    expect(await exists(lake)).toBe(false);
  }, 30_000);

  it('says in JSON which files are already done, and exits 0 when every file would be a complete chart', async () => {
    const dir = await tempDir('charts-dry-');
    for (const name of ['regional-au-daily-2024-02-05.csv', 'regional-au-daily-2024-02-06.csv'])
      await copyFile(join(chartsDir, name), join(dir, name));
    const lake = await tempDir('lake-dry-json-');
    const fresh = await cli(['backfill', dir, '--dry-run', '--format', 'json', '--lake', lake]);
    expect(fresh.code).toBe(0);
    const plan = (JSON.parse(fresh.stdout) as { plan: PlannedFile[] }).plan;
    expect(plan.map((p) => [p.outcome, p.chartId, p.date, p.entries])).toEqual([
      ['ingest', 'regional-au-daily', '2024-02-05', 200],
      ['ingest', 'regional-au-daily', '2024-02-06', 200],
    ]);
    expect(await readdir(lake)).toEqual([]);

    expect(
      (await cli(['backfill', join(dir, 'regional-au-daily-2024-02-05.csv'), '--lake', lake])).code,
    ).toBe(0);
    const again = await cli(['backfill', dir, '--dry-run', '--format', 'json', '--lake', lake]);
    expect(again.code).toBe(1);
    const second = (JSON.parse(again.stdout) as { plan: PlannedFile[] }).plan;
    expect(second.map((p) => p.outcome)).toEqual(['done', 'ingest']);
    expect(await markers(lake)).toBe(1);
  }, 60_000);
});

describe('backfill interrupted with Ctrl-C', () => {
  const FILES = 1000;
  let charts: string;

  beforeAll(async () => {
    charts = await tempDir('charts-many-');
    await mkdir(charts, { recursive: true });
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'scripts/generate-charts.ts'),
        charts,
        '2024-01-01',
        '250',
        'global,us,de,jp',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`generate-charts failed: ${r.stderr}`);
  }, 120_000);

  it('stops after the batch in progress, says how far it got, exits 130, and resumes to the rows of a clean run', async () => {
    const lake = await tempDir('lake-sigint-');
    const interrupted = await cli(['backfill', charts, '--lake', lake], (child) => {
      void (async () => {
        const started = Date.now();
        // About a second into the work: once the first batch is committed, or after 1 s.
        while ((await markers(lake)) === 0 && Date.now() - started < 20_000)
          await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 200));
        child.kill('SIGINT');
      })();
    });
    expect(interrupted.code).toBe(130);
    const closing = /interrupted after (\d+) of (\d+) files; run the same command again to resume/.exec(
      interrupted.stderr,
    );
    expect(closing).not.toBeNull();
    const handled = Number(closing![1]);
    expect(Number(closing![2])).toBe(FILES);
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThan(FILES);
    // Every file it says it handled was committed: the resume starts right after them.
    expect(await markers(lake)).toBe(handled);

    const resumed = await cli(['backfill', charts, '--lake', lake]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`already done \\(skipped\\)\\s+${handled}\\b`));

    const clean = await tempDir('lake-sigint-clean-');
    expect((await cli(['backfill', charts, '--lake', clean])).code).toBe(0);
    const count = 'select count(*) as n, count(distinct run_id) as runs from song_data';
    const reference = await query(clean, count);
    expect(reference).toEqual([{ n: FILES * 200, runs: FILES }]);
    expect(await query(lake, count)).toEqual(reference);
  }, 120_000);
});
