// The known-gaps file the checks honour (top_200_global/checks/known-gaps.json): what it accepts, how it refuses a bad
// entry, how it is read through Storage; and the date runs the coverage lines are written with.
import { KNOWN_GAPS, parseKnownGaps, readKnownGaps, runChecks } from '#functions/core/checks/index.js';
import { dateList } from '#functions/core/checks/scope.js';
import { EtlError } from '#functions/errors.js';
import { MemoryStorage } from '../helpers/memory-storage.js';

describe('known gaps', () => {
  it('accepts an absence of one chart, of every chart, and a short chart', () => {
    const text = JSON.stringify([
      {
        chart_id: 'regional-global-daily',
        from: '2024-12-25',
        to: '2024-12-25',
        reason: 'no chart published',
      },
      { from: '2025-01-01', to: '2025-01-03', reason: 'extraction down' },
      {
        chart_id: 'regional-au-daily',
        from: '2024-02-07',
        to: '2024-02-07',
        reason: 'short',
        expected_entries: 150,
      },
    ]);
    expect(parseKnownGaps(text)).toEqual([
      {
        chart_id: 'regional-global-daily',
        from: '2024-12-25',
        to: '2024-12-25',
        reason: 'no chart published',
      },
      { from: '2025-01-01', to: '2025-01-03', reason: 'extraction down' },
      {
        chart_id: 'regional-au-daily',
        from: '2024-02-07',
        to: '2024-02-07',
        reason: 'short',
        expected_entries: 150,
      },
    ]);
    expect(parseKnownGaps('\uFEFF[]')).toEqual([]); // an editor's byte-order mark
  });

  it.each([
    ['{"from":', 'is not valid JSON'],
    ['{"from":"2024-12-25","to":"2024-12-25","reason":"x"}', 'is not a JSON array of known gaps'],
    ['["2024-12-25"]', 'entry 1 "2024-12-25" is not an object'],
    [
      '[{"from":"2024-12-25","to":"2024-12-25","reason":"x"},{"from":"2024-02-30","to":"2024-03-01","reason":"x"}]',
      'entry 2 {"from":"2024-02-30","to":"2024-03-01","reason":"x"} has from "2024-02-30", not a calendar date YYYY-MM-DD',
    ],
    ['[{"from":"2024-12-25","reason":"x"}]', 'has to missing, not a calendar date'],
    ['[{"from":"2024-12-26","to":"2024-12-25","reason":"x"}]', 'has from 2024-12-26 after to 2024-12-25'],
    ['[{"from":"2024-12-25","to":"2024-12-25"}]', 'has no reason'],
    ['[{"from":"2024-12-25","to":"2024-12-25","reason":" "}]', 'has no reason'],
    ['[{"chart_id":"","from":"2024-12-25","to":"2024-12-25","reason":"x"}]', 'has a chart_id that is not'],
    ['[{"chartId":"a","from":"2024-12-25","to":"2024-12-25","reason":"x"}]', 'has unknown field chartId'],
    ['[{"from":"2024-12-25","to":"2024-12-25","reason":"x","expected_entries":0}]', 'expected_entries'],
    ['[{"from":"2024-12-25","to":"2024-12-25","reason":"x","expected_entries":1.5}]', 'expected_entries'],
    ['[{"from":"2024-12-25","to":"2024-12-25","reason":"x","expected_entries":"150"}]', 'expected_entries'],
  ])('refuses %s, naming the file', (text, message) => {
    expect(() => parseKnownGaps(text)).toThrow(EtlError);
    expect(() => parseKnownGaps(text)).toThrow(`${KNOWN_GAPS}`);
    expect(() => parseKnownGaps(text)).toThrow(message);
  });

  it('is read through Storage: none without the file, the entries with it', async () => {
    const storage = new MemoryStorage();
    expect(await readKnownGaps(storage)).toEqual([]);
    await storage.put(KNOWN_GAPS, '[{"from":"2024-12-25","to":"2024-12-25","reason":"no chart published"}]');
    expect(await readKnownGaps(storage)).toEqual([
      { from: '2024-12-25', to: '2024-12-25', reason: 'no chart published' },
    ]);
  });

  it('says which file it could not read, and what the checker needs for it', async () => {
    const denied = { get: async () => Promise.reject(new Error('AccessDenied: Access Denied')) };
    const error = await readKnownGaps(denied).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toBe(`Could not read ${KNOWN_GAPS}: AccessDenied: Access Denied`);
    expect((error as EtlError).hint).toContain('s3:GetObject');
  });

  it('is validated when given to runChecks directly, before any SQL', async () => {
    const sql: string[] = [];
    const engine = { query: async (q: string) => (sql.push(q), { rows: [] }) };
    const knownGaps = [{ from: '2024-12-25', to: '2024-12-24', reason: 'x' }];
    await expect(runChecks(engine, { today: '2026-11-27', knownGaps })).rejects.toThrow(
      'Check option knownGaps: entry 1',
    );
    expect(sql).toEqual([]);
  });
});

describe('dateList', () => {
  it('writes runs of consecutive dates as ranges, across month ends', () => {
    expect(dateList(['2024-02-07'])).toBe('2024-02-07');
    expect(dateList(['2024-02-07', '2024-02-09', '2024-02-10', '2024-02-11'])).toBe(
      '2024-02-07, 2024-02-09…2024-02-11',
    );
    expect(dateList(['2024-02-28', '2024-02-29', '2024-03-01'])).toBe('2024-02-28…2024-03-01');
  });

  it('lists 10 runs at most and counts the days of the rest', () => {
    const everyOtherDay = Array.from(
      { length: 13 },
      (_, i) => `2024-01-${String(1 + 2 * i).padStart(2, '0')}`,
    );
    expect(dateList(everyOtherDay)).toBe(
      '2024-01-01, 2024-01-03, 2024-01-05, 2024-01-07, 2024-01-09, 2024-01-11, 2024-01-13, 2024-01-15, ' +
        '2024-01-17, 2024-01-19, and 3 more days',
    );
  });
});
