// The explorer's copy of the lake's tables (adapters/local/lake-cache.ts) behind LocalExplorerLake: the pages read
// it, it follows the lake (its version changes once the copy is rebuilt), and a restart on an unchanged lake reuses
// it instead of rebuilding.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalExplorerLake } from '#functions/adapters/local/explorer-lake.js';
import { CACHE_FILE } from '#functions/adapters/local/lake-cache.js';
import { EXPLORER_DIR } from '#functions/adapters/local/explorer-state.js';
import { TRANSFORMED } from '#functions/core/lake.js';
import { songRow } from '../helpers/rows.js';
import { fakeClock, tempDir } from '../helpers/paths.js';

async function writeDay(lake: string, date: string, rows: Record<string, unknown>[]): Promise<void> {
  const dir = join(lake, TRANSFORMED, 'song_data', `snapshot_date=${date}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, `regional-global-daily__r${date.replace(/-/g, '')}__x.00000000.json`),
    rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
  );
}

const songsOn = async (lake: LocalExplorerLake): Promise<unknown[]> =>
  (
    await lake.query(
      'SELECT CAST(snapshot_date AS VARCHAR) AS day, song_name FROM song_data ORDER BY day, position',
    )
  ).rows.map((r) => `${String(r.day)} ${String(r.song_name)}`);

describe('the explorer’s copy of the lake', () => {
  it('answers page queries from its copy, follows a changed lake, and is reused by the next serve', async () => {
    const root = await tempDir('lake-cache-');
    await writeDay(root, '2024-02-05', [songRow(1, { song_name: 'First' })]);
    const clock = fakeClock();
    const lake = new LocalExplorerLake(root, clock);
    expect(await songsOn(lake)).toEqual(['2024-02-05 First']);
    const first = await lake.version();
    expect(first).toMatch(/song_data:1:1:/);

    await writeDay(root, '2024-02-06', [songRow(1, { song_name: 'Second' })]);
    // The listing is reused for 5 s; after that, version() waits for the rebuilt copy and reports it.
    clock.advance(6_000);
    const second = await lake.version();
    expect(second).not.toBe(first);
    expect(await songsOn(lake)).toEqual(['2024-02-05 First', '2024-02-06 Second']);
    await lake.close();
    const cacheFile = join(root, EXPLORER_DIR, CACHE_FILE);
    const written = (await stat(cacheFile)).mtimeMs;

    // A restart on the same lake: the copy of this version is there, so nothing is rebuilt.
    const again = new LocalExplorerLake(root);
    expect(await songsOn(again)).toEqual(['2024-02-05 First', '2024-02-06 Second']);
    await again.close();
    expect((await stat(cacheFile)).mtimeMs).toBe(written);
  });

  it('keeps the user’s SQL on the lake itself (confined), not on the copy', async () => {
    const root = await tempDir('lake-cache-sql-');
    await writeDay(root, '2024-02-05', [songRow(1)]);
    const lake = new LocalExplorerLake(root);
    await expect(
      lake.sandboxed(`SELECT * FROM read_text('${join(root, EXPLORER_DIR, CACHE_FILE)}')`, {
        timeoutMs: 5000,
        maxRows: 10,
      }),
    ).rejects.toThrow(/Query refused/);
    await lake.close();
  });
});
