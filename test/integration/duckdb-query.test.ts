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
