// Writes demo Charts CSV files (charts.spotify.com naming) for many days and regions: backfill input for tests
// and benchmarks, generated rather than stored.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays } from '#functions/core/dates.js';
import { DemoCatalog } from './demo-catalog.js';

export const DEMO_REGIONS = ['global', 'us', 'gb', 'de', 'br', 'mx', 'jp', 'fr', 'au', 'in'] as const;

/** `regional-<region>-daily-<date>.csv` for each day from `from` and each region; returns the paths. */
export async function writeDemoCharts(
  dir: string,
  options: { readonly from: string; readonly days: number; readonly regions?: readonly string[] },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const region of options.regions ?? ['global']) {
    const catalog = new DemoCatalog(region);
    for (let d = 0; d < options.days; d++) {
      const date = addDays(options.from, d);
      const path = join(dir, `regional-${region}-daily-${date}.csv`);
      await writeFile(path, catalog.chartCsv(date));
      paths.push(path);
    }
  }
  return paths;
}
