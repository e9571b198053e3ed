import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeQueryEngine, tableColumns } from '#functions/adapters/local/duckdb-query.js';
import { schemas } from '#functions/core/schemas.js';
import { tempDir } from '../helpers/paths.js';
import { songRow } from '../helpers/rows.js';

const song = (position: number, id: string) => songRow(position, { song_id: id });

async function writePartition(lake: string, date: string, body: string): Promise<void> {
  const dir = join(lake, 'top_200_global', 'transformed_data', 'song_data', `snapshot_date=${date}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'part.json'), body);
}

describe('DuckDB over the lake', () => {
  it('prunes partitions: a filter on snapshot_date never opens other days (a corrupt file elsewhere is not read)', async () => {
    const lake = await tempDir();
    await writePartition(
      lake,
      '2026-01-01',
      [song(1, 'a'), song(2, 'b')].map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    await writePartition(lake, '2026-01-02', '{ this is not json\n');
    const engine = await LakeQueryEngine.open(lake);
    try {
      const r = await engine.query(
        "select count(*) as n, sum(streams) as s from song_data where snapshot_date = DATE '2026-01-01'",
      );
      expect(r.rows).toEqual([{ n: 2, s: 30 }]);
      await expect(engine.query('select count(*) from song_data')).rejects.toThrow(/Query failed/);
    } finally {
      engine.close();
    }
  });

  it('has every schema column with its type, plus snapshot_date as a DATE, even on an empty lake', async () => {
    const engine = await LakeQueryEngine.open(await tempDir());
    try {
      const r = await engine.query(
        "select column_name, data_type from information_schema.columns where table_name = 'song_data'",
      );
      const cols = Object.fromEntries(r.rows.map((x) => [x.column_name, x.data_type]));
      expect(Object.keys(cols).sort()).toEqual(
        [...Object.keys(schemas.songRow.properties ?? {}), 'snapshot_date'].sort(),
      );
      expect(cols).toMatchObject({
        position: 'BIGINT',
        artist_ids: 'VARCHAR[]',
        explicit: 'BOOLEAN',
        snapshot_date: 'DATE',
      });
      expect((await engine.query('select count(*) as n from album_data')).rows).toEqual([{ n: 0 }]);
    } finally {
      engine.close();
    }
  });

  it('maps JSON Schema types to DuckDB types', () => {
    expect(Object.fromEntries(tableColumns('artist_data'))).toMatchObject({
      artist_id: 'VARCHAR',
      genres: 'VARCHAR[]',
      followers: 'BIGINT',
    });
  });
});

describe("the explorer's sandbox (LakeQueryEngine.sandboxed)", () => {
  let lake: string;
  let engine: LakeQueryEngine;
  const limits = { timeoutMs: 5_000, maxRows: 10 };

  beforeAll(async () => {
    lake = await tempDir();
    await writePartition(
      lake,
      '2026-01-01',
      [song(1, 'a'), song(2, 'b')].map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    // What else a lake folder holds: the explorer's state (password hashes, sessions) and the raw zone.
    await mkdir(join(lake, 'explorer'), { recursive: true });
    await writeFile(join(lake, 'explorer', 'state.duckdb'), 'password hashes');
    await mkdir(join(lake, 'top_200_global', 'raw_data', 'processed'), { recursive: true });
    await writeFile(join(lake, 'top_200_global', 'raw_data', 'processed', 'x.ndjson'), '{"a":1}\n');
    engine = await LakeQueryEngine.open(lake, { confined: true });
  });

  afterAll(() => engine?.close());

  it("reads the tables, and no other file in the lake folder: not the explorer's state, not the raw zone", async () => {
    expect((await engine.sandboxed('SELECT count(*) AS n FROM song_data', limits)).rows).toEqual([{ n: 2 }]);
    for (const sql of [
      `SELECT * FROM read_text('${lake}/explorer/state.duckdb')`,
      `SELECT * FROM read_blob('${lake}/explorer/*')`,
      `SELECT * FROM read_json('${lake}/top_200_global/raw_data/processed/x.ndjson')`,
      `SELECT * FROM read_text('${lake}/top_200_global/transformed_data/../../explorer/state.duckdb')`,
    ]) {
      await expect(engine.sandboxed(sql, limits)).rejects.toThrow(
        'Query refused: SQL here reads the tables song_data, album_data and artist_data only.',
      );
    }
  });

  it('says a COPY to a file is not a SELECT, and that SQL of comments holds no statement', async () => {
    await expect(engine.sandboxed("COPY (SELECT 1) TO '/tmp/x.csv'", limits)).rejects.toThrow(
      /^Query refused: only a SELECT/,
    );
    await expect(engine.sandboxed('-- nothing\n;', limits)).rejects.toThrow(
      'Query refused: the SQL holds no statement.',
    );
  });

  it("interrupts its own query only, on a connection of its own: the engine's other queries do not wait", async () => {
    const runaway = engine.sandboxed('SELECT count(*) FROM range(1000000000000) a', {
      timeoutMs: 1_500,
      maxRows: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    expect((await engine.query('SELECT count(*) AS n FROM song_data')).rows).toEqual([{ n: 2 }]);
    expect((await engine.sandboxed('SELECT 1 AS one', limits)).rows).toEqual([{ one: 1 }]);
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(runaway).rejects.toThrow('Query stopped: it ran longer than 1.5 s.');
  });

  it('stops reading at maxRows and says more existed', async () => {
    const r = await engine.sandboxed('SELECT * FROM range(25)', limits);
    expect(r.rows).toHaveLength(10);
    expect(r.truncated).toBe(true);
    expect((await engine.sandboxed('SELECT * FROM range(10)', limits)).truncated).toBe(false);
  });
});
