// transformObject/transformObjects on a folder lake: raw NDJSON objects in, partitioned song/album/artist files
// out, rejected lines set aside, and the double-counting rule (one run per chart day) held.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Validator } from '#functions/core/schemas.js';
import { FolderStorage } from '#functions/adapters/local/folder-storage.js';
import { describeErrors, validators } from '#functions/core/schemas.js';
import type { SpotifyTrack } from '#functions/core/spotify-types.js';
import type { RawTrackRecord } from '#functions/core/record-types.js';
import { type TransformDeps, transformObject, transformObjects } from '#functions/core/transform.js';
import { MAX_LINE_BYTES } from '#functions/core/ndjson-lines.js';
import { outputName, rejectedName } from '#functions/core/partition-writer.js';
import { objectKeysOf } from '#functions/adapters/aws/s3-events.js';
import { silentLogger, type Storage } from '#functions/ports.js';

const RUN_A = '20261125T160000Z-aaaaaa';
const RUN_B = '20261125T170000Z-bbbbbb';
const CHART = 'regional-global-daily';
const TO_PROCESS_HOUR = 'top_200_global/raw_data/to_process/2026/11/25/16/';
const PROCESSED_HOUR = 'top_200_global/raw_data/processed/2026/11/25/16/';
const TRANSFORMED = 'top_200_global/transformed_data/';
const CHECKS_PENDING = 'top_200_global/checks/pending/';

interface PlaylistItem {
  readonly added_at: string;
  readonly is_local: boolean;
  readonly track: SpotifyTrack;
}

function recorded<T>(file: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../../shared/real-data/spotify/${file}`, import.meta.url), 'utf8'),
  ) as T;
}

/** The 200 first items of the recorded playlist 4dn0iEoAxn69ea0Tyov8V5 (two pages of 100). */
const PLAYLIST_ITEMS: readonly PlaylistItem[] = [
  ...recorded<{ tracks: { items: PlaylistItem[] } }>('playlist-4dn0iEoAxn69ea0Tyov8V5-full-object-page1.json')
    .tracks.items,
  ...recorded<{ items: PlaylistItem[] }>('playlist-4dn0iEoAxn69ea0Tyov8V5-tracks-offset-100.json').items,
];

/** A small made-up track; `n` picks its id, `album` and `artist` pick which album and artist it shares. */
function track(n: number, album = n, artist = n): SpotifyTrack {
  const id = (prefix: string, i: number): string => `${prefix}${String(i).padStart(22 - prefix.length, '0')}`;
  return {
    id: id('trk', n),
    name: `Song ${n}`,
    type: 'track',
    duration_ms: 180_000 + n,
    explicit: false,
    is_local: false,
    external_urls: { spotify: `https://open.spotify.com/track/${id('trk', n)}` },
    album: {
      id: id('alb', album),
      name: `Album ${album}`,
      release_date: '2026',
      release_date_precision: 'year',
    },
    artists: [{ id: id('art', artist), name: `Artist ${artist}` }],
  };
}

/** A valid raw record as the extractor builds it (album and artists are the track's own). */
function rawRecord(position: number, overrides: Partial<RawTrackRecord> = {}): RawTrackRecord {
  const t = overrides.track !== undefined ? overrides.track : track(position);
  return {
    schema_version: 1,
    snapshot_date: '2026-11-25',
    extracted_at: '2026-11-25T16:00:03.000Z',
    run_id: RUN_A,
    source: { kind: 'charts-csv', id: CHART, region: 'global' },
    position,
    streams: 1_000_000 - position,
    peak_rank: position,
    previous_rank: null,
    days_on_chart: 1,
    weeks_on_chart: null,
    added_at: null,
    track: t,
    album: t?.album ?? null,
    artists: t?.artists ?? null,
    ...overrides,
  };
}

/** Raw records of the recorded playlist, as the playlist source would send them. */
function playlistRecords(items: readonly PlaylistItem[], offset = 0): RawTrackRecord[] {
  return items.map((item, i) =>
    rawRecord(offset + i + 1, {
      source: { kind: 'playlist', id: 'playlist:4dn0iEoAxn69ea0Tyov8V5', region: null },
      track: item.track,
      added_at: item.added_at,
      streams: null,
      peak_rank: null,
      days_on_chart: null,
    }),
  );
}

const line = (record: unknown): string => JSON.stringify(record);

/** The output file and the rejected-lines file of a raw object put by putRaw(name). */
const out = (chart: string, run: string, name: string): string =>
  outputName(chart, run, TO_PROCESS_HOUR + name);
const rej = (name: string): string => rejectedName(TO_PROCESS_HOUR + name);

let lake: string;
let storage: FolderStorage;
const deps = (s: Storage = storage): TransformDeps => ({ storage: s, logger: silentLogger });

beforeEach(async () => {
  lake = await mkdtemp(join(tmpdir(), 'transform-test-'));
  storage = new FolderStorage(lake);
});

afterEach(async () => {
  await rm(lake, { recursive: true, force: true });
});

/** Puts a raw object under to_process/2026/11/25/16/ and returns its key. */
async function putRaw(
  name: string,
  lines: readonly string[],
  options: { gzip?: boolean } = {},
): Promise<string> {
  const key = TO_PROCESS_HOUR + name;
  const text = lines.join('\n') + '\n';
  await storage.put(key, options.gzip ? gzipSync(text) : text);
  return key;
}

async function readNdjson<T = Record<string, unknown>>(key: string): Promise<T[]> {
  const body = await storage.get(key);
  if (!body) throw new Error(`${key} does not exist`);
  return Buffer.from(body)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

async function transformedKeys(table?: string): Promise<string[]> {
  return storage.list(TRANSFORMED + (table ? `${table}/` : ''));
}

/** Every row of every file of a table. */
async function rowsOf(table: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await transformedKeys(table)) rows.push(...(await readNdjson(key)));
  return rows;
}

/** Every key of the lake with its contents. */
async function snapshot(of: Storage = storage): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await of.list('')) out[key] = Buffer.from((await of.get(key)) ?? []).toString('utf8');
  return out;
}

function expectValid(validate: Validator<unknown>, value: unknown): void {
  const ok = validate(value);
  expect(ok ? 'valid' : `${describeErrors(validate.errors)} in ${JSON.stringify(value)}`).toBe('valid');
}

/** The storage, but `key` is read as `text` in chunks of `size` bytes (lines and characters cut anywhere). */
function readInChunks(inner: Storage, key: string, text: string, size: number): Storage {
  const bytes = Buffer.from(text);
  return {
    get: (k) => inner.get(k),
    list: (prefix) => inner.list(prefix),
    put: (k, body) => inner.put(k, body),
    delete: (k) => inner.delete(k),
    move: (from, to) => inner.move(from, to),
    read: async (k) =>
      k === key
        ? (async function* () {
            for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
          })()
        : inner.read(k),
  };
}

const partition = (table: string, date: string): string => `${TRANSFORMED}${table}/snapshot_date=${date}/`;

describe('transformObject', () => {
  it('accounts for every line of a mixed object: lines in = rows written + duplicates dropped + lines rejected', async () => {
    const key = await putRaw('mixed', [
      line(rawRecord(1)),
      line(rawRecord(2)),
      '',
      '{"schema_version":1,"snapshot_date":',
      line(rawRecord(0)),
      line(rawRecord(2)),
      line({ ...rawRecord(3), run_id: undefined }),
      line(rawRecord(3)),
      line(rawRecord(3, { track: track(33) })),
      line(rawRecord(5, { track: null })),
    ]);

    const report = await transformObject(key, deps());

    expect(report).toMatchObject({
      status: 'transformed',
      linesIn: 9,
      rowsWritten: 3,
      duplicates: 1,
      rejected: 5,
    });
    expect(report.rowsWritten + report.duplicates + report.rejected).toBe(report.linesIn);
    const songs = await readNdjson(`${partition('song_data', '2026-11-25')}${out(CHART, RUN_A, 'mixed')}`);
    expect(songs.map((s) => s.position)).toEqual([1, 2, 3]);
    // Line numbers are those of the object, blank lines included, so the text can be found in the raw file.
    const rejected = await readNdjson<{ line: number }>(rej('mixed'));
    expect(rejected.map((r) => r.line)).toEqual([4, 5, 7, 9, 10]);
  });

  it('sets a malformed line and schema-invalid lines aside with their line number and reason and still writes the valid lines', async () => {
    const noRunId: Record<string, unknown> = { ...rawRecord(3) };
    delete noRunId.run_id;
    const malformed = '{"schema_version":1,"snapshot_date":"2026-11-25",';
    const key = await putRaw('bad-lines', [
      line(rawRecord(1)),
      malformed,
      line(rawRecord(0)),
      line(noRunId),
      line(rawRecord(2)),
    ]);

    const report = await transformObject(key, deps());

    expect(report).toMatchObject({
      rowsWritten: 2,
      rejected: 3,
      rejectedKey: rej('bad-lines'),
    });
    const rejected = await readNdjson<{ raw_key: string; line: number; reason: string; text: string }>(
      rej('bad-lines'),
    );
    expect(rejected.map((r) => [r.raw_key, r.line, r.text])).toEqual([
      [key, 2, malformed],
      [key, 3, line(rawRecord(0))],
      [key, 4, line(noRunId)],
    ]);
    expect(rejected[0]?.reason).toMatch(/^malformed JSON/);
    expect(rejected[1]?.reason).toMatch(/\/position must be >= 1/);
    expect(rejected[2]?.reason).toMatch(/must have required property 'run_id'/);
    const songs = await readNdjson(
      `${partition('song_data', '2026-11-25')}${out(CHART, RUN_A, 'bad-lines')}`,
    );
    expect(songs.map((s) => [s.position, s.song_id])).toEqual([
      [1, track(1).id],
      [2, track(2).id],
    ]);
  });

  it('drops an identical duplicate line and counts it as a duplicate', async () => {
    const key = await putRaw('twice', [line(rawRecord(1)), line(rawRecord(2)), line(rawRecord(1))]);

    const report = await transformObject(key, deps());

    expect(report).toMatchObject({ linesIn: 3, rowsWritten: 2, duplicates: 1, rejected: 0 });
    expect(report.rejectedKey).toBeUndefined();
    const songs = await readNdjson(`${partition('song_data', '2026-11-25')}${out(CHART, RUN_A, 'twice')}`);
    expect(songs.map((s) => s.position)).toEqual([1, 2]);
  });

  it('rejects a different record at a position the same run already filled, and keeps the first', async () => {
    const other = line(rawRecord(1, { track: track(99) }));
    const key = await putRaw('clash', [line(rawRecord(1)), other]);

    const report = await transformObject(key, deps());

    expect(report).toMatchObject({ linesIn: 2, rowsWritten: 1, duplicates: 0, rejected: 1 });
    const rejected = await readNdjson(rej('clash'));
    expect(rejected).toEqual([
      {
        raw_key: key,
        line: 2,
        reason: `position 1 of ${CHART} on 2026-11-25 already has another entry in run ${RUN_A}`,
        text: other,
      },
    ]);
    const songs = await readNdjson(`${partition('song_data', '2026-11-25')}${out(CHART, RUN_A, 'clash')}`);
    expect(songs.map((s) => s.song_id)).toEqual([track(1).id]);
  });

  it('writes <chart>__<run>__<raw name>.json into each table under snapshot_date= and moves the raw object to processed/', async () => {
    const name = 'raw-tracks-1-2026-11-25-16-00-00-0a1b2c';
    const key = await putRaw(name, [line(rawRecord(1)), line(rawRecord(2, { track: track(2, 1, 1) }))]);

    const report = await transformObject(key, deps());

    const file = `${out(CHART, RUN_A, name)}`;
    expect(report.filesWritten).toEqual([
      `${TRANSFORMED}album_data/snapshot_date=2026-11-25/${file}`,
      `${TRANSFORMED}artist_data/snapshot_date=2026-11-25/${file}`,
      `${TRANSFORMED}song_data/snapshot_date=2026-11-25/${file}`,
    ]);
    expect(await storage.list('')).toEqual(
      [
        PROCESSED_HOUR + name,
        ...report.filesWritten,
        `${CHECKS_PENDING}2026-11-25/${name}`, // the chart date waits for a check
      ].sort(),
    );
    expect(report).toMatchObject({ rowsWritten: 2, albumRows: 1, artistRows: 1 });
    expect(await readNdjson(`${partition('album_data', '2026-11-25')}${file}`)).toEqual([
      {
        album_id: track(1).album?.id,
        name: 'Album 1',
        release_date: '2026',
        release_date_precision: 'year',
        total_tracks: null,
        album_type: null,
        url: null,
        image_url: null,
        label: null,
        genres: null,
        popularity: null,
        chart_id: CHART,
        run_id: RUN_A,
      },
    ]);
  });

  it('reads a gzip raw object the same as a plain one', async () => {
    const lines = [line(rawRecord(1)), line(rawRecord(2)), 'not json'];
    // Two lakes: in one lake the second object would be a redelivery of the same run (duplicates).
    const plainLake = new FolderStorage(await mkdtemp(join(tmpdir(), 'transform-plain-')));
    const plainKey = TO_PROCESS_HOUR + 'plain';
    await plainLake.put(plainKey, lines.join('\n') + '\n');
    const gzipKey = await putRaw('zipped.gz', lines, { gzip: true });

    const plain = await transformObject(plainKey, deps(plainLake));
    const zipped = await transformObject(gzipKey, deps());

    expect(zipped).toMatchObject({ status: 'transformed', linesIn: 3, rowsWritten: 2, rejected: 1 });
    expect(plain).toMatchObject({ status: 'transformed', linesIn: 3, rowsWritten: 2, rejected: 1 });
    expect(zipped.rejectedKey).toBe(rej('zipped.gz'));
    const zippedSongs = await readNdjson(
      `${partition('song_data', '2026-11-25')}${out(CHART, RUN_A, 'zipped.gz')}`,
    );
    const plainBody = await plainLake.get(
      `${partition('song_data', '2026-11-25')}${out(CHART, RUN_A, 'plain')}`,
    );
    const plainSongs = Buffer.from(plainBody ?? [])
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(zippedSongs).toEqual(plainSongs);
    expect(zippedSongs.map((s) => s.song_id)).toEqual([track(1).id, track(2).id]);
    expect(await storage.list(PROCESSED_HOUR)).toEqual([PROCESSED_HOUR + 'zipped.gz']);
  });

  it('reads CRLF line endings and lines cut anywhere across chunks, multi-byte characters included', async () => {
    const records = [1, 2, 3].map((p) =>
      rawRecord(p, { track: { ...track(p), name: `Canción ${p} — 東京 🎧` } }),
    );
    const text = records.map(line).join('\r\n') + '\r\n\r\n';
    const key = TO_PROCESS_HOUR + 'crlf';
    await storage.put(key, text);
    // The object arrives in 5-byte chunks, so lines, '\r\n' pairs and UTF-8 sequences are cut mid-way.
    const chunked = readInChunks(storage, key, text, 5);

    const report = await transformObject(key, deps(chunked));

    expect(report).toMatchObject({ linesIn: 3, rowsWritten: 3, rejected: 0, duplicates: 0 });
    expect((await rowsOf('song_data')).map((r) => r.song_name)).toEqual(records.map((r) => r.track?.name));
  });

  it('reads a line of almost MAX_LINE_BYTES arriving in 1 KiB chunks', async () => {
    // About 1,000 chunks without a newline, joined once (joining and splitting again at every chunk was quadratic).
    // The length sits in a track field the rows do not keep: every kept string has a schema bound far below it.
    const filler = 'x'.repeat(MAX_LINE_BYTES - 2_000);
    const big = rawRecord(1, { track: { ...track(1), filler } as SpotifyTrack });
    const text = `${line(rawRecord(2))}\n${line(big)}\n${line(rawRecord(3))}\n`;
    const key = TO_PROCESS_HOUR + 'long-line';
    await storage.put(key, text);
    const report = await transformObject(key, deps(readInChunks(storage, key, text, 1024)));
    expect(report).toMatchObject({ linesIn: 3, rowsWritten: 3, rejected: 0 });
  });

  it('sets aside a line over MAX_LINE_BYTES with its size, keeping 1 KiB of it, and writes the others', async () => {
    // 4 MiB in 1 KiB chunks, and a 64 MiB object without any line break: both are counted, never held whole.
    const big = rawRecord(1, { track: { ...track(1), filler: 'x'.repeat(4 * 1024 * 1024) } as SpotifyTrack });
    const text = `${line(rawRecord(2))}\n${line(big)}\n${line(rawRecord(3))}\n`;
    const key = TO_PROCESS_HOUR + 'too-long';
    await storage.put(key, text);
    const report = await transformObject(key, deps(readInChunks(storage, key, text, 1024)));
    expect(report).toMatchObject({ linesIn: 3, rowsWritten: 2, rejected: 1 });
    const [rejected] = await readNdjson<{ line: number; reason: string; text: string }>(rej('too-long'));
    expect(rejected?.line).toBe(2);
    expect(rejected?.reason).toMatch(/the line is \d+ bytes; at most 1024000 are accepted/);
    expect(rejected?.text.length).toBe(1024);

    // The 64 MiB arrive as one reused 256 KiB chunk, so the source itself allocates nothing: memory that grows
    // by 64 MiB could only be the reader holding the line. (It keeps 1 MiB at most, plus the 1 KiB sample.)
    const blobKey = TO_PROCESS_HOUR + 'no-line-breaks';
    await storage.put(blobKey, 'placeholder');
    const chunk = Buffer.alloc(256 * 1024, 0x79);
    const blobStorage: Storage = {
      get: (k) => storage.get(k),
      list: (prefix) => storage.list(prefix),
      put: (k, body) => storage.put(k, body),
      delete: (k) => storage.delete(k),
      move: (from, to) => storage.move(from, to),
      read: async (k) =>
        k === blobKey
          ? (async function* () {
              for (let i = 0; i < 256; i++) yield chunk;
            })()
          : storage.read(k),
    };
    const before = process.memoryUsage().arrayBuffers;
    const blobReport = await transformObject(blobKey, deps(blobStorage));
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(blobReport).toMatchObject({ status: 'transformed', linesIn: 1, rowsWritten: 0, rejected: 1 });
    expect((await readNdjson<{ reason: string }>(rej('no-line-breaks')))[0]?.reason).toContain(
      `the line is ${64 * 1024 * 1024} bytes`,
    );
    expect(grown).toBeLessThan(32 * 1024 * 1024);
  });

  it('reads an object whose last line has no newline', async () => {
    const key = TO_PROCESS_HOUR + 'no-final-newline';
    await storage.put(key, [line(rawRecord(1)), line(rawRecord(2))].join('\n'));
    expect(await transformObject(key, deps())).toMatchObject({ linesIn: 2, rowsWritten: 2 });
  });

  it('transforms an object named twice in one event once; the second copy finds it already processed', async () => {
    const key = await putRaw('twice', [line(rawRecord(1)), line(rawRecord(2))]);

    const report = await transformObjects([key, key], deps());

    expect(report.objects.map((o) => o.status)).toEqual(['transformed', 'already processed']);
    expect(report).toMatchObject({ linesIn: 2, rowsWritten: 2, duplicates: 0, failedObjects: [] });
  });

  it('gives the same lake for many objects in one event as for one event per object (objects are read ahead)', async () => {
    // Object 2 redelivers a record of object 1 and object 3 holds a later run of the same chart day, so the
    // result depends on the objects being written in order even though the next one is read early.
    const objects = [
      ['a1', [line(rawRecord(1)), line(rawRecord(2))]],
      ['a2', [line(rawRecord(2)), line(rawRecord(3))]],
      ['b1', [1, 2].map((p) => line(rawRecord(p, { run_id: RUN_B })))],
      ['a3', [line(rawRecord(4))]],
    ] as const;
    const keys = await Promise.all(objects.map(([name, lines]) => putRaw(name, lines)));
    const oneByOne = new FolderStorage(await mkdtemp(join(tmpdir(), 'transform-one-by-one-')));
    for (const key of keys) await oneByOne.put(key, (await storage.get(key)) ?? '');

    const together = await transformObjects(keys, deps());
    const separate = [];
    for (const key of keys) separate.push(await transformObject(key, deps(oneByOne)));

    expect(together.objects).toEqual(separate);
    expect(together).toMatchObject({ linesIn: 7, rowsWritten: 5, duplicates: 2 });
    expect(await snapshot()).toEqual(await snapshot(oneByOne));
    expect((await rowsOf('song_data')).map((r) => [r.run_id, r.position])).toEqual([
      [RUN_B, 1],
      [RUN_B, 2],
    ]);
  });

  it('does nothing for a duplicate S3 event of an object already transformed', async () => {
    const key = await putRaw('once', [line(rawRecord(1)), line(rawRecord(2))]);
    await transformObject(key, deps());
    const before = await snapshot();

    const second = await transformObject(key, deps());

    expect(second).toMatchObject({
      status: 'already processed',
      linesIn: 0,
      rowsWritten: 0,
      filesWritten: [],
    });
    expect(await snapshot()).toEqual(before);
  });

  it('keeps only the later run when a chart day is extracted twice (run A, then run B)', async () => {
    const a = await putRaw('run-a', [line(rawRecord(1)), line(rawRecord(2))]);
    const b = await putRaw('run-b', [
      line(rawRecord(1, { run_id: RUN_B, track: track(7) })),
      line(rawRecord(2, { run_id: RUN_B, track: track(8) })),
    ]);

    await transformObject(a, deps());
    const report = await transformObject(b, deps());

    expect(report.rowsWritten).toBe(2);
    const file = `${out(CHART, RUN_B, 'run-b')}`;
    expect(await transformedKeys()).toEqual(
      ['song_data', 'album_data', 'artist_data'].map((t) => partition(t, '2026-11-25') + file).sort(),
    );
    expect((await rowsOf('song_data')).map((s) => s.song_id)).toEqual([track(7).id, track(8).id]);
    expect((await rowsOf('album_data')).map((r) => r.album_id)).toEqual([
      track(7).album?.id,
      track(8).album?.id,
    ]);
    expect((await rowsOf('artist_data')).map((r) => r.run_id)).toEqual([RUN_B, RUN_B]);
  });

  it('counts an older run arriving after a later one as duplicates and writes nothing of it', async () => {
    const b = await putRaw('run-b', [
      line(rawRecord(1, { run_id: RUN_B, track: track(7) })),
      line(rawRecord(2, { run_id: RUN_B, track: track(8) })),
    ]);
    const a = await putRaw('run-a', [line(rawRecord(1)), line(rawRecord(2)), line(rawRecord(3))]);

    await transformObject(b, deps());
    const before = await snapshot();
    const report = await transformObject(a, deps());

    expect(report).toMatchObject({
      status: 'transformed',
      linesIn: 3,
      rowsWritten: 0,
      duplicates: 3,
      rejected: 0,
      filesWritten: [],
    });
    const after = await snapshot();
    expect(Object.keys(after).filter((k) => k.startsWith(TRANSFORMED))).toEqual(
      Object.keys(before).filter((k) => k.startsWith(TRANSFORMED)),
    );
    expect((await rowsOf('song_data')).map((s) => s.run_id)).toEqual([RUN_B, RUN_B]);
    expect(Object.keys(after)).toContain(PROCESSED_HOUR + 'run-a');
  });

  it('writes one song file per raw object of a run and each album and artist once across the day', async () => {
    const records = playlistRecords(PLAYLIST_ITEMS);
    const first = await putRaw('part-1', records.slice(0, 100).map(line));
    const second = await putRaw('part-2', records.slice(100).map(line));

    await transformObject(first, deps());
    await transformObject(second, deps());

    const songFiles = await transformedKeys('song_data');
    expect(songFiles.map((k) => k.slice(k.lastIndexOf('/') + 1))).toEqual([
      `${out('playlist:4dn0iEoAxn69ea0Tyov8V5', RUN_A, 'part-1')}`,
      `${out('playlist:4dn0iEoAxn69ea0Tyov8V5', RUN_A, 'part-2')}`,
    ]);
    expect((await readNdjson(songFiles[0] ?? '')).length).toBe(100);
    expect((await readNdjson(songFiles[1] ?? '')).length).toBe(100);

    const nonLocal = PLAYLIST_ITEMS.filter((i) => !i.is_local).map((i) => i.track);
    const albumIds = (await rowsOf('album_data')).map((r) => r.album_id);
    const artistIds = (await rowsOf('artist_data')).map((r) => r.artist_id);
    const expectedAlbums = new Set(nonLocal.map((t) => t.album?.id));
    const expectedArtists = new Set(nonLocal.flatMap((t) => (t.artists ?? []).map((a) => a.id)));
    // The two halves of the recorded playlist share albums and artists: the rule is tested, not vacuous.
    const firstHalfAlbums = new Set(PLAYLIST_ITEMS.slice(0, 100).map((i) => i.track.album?.id));
    expect(PLAYLIST_ITEMS.slice(100).some((i) => firstHalfAlbums.has(i.track.album?.id))).toBe(true);
    expect(albumIds.length).toBe(expectedAlbums.size);
    expect(new Set(albumIds)).toEqual(expectedAlbums);
    expect(artistIds.length).toBe(expectedArtists.size);
    expect(new Set(artistIds)).toEqual(expectedArtists);
  });

  it('keeps only the later run when both runs of a chart day arrive in one object', async () => {
    const key = await putRaw('both-runs', [
      line(rawRecord(1)),
      line(rawRecord(2)),
      line(rawRecord(1, { run_id: RUN_B })),
      line(rawRecord(2, { run_id: RUN_B })),
    ]);
    const report = await transformObject(key, deps());
    expect(report).toMatchObject({ linesIn: 4, rowsWritten: 2, duplicates: 2, rejected: 0 });
    const songs = await rowsOf('song_data');
    expect(songs.map((r) => r.run_id)).toEqual([RUN_B, RUN_B]);
    expect((await transformedKeys()).every((k) => k.includes(RUN_B))).toBe(true);
  });

  it('counts a record Firehose redelivered in a second object of the same run as a duplicate', async () => {
    const first = await putRaw('o1', [line(rawRecord(1)), line(rawRecord(2))]);
    const second = await putRaw('o2', [line(rawRecord(2)), line(rawRecord(3))]);
    await transformObject(first, deps());
    const report = await transformObject(second, deps());
    expect(report).toMatchObject({ linesIn: 2, rowsWritten: 1, duplicates: 1, rejected: 0 });
    expect((await rowsOf('song_data')).map((r) => r.position).sort()).toEqual([1, 2, 3]);
    expect((await rowsOf('album_data')).map((r) => r.album_id)).toHaveLength(3);
  });

  it('marks each chart date it wrote as waiting for a check, and no date of a superseded run', async () => {
    const later = await putRaw('later', [line(rawRecord(1, { run_id: RUN_B, snapshot_date: '2026-11-24' }))]);
    await transformObject(later, deps());
    const older = await putRaw('older', [
      line(rawRecord(1, { snapshot_date: '2026-11-24' })), // run A: superseded by run B on that day
      line(rawRecord(1)),
    ]);
    await transformObject(older, deps());
    expect(await storage.list(CHECKS_PENDING)).toEqual([
      `${CHECKS_PENDING}2026-11-24/later`,
      `${CHECKS_PENDING}2026-11-25/older`,
    ]);
  });

  it('writes the records of two chart dates in one object into two partitions', async () => {
    const key = await putRaw('two-days', [
      line(rawRecord(1, { snapshot_date: '2026-11-24' })),
      line(rawRecord(1)),
      line(rawRecord(2)),
    ]);

    const report = await transformObject(key, deps());

    const file = `${out(CHART, RUN_A, 'two-days')}`;
    expect(report.rowsWritten).toBe(3);
    expect(await transformedKeys('song_data')).toEqual([
      partition('song_data', '2026-11-24') + file,
      partition('song_data', '2026-11-25') + file,
    ]);
    expect((await readNdjson(partition('song_data', '2026-11-24') + file)).map((s) => s.position)).toEqual([
      1,
    ]);
    expect((await readNdjson(partition('song_data', '2026-11-25') + file)).map((s) => s.position)).toEqual([
      1, 2,
    ]);
    expect(await transformedKeys('album_data')).toEqual([
      partition('album_data', '2026-11-24') + file,
      partition('album_data', '2026-11-25') + file,
    ]);
  });

  it('ignores a key outside raw_data/to_process/ and leaves the object where it is', async () => {
    const key = 'top_200_global/inbox/regional-global-daily-2026-11-25.csv';
    await storage.put(key, 'rank,uri\n');

    const report = await transformObject(key, deps());

    expect(report).toMatchObject({ status: 'ignored', linesIn: 0, filesWritten: [] });
    expect(await storage.list('')).toEqual([key]);
  });

  it('transforms 200 recorded playlist items: every line accounted for, local files without an id, rows valid', async () => {
    const records = playlistRecords(PLAYLIST_ITEMS);
    const key = await putRaw('playlist', records.map(line));

    const report = await transformObject(key, deps());

    expect(report).toMatchObject({
      status: 'transformed',
      linesIn: 200,
      rowsWritten: 200,
      duplicates: 0,
      rejected: 0,
    });
    expect(report.rowsWritten + report.duplicates + report.rejected).toBe(200);
    const songs = await rowsOf('song_data');
    expect(songs.map((s) => s.position)).toEqual(PLAYLIST_ITEMS.map((_, i) => i + 1));
    expect(songs.map((s) => s.song_added)).toEqual(PLAYLIST_ITEMS.map((i) => i.added_at));
    expect(songs.map((s) => s.song_id)).toEqual(PLAYLIST_ITEMS.map((i) => (i.is_local ? null : i.track.id)));
    const locals = songs.filter((s) => s.is_local === true);
    expect(locals.length).toBe(8);
    expect(locals.every((s) => s.song_id === null && s.album_id === null)).toBe(true);

    const albums = await rowsOf('album_data');
    const artists = await rowsOf('artist_data');
    expect(report.albumRows).toBe(albums.length);
    expect(report.artistRows).toBe(artists.length);
    expect(albums.length).toBe(126);
    expect(artists.length).toBe(111);
    for (const row of songs) expectValid(validators.songRow, row);
    for (const row of albums) expectValid(validators.albumRow, row);
    for (const row of artists) expectValid(validators.artistRow, row);
  });
});

describe('transformObjects', () => {
  /** Storage whose put throws for any key containing `marker`, as a full disk or a denied write would. */
  function failingPutsFor(inner: Storage, marker: string): Storage {
    return {
      get: (key) => inner.get(key),
      read: (key) => inner.read(key),
      list: (prefix) => inner.list(prefix),
      delete: (key) => inner.delete(key),
      move: (from, to) => inner.move(from, to),
      put: async (key, body, contentType) => {
        if (key.includes(marker)) throw new Error(`No space left on device writing ${key}`);
        await inner.put(key, body, contentType);
      },
    };
  }

  it('keeps going when one object fails and reports it in failedObjects', async () => {
    const first = await putRaw('first', [line(rawRecord(1))]);
    const broken = await putRaw('broken', [line(rawRecord(2))]);
    const last = await putRaw('last', [line(rawRecord(3))]);

    const report = await transformObjects([first, broken, last], deps(failingPutsFor(storage, 'broken')));

    expect(report.objects.map((o) => o.status)).toEqual(['transformed', 'failed', 'transformed']);
    expect(report.failedObjects).toEqual([
      { key: broken, error: expect.stringMatching(/No space left on device/) },
    ]);
    expect(report).toMatchObject({ linesIn: 2, rowsWritten: 2, filesWritten: 6 });
    expect(await storage.list(TO_PROCESS_HOUR)).toEqual([broken]);
    expect(await storage.list(PROCESSED_HOUR)).toEqual([PROCESSED_HOUR + 'first', PROCESSED_HOUR + 'last']);
  });
});

describe('objectKeysOf', () => {
  it("decodes an S3 event's keys as S3 encodes them: '+' is a space, %3D is '=' and %2B is '+'", () => {
    const keys = objectKeysOf({
      Records: [
        { s3: { object: { key: 'top_200_global/raw_data/to_process/2026/11/25/16/raw+tracks+1' } } },
        {
          s3: {
            object: {
              key: 'top_200_global/transformed_data/song_data/snapshot_date%3D2026-11-25/a%2Bb.json',
            },
          },
        },
      ],
    });

    expect(keys).toEqual([
      'top_200_global/raw_data/to_process/2026/11/25/16/raw tracks 1',
      'top_200_global/transformed_data/song_data/snapshot_date=2026-11-25/a+b.json',
    ]);
  });

  it('returns no keys for an event without records', () => {
    expect(objectKeysOf({})).toEqual([]);
  });
});
