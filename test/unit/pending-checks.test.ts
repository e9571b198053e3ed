// The chart dates waiting for a check: markers the transformer leaves, what `check --pending` and the checker read.
import { CHECKS_PENDING } from '#functions/core/lake.js';
import {
  checkPending,
  clearPending,
  dateRanges,
  firstDates,
  listPending,
  markPending,
  mergeReports,
} from '#functions/core/pending-checks.js';
import type { CheckReport } from '#functions/core/checks/index.js';
import { formatCheckReport } from '#functions/cli/check-report.js';
import type { QueryEngine as SqlEngine } from '#functions/ports.js';
import { MemoryStorage } from '../helpers/memory-storage.js';

const RAW = 'top_200_global/raw_data/to_process/2026/11/25/16/raw-1';

describe('pending checks', () => {
  it('marks each chart date once per raw object, lists the distinct dates sorted, and clears only what it listed', async () => {
    const storage = new MemoryStorage();
    await markPending(storage, ['2026-11-25', '2024-02-05', '2026-11-25'], RAW);
    await markPending(storage, ['2026-11-25'], `${RAW}-retry`);
    const pending = await listPending(storage);
    expect(pending.dates).toEqual(['2024-02-05', '2026-11-25']);
    expect(pending.keys).toHaveLength(3);

    await markPending(storage, ['2026-11-25'], `${RAW}-written-meanwhile`);
    await clearPending(storage, pending);

    expect(await listPending(storage)).toEqual({
      dates: ['2026-11-25'],
      keys: [`${CHECKS_PENDING}2026-11-25/raw-1-written-meanwhile`],
    });
  });

  it('ignores keys under checks/pending/ that are not in a date folder', async () => {
    const storage = new MemoryStorage();
    await storage.put(`${CHECKS_PENDING}README.txt`, 'not a marker');
    expect(await listPending(storage)).toEqual({ dates: [], keys: [] });
  });

  it('lists a marker of an impossible date as invalid instead of skipping it, and clears it once reported', async () => {
    const storage = new MemoryStorage();
    await markPending(storage, ['2024-02-30', '2024-02-05'], RAW);
    const pending = await listPending(storage);
    expect(pending).toEqual({
      dates: ['2024-02-05'],
      keys: [`${CHECKS_PENDING}2024-02-05/raw-1`],
      invalid: [`${CHECKS_PENDING}2024-02-30/raw-1`],
    });
    expect(firstDates(pending, 1).invalid).toEqual(pending.invalid);
    await clearPending(storage, pending);
    expect(await listPending(storage)).toEqual({ dates: [], keys: [] });
  });

  it('groups dates into ranges, joining dates up to 31 days apart', () => {
    expect(dateRanges([])).toEqual([]);
    expect(dateRanges(['2026-11-25', '2026-11-24', '2026-10-01', '2021-03-01', '2021-03-02'])).toEqual([
      { from: '2021-03-01', to: '2021-03-02' },
      { from: '2026-10-01', to: '2026-10-01' },
      { from: '2026-11-24', to: '2026-11-25' },
    ]);
    expect(dateRanges(['2026-01-01', '2026-02-01'])).toEqual([{ from: '2026-01-01', to: '2026-02-01' }]);
    expect(dateRanges(['2026-01-01', '2026-02-02'])).toHaveLength(2);
  });

  it('takes the first dates for a bounded run, with exactly their markers', () => {
    const key = (d: string, n: string) => `${CHECKS_PENDING}${d}/${n}`;
    const pending = {
      dates: ['2026-01-01', '2026-01-02', '2026-01-03'],
      keys: [key('2026-01-01', 'a'), key('2026-01-02', 'a'), key('2026-01-02', 'b'), key('2026-01-03', 'a')],
    };
    expect(firstDates(pending, 2)).toEqual({
      dates: ['2026-01-01', '2026-01-02'],
      keys: [key('2026-01-01', 'a'), key('2026-01-02', 'a'), key('2026-01-02', 'b')],
    });
    expect(firstDates(pending, 5)).toBe(pending);
  });

  it('merges reports: a check fails if it failed anywhere, counts add up, the range spans them all', () => {
    const report = (from: string, to: string, failures: number): CheckReport => ({
      ok: failures === 0,
      range: { from, to },
      checked: { chartDays: 2, songRows: 400 },
      checks: [
        { name: 'ranks', ok: failures === 0, failures, notes: 0, details: failures ? [`${from}: gap`] : [] },
      ],
    });
    const merged = mergeReports(
      [report('2021-03-01', '2021-03-02', 0), report('2026-11-24', '2026-11-25', 2)],
      '2026-11-25',
    );
    expect(merged).toEqual({
      ok: false,
      range: { from: '2021-03-01', to: '2026-11-25' },
      ranges: [
        { from: '2021-03-01', to: '2021-03-02' },
        { from: '2026-11-24', to: '2026-11-25' },
      ],
      checked: { chartDays: 4, songRows: 800 },
      checks: [{ name: 'ranks', ok: false, failures: 2, notes: 0, details: ['2026-11-24: gap'] }],
    });
    expect(mergeReports([], '2026-11-25')).toMatchObject({ ok: true, checks: [] });
    expect(formatCheckReport(merged).split('\n')[0]).toBe(
      'Checks of 2021-03-01 … 2021-03-02, 2026-11-24 … 2026-11-25 (4 chart days, 800 song rows): 1 of 1 failed',
    );
  });

  it('fails the markers check naming an impossible date, even with no date left to check', async () => {
    const storage = new MemoryStorage();
    await markPending(storage, ['2024-02-30'], RAW);
    const report = await checkPending(chartDaysEngine([]), await listPending(storage), {
      today: '2026-11-27',
    });
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([
      {
        name: 'markers',
        ok: false,
        failures: 1,
        notes: 0,
        details: [
          `${CHECKS_PENDING}2024-02-30/ (1 marker): "2024-02-30" is not a calendar date, so the chart date it marks ` +
            'cannot be checked; look for snapshot_date=2024-02-30 under top_200_global/transformed_data/',
        ],
      },
    ]);
    expect(formatCheckReport(report).split('\n').slice(0, 2)).toEqual([
      'Checks of no chart date (0 chart days, 0 song rows): 1 of 1 failed',
      '✗ markers  1 failure',
    ]);
  });

  it('asks only the pending dates of a range to hold its charts: the days between them were not written', async () => {
    const pending = { dates: ['2020-03-01', '2020-04-01'], keys: [] };
    const engine = chartDaysEngine([
      ['regional-global-daily', '2020-03-01'],
      ['regional-global-daily', '2020-04-01'],
    ]);
    const report = await checkPending(engine, pending, { today: '2026-11-27' });
    expect(report.range).toEqual({ from: '2020-03-01', to: '2020-04-01' }); // one range, 31 days apart
    expect(report.checks.find((c) => c.name === 'coverage')).toMatchObject({ ok: true, details: [] });
    expect(report.checks.find((c) => c.name === 'markers')).toMatchObject({ ok: true });

    // A pending date whose rows are gone fails; a known gap carried with the pending dates excuses it.
    const gone = await checkPending(
      engine,
      { dates: ['2020-03-01', '2020-03-02'], keys: [] },
      { today: '2026-11-27' },
    );
    expect(gone.checks.find((c) => c.name === 'coverage')?.details).toEqual(['no chart on 2020-03-02']);
    const knownGaps = [{ from: '2020-03-02', to: '2020-03-02', reason: 'rows withdrawn' }];
    const excused = await checkPending(
      engine,
      { dates: ['2020-03-01', '2020-03-02'], keys: [], knownGaps },
      { today: '2026-11-27' },
    );
    expect(excused.checks.find((c) => c.name === 'coverage')).toMatchObject({ ok: true, notes: 1 });
  });
});

/**
 * An engine whose song_data holds 200 clean entries on each given chart day: it answers the chart-days query with
 * the days inside the query's date range, and every other query with no rows (nothing wrong found).
 */
function chartDaysEngine(days: readonly (readonly [chartId: string, date: string])[]): SqlEngine {
  return {
    query: async (sql) => {
      if (!sql.includes('AS demo_rows')) return { rows: [] };
      const [, from = '', to = ''] = /BETWEEN DATE '([\d-]+)' AND DATE '([\d-]+)'/.exec(sql) ?? [];
      return {
        rows: days
          .filter(([, date]) => date >= from && date <= to)
          .map(([chart_id, snapshot_date]) => ({
            chart_id,
            snapshot_date,
            n: 200,
            last_position: 200,
            demo_rows: 0,
          })),
      };
    },
  };
}
