import {
  DEMO_LOCAL_FILE_POSITION,
  DemoCatalog,
  demoId,
  demoIndex,
} from '#functions/adapters/local/demo-catalog.js';
import { parseChartCsv } from '#functions/core/charts-csv.js';

const demo = new DemoCatalog();
const date = '2026-11-25';
const chart = demo.chart(date);
const yesterday = demo.chart('2026-11-24');

describe('the demo chart', () => {
  it('is deterministic: a new catalog publishes the same chart', () => {
    expect(new DemoCatalog().chart(date)).toEqual(chart);
  });

  it('keeps a few charts in memory, not every chart of a long generation, and recomputes one asked for again', () => {
    const catalog = new DemoCatalog('us');
    const first = catalog.chart('2025-01-01');
    for (let d = 2; d <= 40; d++) catalog.chart(`2025-02-${String((d % 28) + 1).padStart(2, '0')}`);
    expect(catalog.chartsHeld).toBeLessThanOrEqual(8);
    expect(catalog.chart('2025-01-01')).toEqual(first);
    expect(catalog.chart('2025-01-01')).toEqual(new DemoCatalog('us').chart('2025-01-01'));
  });

  it('has 200 contiguous ranks with streams falling down the chart', () => {
    expect(chart.map((r) => r.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (let i = 1; i < chart.length; i++)
      expect(chart[i]?.streams ?? 0).toBeLessThanOrEqual(chart[i - 1]?.streams ?? 0);
  });

  it('gives previous_rank as the rank on the previous day, and null for new entries', () => {
    const before = new Map(yesterday.map((r) => [r.uri, r.position]));
    for (const r of chart) {
      expect(r.previousRank).toBe(before.get(r.uri) ?? null);
      expect(r.peakRank).toBeLessThanOrEqual(r.position);
    }
  });

  it('holds the cases the pipeline must carry: collaborations, explicit tracks, a re-entry, a local file, a removed track', () => {
    expect(chart.filter((r) => r.artistNames.length > 1).length).toBeGreaterThan(20);
    const tracks = chart.flatMap((r) =>
      r.uri.startsWith('spotify:track:') ? [demo.findTrack(r.uri.slice(14), false)] : [],
    );
    expect(tracks.filter((t) => t?.explicit).length).toBeGreaterThan(20);
    expect(chart.filter((r) => r.previousRank === null && r.daysOnChart > 1).length).toBeGreaterThan(0); // re-entry
    expect(chart[DEMO_LOCAL_FILE_POSITION - 1]?.uri).toMatch(/^spotify:local:/);
    expect(tracks.filter((t) => t === undefined).length).toBeGreaterThan(0); // 404: removed from Spotify
    const newToday = chart.filter((r) => !yesterday.some((y) => y.uri === r.uri)).length;
    expect(newToday).toBeGreaterThanOrEqual(3);
    expect(newToday).toBeLessThanOrEqual(25); // real charts churn 3–25 tracks a day
  });

  it('publishes a CSV that the Charts parser reads back to the same chart', () => {
    const parsed = parseChartCsv(demo.chartCsv(date), { fileName: `regional-global-daily-${date}.csv` });
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries.map((e) => [e.position, e.uri, e.trackName, e.streams, e.previousRank])).toEqual(
      chart.map((r) => [r.position, r.uri, r.trackName, r.streams, r.previousRank]),
    );
  });

  it('uses 22-character base62 ids that decode back to their index, and refuses foreign ids', () => {
    const id = demoId('track', 123456);
    expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(demoIndex('track', id)).toBe(123456);
    expect(demoIndex('album', id)).toBeUndefined();
    expect(demoIndex('track', '0yLdNVWF3Srea0uzk55zFn')).toBeUndefined();
  });
});
