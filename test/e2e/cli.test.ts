import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cliInProcess, withoutSpotifyEnvironment } from '../helpers/cli.js';
import { chartsDir, tempDir } from '../helpers/paths.js';

const cli = cliInProcess;

withoutSpotifyEnvironment();

describe('spotify-etl CLI on a temporary lake', () => {
  it('runs the offline demo, says so, prints the top 10, and the query answers the chart size', async () => {
    const lake = await tempDir();
    const run = await cli(['run', '--lake', lake, '--date', '2026-03-02']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/No Spotify credentials.*offline demo/);
    expect(run.out).toMatch(/Top 10 on 2026-03-02/);
    const q = await cli([
      'query',
      "select count(*) as n from song_data where snapshot_date = DATE '2026-03-02'",
      '--lake',
      lake,
      '--format',
      'json',
    ]);
    expect(JSON.parse(q.out)).toEqual([{ n: 200 }]);
    const albums = await cli([
      'query',
      'select count(*) as n, count(distinct album_id) as d from album_data',
      '--lake',
      lake,
      '--format',
      'json',
    ]);
    const [a] = JSON.parse(albums.out) as { n: number; d: number }[];
    expect(a?.n).toBe(a?.d);
    expect(a?.n).toBeGreaterThan(100);
  });

  it('gives one song row per row of a real Charts CSV, without credentials', async () => {
    const lake = await tempDir();
    const file = join(chartsDir, 'regional-au-daily-2024-02-05.csv');
    const run = await cli(['run', '--lake', lake, '--source', `charts-csv:${file}`]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/rows come from the chart file alone/);
    const q = await cli([
      'query',
      "select count(*) n, count(distinct song_id) d, min(position) lo, max(position) hi from song_data where snapshot_date = DATE '2024-02-05'",
      '--lake',
      lake,
      '--format',
      'json',
    ]);
    expect(JSON.parse(q.out)).toEqual([{ n: 200, d: 200, lo: 1, hi: 200 }]);
    const tyler = await cli([
      'query',
      'select artist_names from song_data where position = 176',
      '--lake',
      lake,
      '--format',
      'json',
    ]);
    expect(JSON.parse(tyler.out)).toEqual([{ artist_names: ['Tyler, The Creator', 'Kali Uchis'] }]);
  });

  it('running the same chart day twice does not double count', async () => {
    const lake = await tempDir();
    const file = join(chartsDir, 'regional-au-daily-2024-02-06.csv');
    await cli(['run', '--lake', lake, '--source', `charts-csv:${file}`]);
    await cli(['run', '--lake', lake, '--source', `charts-csv:${file}`]);
    const q = await cli([
      'query',
      'select count(*) n, count(distinct run_id) runs from song_data',
      '--lake',
      lake,
      '--format',
      'json',
    ]);
    expect(JSON.parse(q.out)).toEqual([{ n: 200, runs: 1 }]);
  });

  it('reads the inbox oldest chart first and moves each file to inbox/done', async () => {
    const lake = await tempDir();
    const inbox = join(lake, 'top_200_global', 'inbox');
    await mkdir(inbox, { recursive: true });
    for (const d of ['2024-02-08', '2024-02-07']) {
      const name = `regional-au-daily-${d}.csv`;
      await writeFile(join(inbox, name), await readFile(join(chartsDir, name)));
    }
    await writeFile(join(inbox, 'regional-au-daily-2024-02-09.csv'), 'not,a,chart\n');
    const run = await cli(['run', '--lake', lake, '--source', 'charts-csv']);
    expect(run.out).toMatch(/regional-au-daily 2024-02-07[\s\S]*regional-au-daily 2024-02-08/);
    expect(run.out).toMatch(/2024-02-09.csv set aside: .*not a Spotify Charts CSV/);
    expect((await readdir(join(inbox, 'done'))).sort()).toEqual([
      'regional-au-daily-2024-02-07.csv',
      'regional-au-daily-2024-02-08.csv',
    ]);
    expect(await readdir(join(inbox, 'failed'))).toContain('regional-au-daily-2024-02-09.csv.reason.txt');
    const q = await cli([
      'query',
      'select snapshot_date, count(*) n from song_data group by 1 order by 1',
      '--lake',
      lake,
      '--format',
      'csv',
    ]);
    expect(q.out).toBe('snapshot_date,n\n2024-02-07,200\n2024-02-08,200');
  });

  it('validate exits non-zero with line numbers and reasons', async () => {
    const dir = await tempDir();
    const file = join(dir, 'raw.ndjson');
    await writeFile(file, '{"schema_version":1}\nnot json\n');
    const r = await cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /raw.ndjson:1: does not match schemas\/raw-track-record.schema.json: \(record\) must have required property 'snapshot_date'/,
    );
    expect(r.out).toMatch(/raw.ndjson:2: malformed JSON/);
    expect(r.out).toMatch(/2 records, 0 valid, 2 invalid/);
  });

  it('validates the raw objects a demo run produced', async () => {
    const lake = await tempDir();
    await cli(['run', '--lake', lake, '--date', '2026-03-03']);
    const processed = join(lake, 'top_200_global', 'raw_data', 'processed', '2026');
    const found: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else found.push(join(d, e.name));
      }
    };
    await walk(processed);
    expect(found).toHaveLength(1);
    const r = await cli(['validate', found[0] ?? '']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/200 records, 200 valid, 0 invalid/);
  });

  it('validates a gzip raw object as the transformer reads it, a line that is not UTF-8 included', async () => {
    const dir = await tempDir();
    const file = join(dir, 'raw.ndjson.gz');
    const bad = Buffer.concat([
      Buffer.from('{"schema_version":1,"x":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    await writeFile(file, gzipSync(Buffer.concat([Buffer.from('not json\n'), bad, Buffer.from('\n')])));
    const r = await cli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/raw.ndjson.gz:1: malformed JSON/);
    expect(r.out).toMatch(/raw.ndjson.gz:2: not valid UTF-8/);
    expect(r.out).toMatch(/2 records, 0 valid, 2 invalid/);
  });

  it('explains an unknown source and a bad date instead of a stack trace', async () => {
    await expect(cli(['run', '--source', 'spotify:top50'])).rejects.toThrow(/Unknown source/);
    await expect(cli(['run', '--date', '2026-13-01'])).rejects.toThrow(/not a date/);
  });
});
