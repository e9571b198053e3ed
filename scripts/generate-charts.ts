// Generates demo Charts CSV files for backfill tests and benchmarks:
//   node --import tsx scripts/generate-charts.ts <dir> <from YYYY-MM-DD> <days> [region,region…]
import { writeDemoCharts, DEMO_REGIONS } from '#functions/adapters/local/demo-files.js';

const [dir, from, days, regions] = process.argv.slice(2);
if (!dir || !from || !days) {
  console.error('usage: generate-charts.ts <dir> <from YYYY-MM-DD> <days> [region,region…]');
  process.exit(2);
}
const paths = await writeDemoCharts(dir, {
  from,
  days: Number(days),
  regions: regions ? regions.split(',') : [...DEMO_REGIONS],
});
console.log(`${paths.length} files in ${dir}`);
