// The benchmark stays runnable: `npm run bench -- --quick` prints its table and writes its JSON. Only counts and
// ratios that are properties of the code are asserted (pruning reads 1/N of the files, a warm run's calls), never
// a speed: speed is reported by the benchmark, not judged by a test.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
}

describe('npm run bench -- --quick', () => {
  it('prints every section and writes bench/results/quick.json', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/run.ts'), '--quick'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/records\/s/);
    const { figures } = JSON.parse(await readFile(join(repoRoot, 'bench/results/quick.json'), 'utf8')) as {
      figures: Figure[];
    };
    expect(new Set(figures.map((f) => f.section))).toEqual(
      new Set(['transform', 'memory', 'spotify', 'pruning', 'bundles', 'backfill', 'explorer']),
    );
    const value = (name: string): number | undefined => figures.find((f) => f.name.startsWith(name))?.value;
    expect(value('one-day / full-scan files')).toBe(0.2); // 1 of 5 days
    expect(value('API calls, daily run, cold cache')).toBe(199);
    expect(value('API calls, daily run, warm cache')).toBeLessThanOrEqual(25);
    // The JSON floor is measured on the 10× objects and compared with the transformer's rate.
    expect(value('10×: JSON.parse + JSON.stringify')).toBeGreaterThan(0);
    expect(value('10×: transform / JSON floor')).toBeGreaterThan(0);
    // The explorer's figures are measured, not assumed: a search and a page took some time and were answered.
    expect(value('search p95')).toBeGreaterThan(0);
    expect(value('day page p95')).toBeGreaterThan(0);
  }, 180_000);
});
