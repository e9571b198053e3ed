// One benchmark step in its own process, so that its peak memory (maxRSS) is its own. Prints one JSON line.
//   gen-raw <lake> <days> <regions>   raw objects (~5 MiB each, as Firehose writes them) of demo charts
//   transform <lake>                  transform everything in to_process/, timed
//   json-floor <lake>                 JSON.parse + JSON.stringify of every raw line only, timed
//   gen-csv <dir> <days> <regions>    Charts CSV files
//   backfill <dir> <lake>             `spotify-etl backfill` in-process, timed
//   init <bundle.mjs>                 import a Lambda bundle, timed
//   explorer <lake>                   the explorer's cold start, searches and pages (bench/explorer.ts)
import { mkdir, readdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { DEMO_REGIONS, writeDemoCharts } from '#functions/adapters/local/demo-files.js';
import { DemoCatalog } from '#functions/adapters/local/demo-catalog.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { backfillLocal } from '#functions/cli/local-runtime.js';
import { loadConfig } from '#functions/config.js';
import { addDays } from '#functions/core/dates.js';
import { buildRecord } from '#functions/core/extract.js';
import { TO_PROCESS } from '#functions/core/lake.js';
import { demoChart } from '#functions/core/sources.js';
import { transformObjects } from '#functions/core/transform.js';
import { silentLogger, systemClock } from '#functions/ports.js';
import { explorerFigures, type ExplorerFigures } from './explorer.js';

export interface ChildResult {
  readonly records?: number;
  readonly seconds?: number;
  /** CPU time of the whole process (every thread: GC helpers, file I/O) over the timed part. */
  readonly cpuSeconds?: number;
  readonly recordsPerSecond?: number;
  readonly rawBytes?: number;
  readonly maxRssKiB?: number;
  readonly initMs?: number;
  readonly explorer?: ExplorerFigures;
}

const FROM = '2025-01-01';
const OBJECT_BYTES = 5 * 1024 * 1024;
const [mode, a = '', b = '', c = ''] = process.argv.slice(2);
const regionsOf = (n: string): string[] => DEMO_REGIONS.slice(0, Number(n));
const done = (result: ChildResult): void => {
  console.log(JSON.stringify({ ...result, maxRssKiB: process.resourceUsage().maxRSS }));
};

async function genRaw(lake: string, days: number, regions: readonly string[]): Promise<void> {
  const storage = new FolderStorage(lake);
  let buffer: string[] = [];
  let bytes = 0;
  let n = 0;
  let records = 0;
  let rawBytes = 0;
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const text = buffer.join('');
    await storage.put(`${TO_PROCESS}2026/01/01/00/bench-raw-${String(n++).padStart(6, '0')}`, text);
    rawBytes += Buffer.byteLength(text);
    buffer = [];
    bytes = 0;
  };
  const empty = { tracks: new Map(), albums: new Map(), artists: new Map() };
  for (const region of regions) {
    const catalog = new DemoCatalog(region);
    for (let d = 0; d < days; d++) {
      const date = addDays(FROM, d);
      const chart = {
        ...demoChart(catalog.chartCsv(date), date),
        chartId: `regional-${region}-daily`,
        region,
      };
      const run = { runId: `20260101T000000Z-${region}00`, extractedAt: '2026-01-01T00:00:00.000Z' };
      for (const entry of chart.entries) {
        const line = JSON.stringify(buildRecord(chart, entry, run, empty)) + '\n';
        buffer.push(line);
        bytes += line.length;
        records++;
        if (bytes >= OBJECT_BYTES) await flush();
      }
    }
  }
  await flush();
  done({ records, rawBytes });
}

switch (mode) {
  case 'gen-raw':
    await genRaw(a, Number(b), regionsOf(c));
    break;
  case 'lake': {
    // gen-raw + transform in one go (the pruning benchmark's lake)
    await genRaw(a, Number(b), regionsOf(c));
    const storage = new FolderStorage(a);
    await transformObjects(await storage.list(TO_PROCESS), { storage, logger: silentLogger });
    break;
  }
  case 'transform': {
    const storage = new FolderStorage(a);
    const keys = await storage.list(TO_PROCESS);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const r = await transformObjects(keys, { storage, logger: silentLogger });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (r.failedObjects.length > 0 || r.rejected > 0)
      throw new Error(`transform failed: ${JSON.stringify(r.failedObjects[0])}`);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    done({ records: r.linesIn, seconds, cpuSeconds, recordsPerSecond: r.linesIn / seconds });
    break;
  }
  case 'json-floor': {
    // The least any JSON-in, JSON-out transformer pays per record: JSON.parse of the raw line and JSON.stringify
    // of an object of its size, on the same raw objects, with no validation, splitting or I/O.
    const storage = new FolderStorage(a);
    const texts: string[] = [];
    for (const key of await storage.list(TO_PROCESS))
      texts.push(Buffer.from((await storage.get(key)) ?? []).toString('utf8'));
    const t0 = performance.now();
    let records = 0;
    let bytes = 0;
    for (const text of texts) {
      for (const line of text.split('\n')) {
        if (line === '') continue;
        bytes += JSON.stringify(JSON.parse(line)).length;
        records++;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    done({ records, seconds, recordsPerSecond: records / seconds, rawBytes: bytes });
    break;
  }
  case 'gen-csv': {
    await mkdir(a, { recursive: true });
    const paths = await writeDemoCharts(a, { from: FROM, days: Number(b), regions: regionsOf(c) });
    done({ records: paths.length * 200 });
    break;
  }
  case 'backfill': {
    const t0 = performance.now();
    const r = await backfillLocal(loadConfig({ SPOTIFY_ETL_LAKE: b }), systemClock, silentLogger, a);
    const seconds = (performance.now() - t0) / 1000;
    done({ records: r.backfill.entries, seconds, recordsPerSecond: r.backfill.entries / seconds });
    break;
  }
  case 'explorer':
    done({ explorer: await explorerFigures(a) });
    break;
  case 'init': {
    Object.assign(process.env, {
      DATA_BUCKET: 'bench',
      DELIVERY_STREAM_NAME: 'bench',
      ATHENA_WORKGROUP: 'bench',
      GLUE_DATABASE: 'bench',
      AWS_REGION: 'us-east-1',
    });
    const t0 = performance.now();
    await import(a);
    done({ initMs: performance.now() - t0 });
    break;
  }
  default:
    console.error(`unknown mode ${mode}; files: ${(await readdir('.')).length}`);
    process.exit(2);
}
