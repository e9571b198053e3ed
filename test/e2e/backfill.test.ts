// Backfill of generated Charts CSVs: idempotent on re-run, and killed half-way (SIGKILL) then resumed, it ends
// with exactly the rows of an uninterrupted run.
import { spawn, spawnSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { backfillLocal } from '#functions/cli/local-runtime.js';
import { loadConfig } from '#functions/config.js';
import { BACKFILL_DONE } from '#functions/core/backfill.js';
import type { CheckReport } from '#functions/core/checks/index.js';
import { main } from '#functions/cli/main.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

const REGIONS = ['global', 'us', 'de', 'jp', 'br'];
const DAYS = 30;
let charts: string;

/** Generated in a child process: the demo's number crunching runs several times slower inside jest's VM. */
function generate(dir: string, from: string, days: number, regions: readonly string[]): void {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'scripts/generate-charts.ts'),
      dir,
      from,
      String(days),
      regions.join(','),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`generate-charts failed: ${r.stderr}`);
}

beforeAll(async () => {
  charts = await tempDir('charts-');
  generate(charts, '2025-03-01', DAYS, REGIONS);
}, 120_000);

const run = (lake: string, force = false) =>
  backfillLocal(
    loadConfig({ SPOTIFY_ETL_LAKE: lake }),
    systemClock,
    silentLogger,
    charts,
    force ? { force } : {},
  );

async function rows(lake: string): Promise<unknown[]> {
  const engine = await LakeQueryEngine.open(lake);
  try {
    const r = await engine.query(
      'select snapshot_date, chart_id, position, song_id, song_name, streams, peak_rank, previous_rank, days_on_chart from song_data order by 1, 2, 3',
    );
    return r.rows as unknown[];
  } finally {
    engine.close();
  }
}

/** Done markers; a `.tmp` is a marker a SIGKILL caught half-written (storage writes then renames): not one. */
const markers = async (lake: string): Promise<number> =>
  (await readdir(join(lake, ...BACKFILL_DONE.split('/').filter(Boolean))).catch(() => [])).filter((f) =>
    f.endsWith('.json'),
  ).length;

describe('spotify-etl backfill', () => {
  let clean: string;
  let reference: unknown[];

  beforeAll(async () => {
    clean = await tempDir('lake-clean-');
    const report = await run(clean);
    expect(report.backfill).toMatchObject({
      files: REGIONS.length * DAYS,
      extracted: REGIONS.length * DAYS,
      skipped: 0,
    });
    expect(report.transform).toMatchObject({
      rowsWritten: REGIONS.length * DAYS * 200,
      duplicates: 0,
      rejected: 0,
    });
    reference = await rows(clean);
  }, 120_000);

  it('has one row per chart entry, with the region as a column of each chart', async () => {
    expect(reference).toHaveLength(REGIONS.length * DAYS * 200);
    const engine = await LakeQueryEngine.open(clean);
    try {
      const r = await engine.query(
        'select region, count(distinct snapshot_date) as n_days, count(*) as n from song_data group by 1 order by 1',
      );
      expect(r.rows).toEqual([...REGIONS].sort().map((region) => ({ region, n_days: DAYS, n: DAYS * 200 })));
    } finally {
      engine.close();
    }
  });

  it('leaves every chart date it wrote for `check --pending`, which checks them all once', async () => {
    const lines: string[] = [];
    const code = await main(['check', '--pending', '--lake', clean, '--format', 'json'], (s) =>
      lines.push(s),
    );
    const report = JSON.parse(lines.join('\n')) as CheckReport;
    expect(report.range).toEqual({ from: '2025-03-01', to: '2025-03-30' });
    expect(report.checked).toEqual({
      chartDays: REGIONS.length * DAYS,
      songRows: REGIONS.length * DAYS * 200,
    });
    expect(report.checks.map((c) => c.name)).not.toContain('freshness'); // history, not today's run
    expect(code).toBe(0);

    const again: string[] = [];
    expect(await main(['check', '--pending', '--lake', clean], (s) => again.push(s))).toBe(0);
    expect(again.join('\n')).toMatch(/No chart dates are waiting for a check/);
  }, 60_000);

  it('skips every file on a re-run and changes nothing', async () => {
    const again = await run(clean);
    expect(again.backfill).toMatchObject({ extracted: 0, skipped: REGIONS.length * DAYS });
    expect(await rows(clean)).toEqual(reference);
  });

  it('extracts again with --force and still does not double count (the later run supersedes)', async () => {
    const lake = await tempDir('lake-force-');
    await run(lake);
    const forced = await run(lake, true);
    expect(forced.backfill.extracted).toBe(REGIONS.length * DAYS);
    expect(await rows(lake)).toEqual(reference);
  }, 120_000);

  it('resumes after being killed half-way (SIGKILL) and ends with identical rows', async () => {
    const lake = await tempDir('lake-killed-');
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/spotify-etl.js'), 'backfill', charts, '--lake', lake],
      {
        stdio: 'ignore',
        env: { ...process.env, SPOTIFY_CLIENT_ID: '', SPOTIFY_CLIENT_SECRET: '', SPOTIFY_REFRESH_TOKEN: '' },
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let done = 0;
    for (let i = 0; i < 3000 && done < 25; i++) {
      await new Promise((r) => setTimeout(r, 10));
      done = await markers(lake);
    }
    child.kill('SIGKILL');
    expect(await exited).toBeNull(); // killed, not finished
    const before = await markers(lake);
    expect(before).toBeGreaterThanOrEqual(25);
    expect(before).toBeLessThan(REGIONS.length * DAYS);

    const resumed = await run(lake);
    expect(resumed.backfill.skipped).toBe(before);
    expect(resumed.backfill.extracted).toBe(REGIONS.length * DAYS - before);
    expect(await rows(lake)).toEqual(reference);
    const engine = await LakeQueryEngine.open(lake);
    try {
      const runs = await engine.query(
        'select max(n) as most from (select count(distinct run_id) as n from song_data group by snapshot_date, chart_id)',
      );
      expect(runs.rows).toEqual([{ most: 1 }]);
    } finally {
      engine.close();
    }
  }, 120_000);

  it('prints its summary and how to check what it wrote', async () => {
    const dir = await tempDir('charts-cli-');
    generate(dir, '2025-03-01', 2, ['global']);
    const lines: string[] = [];
    const code = await main(['backfill', dir, '--lake', await tempDir()], {
      out: (s) => lines.push(s),
      err: (s) => lines.push(s),
    });
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/song rows written\s+400/);
    expect(text).toMatch(/Check the chart dates it wrote: spotify-etl check --pending/);
  }, 60_000);

  it('sets aside a file that is not a chart, with its reason, and goes on', async () => {
    const dir = await tempDir('charts-bad-');
    generate(dir, '2025-03-01', 2, ['global']);
    await writeFile(join(dir, 'regional-global-daily-2025-03-03.csv'), 'hello,world\n');
    const r = await backfillLocal(
      loadConfig({ SPOTIFY_ETL_LAKE: await tempDir() }),
      systemClock,
      silentLogger,
      dir,
    );
    expect(r.backfill.extracted).toBe(2);
    expect(r.backfill.failed).toEqual([
      {
        origin: join(dir, 'regional-global-daily-2025-03-03.csv'),
        reason: 'regional-global-daily-2025-03-03.csv is not a Spotify Charts CSV: no header found.',
      },
    ]);
  });
});
