// The chart dates waiting for a check: markers the transformer leaves, what `check --pending` and the checker read.
import { FolderStorage } from '../../functions/adapters/local/folder-storage.js';
import { CHECKS_PENDING } from '../../functions/core/lake.js';
import {
  clearPending,
  dateRanges,
  firstDates,
  listPending,
  markPending,
  mergeReports,
} from '../../functions/core/pending-checks.js';
import { formatCheckReport, type CheckReport } from '../../functions/core/checks.js';
import { tempDir } from '../helpers/paths.js';

const RAW = 'top_200_global/raw_data/to_process/2026/11/25/16/raw-1';

describe('pending checks', () => {
  it('marks each chart date once per raw object, lists the distinct dates sorted, and clears only what it listed', async () => {
    const storage = new FolderStorage(await tempDir('pending-'));
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

  it('ignores keys under checks/pending/ that are not date markers', async () => {
    const storage = new FolderStorage(await tempDir('pending-'));
    await storage.put(`${CHECKS_PENDING}README.txt`, 'not a marker');
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
});
