// Text from a chart reaches every output sink escaped for that sink, and the lake keeps it as it was: a real
// chart whose names carry terminal escapes, characters XML forbids and spreadsheet formulas goes through `run`,
// `query --format csv|json` and `chart --svg`, each run as the real CLI in a child process.
/* eslint-disable no-control-regex -- this test looks for control characters in what the CLI writes */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chartsDir, repoRoot, tempDir } from '../helpers/paths.js';

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SPOTIFY_')));
const cli = (args: readonly string[]) =>
  spawnSync(process.execPath, [join(repoRoot, 'bin/spotify-etl.js'), ...args], { encoding: 'utf8', env });

const NASTY = '\u001b]0;pwned\u0007\u001b[31m=HYPERLINK("http://evil")<b>&\u0001';
const ESC_OR_BEL = /[\u001b\u0007\u0001]/;

describe('output sinks', () => {
  it('escape chart text for the terminal, CSV and SVG, while the lake keeps the original', async () => {
    const dir = await tempDir('sinks-');
    const lines = (await readFile(join(chartsDir, 'regional-au-daily-2024-02-05.csv'), 'utf8')).split('\n');
    // Rank 1's track name and artist become hostile (quoted: the name holds a comma-free formula and quotes).
    const fields = lines[1]!.split(',');
    fields[2] = `"@SUM(A1) ${NASTY.replace(/"/g, '""')}"`;
    fields[3] = `"${NASTY.replace(/"/g, '""')}"`;
    lines[1] = fields.join(',');
    const file = join(dir, 'regional-au-daily-2024-02-05.csv');
    await writeFile(file, lines.join('\n'));
    const lake = join(dir, 'lake');

    const run = cli(['run', '--lake', lake, '--source', `charts-csv:${file}`]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('HYPERLINK');
    expect(run.stdout).not.toMatch(ESC_OR_BEL);

    const json = cli([
      'query',
      'select song_name, artist_names from song_data where position = 1',
      '--lake',
      lake,
      '--format',
      'json',
    ]);
    expect(JSON.parse(json.stdout)).toEqual([{ song_name: NASTY, artist_names: [`@SUM(A1) ${NASTY}`] }]);

    const table = cli(['query', 'select song_name from song_data where position = 1', '--lake', lake]);
    expect(table.stdout).toContain('HYPERLINK');
    expect(table.stdout).not.toMatch(ESC_OR_BEL);

    const csv = cli([
      'query',
      'select song_name, artist_names from song_data where position = 1',
      '--lake',
      lake,
      '--format',
      'csv',
    ]);
    const row = csv.stdout.split('\n')[1]!;
    expect(row).not.toMatch(/(^|,)"?[=+\-@]/); // no cell a spreadsheet would run as a formula
    expect(row).toContain("'");

    const svg = join(dir, 'chart.svg');
    const chart = cli(['chart', 'HYPERLINK', '--lake', lake, '--svg', svg]);
    expect(chart.status).toBe(0);
    expect(chart.stdout).not.toMatch(ESC_OR_BEL);
    const xml = await readFile(svg, 'utf8');
    // Well-formed: no character XML forbids, every & opens an entity, no stray tag from the data.
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
    expect(xml).not.toContain('<b>');
  }, 60_000);
});
