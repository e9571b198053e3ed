// `spotify-etl check` on a temporary demo lake: a date without data fails, a declared known gap read from the lake
// excuses it, an invalid known-gaps file stops with its name, and `--pending` reports a marker of an impossible date.
import { rm } from 'node:fs/promises';
import { main } from '#functions/cli/main.js';
import { runLocal } from '#functions/cli/local-runtime.js';
import { loadConfig } from '#functions/config.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { KNOWN_GAPS, type CheckReport } from '#functions/core/checks/index.js';
import { CHECKS_PENDING } from '#functions/core/lake.js';
import { markPending } from '#functions/core/pending-checks.js';
import { EtlError } from '#functions/errors.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { tempDir } from '../helpers/paths.js';

const DAY = '2026-11-24';
const RAW = 'top_200_global/raw_data/to_process/2026/11/25/16/raw-1';
let lake: string;

beforeAll(async () => {
  lake = await tempDir('check-command-');
  await runLocal(loadConfig({ SPOTIFY_ETL_LAKE: lake }), systemClock, silentLogger, {
    date: DAY,
    source: 'demo',
  });
  // The run marked its date for `check --pending`; these tests start with nothing pending.
  const storage = new FolderStorage(lake);
  for (const key of await storage.list(CHECKS_PENDING)) await storage.delete(key);
}, 60_000);

afterAll(async () => {
  if (lake) await rm(lake, { recursive: true, force: true });
});

afterEach(async () => {
  await new FolderStorage(lake).delete(KNOWN_GAPS).catch(() => undefined);
});

async function check(...args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(['check', '--lake', lake, ...args], (s) => lines.push(s));
  return { code, text: lines.join('\n') };
}

describe('spotify-etl check', () => {
  it('fails a date with no data at all, saying there is no chart on it', async () => {
    const { code, text } = await check('--date', '2026-11-25');
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Checks of 2026-11-25 (0 chart days, 0 song rows): 1 of 6 failed',
      '✓ schema',
      '✗ coverage       1 failure',
    ]);
    expect(text).toContain('    no chart on 2026-11-25');
    expect(code).toBe(1);
    expect((await check('--date', DAY)).code).toBe(0);
  });

  it('fails a range with a day that holds no chart', async () => {
    const { code, text } = await check('--from', '2026-11-22', '--to', DAY);
    expect(text).toContain('    no chart on 2026-11-22…2026-11-23');
    expect(code).toBe(1);
  });

  it("reads the lake's known gaps: a declared absence passes, as a note", async () => {
    await new FolderStorage(lake).put(
      KNOWN_GAPS,
      JSON.stringify([{ from: '2026-11-25', to: '2026-11-25', reason: 'Spotify published no chart' }]),
    );
    const { code, text } = await check('--date', '2026-11-25', '--format', 'json');
    const report = JSON.parse(text) as CheckReport;
    expect(report.checks.find((c) => c.name === 'coverage')).toEqual({
      name: 'coverage',
      ok: true,
      failures: 0,
      notes: 1,
      details: [
        'note: every chart 2026-11-25: absent as declared in known-gaps.json (Spotify published no chart)',
      ],
    });
    expect(code).toBe(0);
  });

  it('stops with the file and the bad entry named when the known-gaps file is invalid', async () => {
    await new FolderStorage(lake).put(
      KNOWN_GAPS,
      JSON.stringify([
        { from: '2026-11-25', to: '2026-11-25', reason: 'ok' },
        {
          chart_id: 'regional-au-daily',
          from: '2026-11-25',
          to: '2026-11-25',
          expected_entires: 150,
          reason: 'x',
        },
      ]),
    );
    const error = await check('--date', '2026-11-25').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toMatch(
      /^top_200_global\/checks\/known-gaps\.json: entry 2 \{.*\} has unknown field expected_entires\.$/,
    );
    expect((error as EtlError).hint).toContain('expected_entries');
  });

  it('--pending reports a marker of an impossible date as a failure, then clears it', async () => {
    await markPending(new FolderStorage(lake), ['2024-02-30'], RAW);
    const { code, text } = await check('--pending');
    expect(text).toContain('✗ markers  1 failure');
    expect(text).toContain(`${CHECKS_PENDING}2024-02-30/ (1 marker): "2024-02-30" is not a calendar date`);
    expect(code).toBe(1);
    const again = await check('--pending');
    expect(again).toEqual({
      code: 0,
      text: 'No chart dates are waiting for a check: every date written has been checked with --pending.',
    });
  });
});
