// The lake's status report: gaps compressed to runs (weekly charts every 7 days), and the storage counts.
import type { QueryEngine as SqlEngine } from '#functions/ports.js';
import { CACHE, CHECKS_PENDING, REJECTED, TO_PROCESS } from '#functions/core/lake.js';
import { chartGaps, formatLakeStatus, lakeStatus } from '#functions/core/lake-status.js';
import { MemoryStorage } from '../helpers/memory-storage.js';

/** An engine that answers the status queries from a fixed list of chart days. */
function engine(days: readonly { chart_id: string; snapshot_date: string; region: string }[]): SqlEngine {
  return {
    query: async (sql) =>
      /count\(\*\)/.test(sql)
        ? { rows: [{ n: sql.includes('song_data') ? days.length * 200 : 0 }] }
        : { rows: days },
  };
}

describe('chartGaps', () => {
  it('compresses consecutive missing days into one run', () => {
    expect(chartGaps(['2024-02-05', '2024-02-06', '2024-02-10', '2024-02-12'])).toEqual([
      { from: '2024-02-07', to: '2024-02-09' },
      { from: '2024-02-11', to: '2024-02-11' },
    ]);
  });

  it('steps a weekly chart by 7 days: missing weeks, not missing days', () => {
    expect(chartGaps(['2024-09-05', '2024-09-26', '2024-10-10'], 7)).toEqual([
      { from: '2024-09-12', to: '2024-09-19' },
      { from: '2024-10-03', to: '2024-10-03' },
    ]);
    expect(chartGaps(['2024-09-05', '2024-09-12'], 7)).toEqual([]);
  });

  it('has no gaps for one date or none', () => {
    expect(chartGaps(['2024-02-05'])).toEqual([]);
    expect(chartGaps([])).toEqual([]);
  });
});

describe('lakeStatus', () => {
  it('says an existing lake with nothing in it is empty', async () => {
    const status = await lakeStatus(new MemoryStorage(), engine([]));
    expect(status.empty).toBe(true);
    expect(formatLakeStatus(status, '/l')).toMatch(/^The lake \/l is empty/);
  });

  it('counts charts, gaps, pending dates, waiting objects, rejected lines, quarantined objects, set-asides and the cache', async () => {
    const storage = new MemoryStorage();
    await storage.put(`${CHECKS_PENDING}2024-02-05/raw-1`, '');
    await storage.put(`${CHECKS_PENDING}2024-02-08/raw-1`, '');
    await storage.put(`${TO_PROCESS}2026/12/04/19/raw-2`, '{}\n');
    await storage.put(`${REJECTED}raw-1.6e51b950.rejected.ndjson`, '{"line":1}\n{"line":2}\n');
    await storage.put(`${REJECTED}objects/raw-3.0badf00d.gz`, 'x');
    await storage.put(`${REJECTED}objects/raw-3.0badf00d.gz.reason.txt`, 'damaged');
    await storage.put(`${REJECTED}extract/2024-02-05/regional-au-daily-r1.ndjson`, '{"a":1}\n');
    await storage.put(`${CACHE}tracks.ndjson`, '12345');
    const status = await lakeStatus(
      storage,
      engine([
        { chart_id: 'regional-au-daily', snapshot_date: '2024-02-05', region: 'au' },
        { chart_id: 'regional-au-daily', snapshot_date: '2024-02-08', region: 'au' },
        { chart_id: 'regional-global-weekly', snapshot_date: '2024-09-12', region: 'global' },
      ]),
    );
    expect(status).toEqual({
      empty: false,
      charts: [
        {
          chartId: 'regional-au-daily',
          region: 'au',
          first: '2024-02-05',
          last: '2024-02-08',
          days: 2,
          cadenceDays: 1,
          gaps: [{ from: '2024-02-06', to: '2024-02-07' }],
          missingDays: 2,
        },
        {
          chartId: 'regional-global-weekly',
          region: 'global',
          first: '2024-09-12',
          last: '2024-09-12',
          days: 1,
          cadenceDays: 7,
          gaps: [],
          missingDays: 0,
        },
      ],
      rows: { album_data: 0, artist_data: 0, song_data: 600 },
      pendingCheckDates: 2,
      waitingObjects: 1,
      rejected: { lineFiles: 1, lines: 2, quarantinedObjects: 1, extractFiles: 1, extractLines: 1 },
      cache: { files: 1, bytes: 5 },
    });
    expect(formatLakeStatus(status, '/l').split('\n')).toEqual([
      'Charts in /l:',
      '  regional-au-daily (region au): 2024-02-05…2024-02-08, 2 days, 2 missing days: 2024-02-06…2024-02-07',
      '  regional-global-weekly (region global): 2024-09-12, 1 week, no gaps',
      'Rows: album_data 0, artist_data 0, song_data 600',
      'Waiting: 1 raw object in raw_data/to_process/',
      'Pending checks: 2 chart dates (check --pending)',
      'Set aside: 2 rejected lines in 1 file, 1 quarantined object, 1 extract set-aside in 1 file',
      'Entity cache: 1 file, 5 bytes',
    ]);
  });
});
