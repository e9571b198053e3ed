// What the transformer must never let into the lake (values the query engines cannot read back, silent changes
// of data, key fields that escape their place), what it must never lose (objects of the same name in two
// folders), and what it must never retry forever (an unreadable object).
import { gzipSync } from 'node:zlib';
import { rm } from 'node:fs/promises';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { LakeQueryEngine } from '#functions/adapters/local/duckdb-query.js';
import { newRunId } from '#functions/core/extract.js';
import type { RawTrackRecord } from '#functions/core/record-types.js';
import { QUARANTINE, transformObject, transformObjects } from '#functions/core/transform.js';
import { rejectedName } from '#functions/core/partition-writer.js';
import { silentLogger } from '#functions/ports.js';
import { fakeClock, tempDir } from '../helpers/paths.js';

const HOUR = 'top_200_global/raw_data/to_process/2026/11/25/16/';

function record(position: number, overrides: Partial<RawTrackRecord> = {}): RawTrackRecord {
  return {
    schema_version: 1,
    snapshot_date: '2024-02-28',
    extracted_at: '2026-11-25T16:00:03.000Z',
    run_id: '20261125T160000000Z-aaaaaa',
    source: { kind: 'charts-csv', id: 'regional-global-daily', region: 'global' },
    position,
    streams: 1000,
    peak_rank: 1,
    previous_rank: null,
    days_on_chart: 1,
    weeks_on_chart: null,
    added_at: null,
    chart_entry: {
      uri: `spotify:track:${'a'.repeat(21)}${position % 10}`,
      track_name: `Song ${position}`,
      artist_names: ['A'],
    },
    track: null,
    ...overrides,
  };
}

let lake: string;
let storage: FolderStorage;
const deps = () => ({ storage, logger: silentLogger });

beforeEach(async () => {
  lake = await tempDir('transform-integrity-');
  storage = new FolderStorage(lake);
});
afterEach(async () => {
  await rm(lake, { recursive: true, force: true });
});

async function transformLines(name: string, lines: readonly (string | Buffer)[]) {
  const key = HOUR + name;
  await storage.put(key, Buffer.concat(lines.map((l) => Buffer.concat([Buffer.from(l), Buffer.from('\n')]))));
  return { key, report: await transformObject(key, deps()) };
}

async function rejectedReasons(key: string): Promise<string[]> {
  const body = await storage.get(rejectedName(key));
  return Buffer.from(body ?? [])
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { reason: string }).reason);
}

describe('values no query engine could read back are set aside, and the valid lines still written', () => {
  it.each([
    [
      'an impossible chart date',
      JSON.stringify(record(2, { snapshot_date: '2024-02-30' })),
      /snapshot_date must match format "date"/,
    ],
    [
      'streams beyond 2^53 (JSON.parse would round it)',
      JSON.stringify(record(2)).replace('"streams":1000', '"streams":9007199254740993'),
      /streams must be <= 9007199254740991/,
    ],
    [
      'streams beyond BIGINT',
      JSON.stringify(record(2)).replace('"streams":1000', '"streams":92233720368547758070'),
      /streams must be <= /,
    ],
    [
      'a lone UTF-16 surrogate',
      JSON.stringify(record(2)).replace('Song 2', 'Song \\ud800'),
      /lone UTF-16 surrogate/,
    ],
    ['a run id with a slash', JSON.stringify(record(2, { run_id: '../../x' })), /run_id must match pattern/],
    [
      'a chart id that would share file names with a playlist',
      JSON.stringify(
        record(2, { source: { kind: 'charts-csv', id: `playlist-${'a'.repeat(22)}`, region: null } }),
      ),
      /source\/id must match pattern/,
    ],
    [
      'a song name over its bound',
      JSON.stringify(
        record(2, {
          chart_entry: {
            uri: 'spotify:track:' + 'b'.repeat(22),
            track_name: 'x'.repeat(5000),
            artist_names: [],
          },
        }),
      ),
      /track_name must NOT have more than 2048/,
    ],
  ])('%s', async (_, bad, reason) => {
    const { key, report } = await transformLines('bad-value', [JSON.stringify(record(1)), bad]);
    expect(report).toMatchObject({ status: 'transformed', linesIn: 2, rowsWritten: 1, rejected: 1 });
    expect((await rejectedReasons(key))[0]).toMatch(reason);
    // The lake still answers every query: the one valid row is there, the partition column casts.
    const engine = await LakeQueryEngine.open(lake);
    try {
      const { rows } = await engine.query('SELECT snapshot_date, position, streams FROM song_data');
      expect(rows).toEqual([{ snapshot_date: '2024-02-28', position: 1, streams: 1000 }]);
    } finally {
      engine.close();
    }
  });

  it('sets aside a line that is not UTF-8 instead of replacing its bytes with U+FFFD', async () => {
    const valid = JSON.stringify(record(1));
    const broken = Buffer.from(JSON.stringify(record(2)).replace('Song 2', 'Song \u00ff'), 'utf8');
    const at = broken.indexOf(0xc3); // 'ÿ' is C3 BF in UTF-8: C3 alone is not UTF-8
    const invalid = Buffer.concat([
      broken.subarray(0, at),
      Buffer.from([0xc3, 0x28]),
      broken.subarray(at + 2),
    ]);
    const { key, report } = await transformLines('not-utf8', [valid, invalid, JSON.stringify(record(3))]);
    expect(report).toMatchObject({ linesIn: 3, rowsWritten: 2, rejected: 1 });
    expect(await rejectedReasons(key)).toEqual([expect.stringMatching(/not valid UTF-8/)]);
  });
});

describe('key fields and raw object names', () => {
  it('keeps the rows of two raw objects of the same name in different folders (no overwrite)', async () => {
    const other = 'top_200_global/raw_data/to_process/2026/11/26/16/';
    const first = Array.from({ length: 100 }, (_, i) => JSON.stringify(record(i + 1))).join('\n') + '\n';
    const second = Array.from({ length: 100 }, (_, i) => JSON.stringify(record(i + 101))).join('\n') + '\n';
    await storage.put(`${HOUR}same-name`, first);
    await storage.put(`${other}same-name`, second);
    const report = await transformObjects([`${HOUR}same-name`, `${other}same-name`], deps());
    expect(report).toMatchObject({ linesIn: 200, rowsWritten: 200 });
    const engine = await LakeQueryEngine.open(lake);
    try {
      expect((await engine.query('SELECT count(*) AS n FROM song_data')).rows).toEqual([{ n: 200 }]);
    } finally {
      engine.close();
    }
  });
});

describe('an object that cannot be read', () => {
  it('is quarantined with its reason (a truncated gzip stream), not failed and retried forever', async () => {
    const zipped = gzipSync(Array.from({ length: 50 }, (_, i) => JSON.stringify(record(i + 1))).join('\n'));
    const key = `${HOUR}truncated.gz`;
    await storage.put(key, zipped.subarray(0, Math.floor(zipped.length / 2)));
    const report = await transformObjects([key], deps());
    expect(report.failedObjects).toEqual([]);
    expect(report.quarantinedObjects).toEqual([
      { key, reason: expect.stringMatching(/not a readable gzip stream/) },
    ]);
    expect(await storage.list('top_200_global/raw_data/to_process/')).toEqual([]);
    const kept = await storage.list(QUARANTINE);
    expect(kept).toHaveLength(2);
    const reason = Buffer.from(
      (await storage.get(kept.find((k) => k.endsWith('.reason.txt'))!)) ?? [],
    ).toString();
    expect(reason).toContain(key);
    // Nothing half-read reached the lake; a second transform finds nothing to do.
    expect(await storage.list('top_200_global/transformed_data/')).toEqual([]);
    expect((await transformObjects([key], deps())).objects[0]?.status).toBe('missing');
  });
});

describe('run ids', () => {
  it('sort in the order the runs were made, also within one millisecond', () => {
    const frozen = fakeClock('2026-11-25T16:00:00.000Z'); // it never sleeps: time stands still
    const ids = Array.from({ length: 50 }, () => newRunId(frozen));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
    expect(ids[0]).toMatch(/^20261125T160000\d{3}Z-[0-9a-f]{6}$/);
  });

  it('make the later of two extractions in the same second win, every time', async () => {
    const frozen = fakeClock('2026-11-25T16:00:00.000Z'); // it never sleeps: time stands still
    for (let trial = 0; trial < 10; trial++) {
      const [early, late] = [newRunId(frozen), newRunId(frozen)];
      const lines = (run: string, streams: number) =>
        [1, 2].map((p) =>
          JSON.stringify(record(p, { run_id: run, streams, snapshot_date: `2024-03-${String(trial + 10)}` })),
        );
      // The later run's object arrives first (two objects of one batch, in any order).
      await storage.put(`${HOUR}late-${trial}`, lines(late, 2).join('\n'));
      await storage.put(`${HOUR}early-${trial}`, lines(early, 1).join('\n'));
      await transformObjects([`${HOUR}late-${trial}`, `${HOUR}early-${trial}`], deps());
    }
    const engine = await LakeQueryEngine.open(lake);
    try {
      const { rows } = await engine.query('SELECT DISTINCT streams FROM song_data');
      expect(rows).toEqual([{ streams: 2 }]);
    } finally {
      engine.close();
    }
  });
});
