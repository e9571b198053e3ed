// The bounded soak: concurrent run/transform/backfill processes on one lake with random SIGKILLs, then a rerun,
// must leave a lake identical (row count, chart days, content hash, one run per chart day) to one built cleanly;
// and every kind of bad input must leave the good charts whole and the command exiting non-zero.
// `npm run soak` runs the same code longer; its figures are in the README.
import { badInputs, soak } from '#bench/soak.js';

describe('soak', () => {
  it('leaves the lake identical to a clean one after concurrent processes and random SIGKILLs, every trial', async () => {
    const result = await soak({ trials: 4, processes: 6, kills: 2, killWindowMs: 1500 });
    process.stdout.write(
      `soak: ${result.trials} trials, ${result.processes} processes, ${result.killed} killed, ` +
        `${result.waited} waited for the lock, ${result.unexpectedExits} unexpected exits, ${result.identical} identical\n`,
    );
    expect(result.failures).toEqual([]);
    expect(result.unexpectedExits).toBe(0);
    expect(result.identical).toBe(result.trials);
    expect(result.clean).toMatchObject({ chartDays: 14, maxRunsPerChartDay: 1 });
    expect(result.killed).toBeGreaterThan(0);
  }, 180_000);

  it('survives every kind of bad input: good charts whole, queries answer, exit non-zero', async () => {
    const results = await badInputs();
    process.stdout.write(
      `bad inputs: ${results.filter((r) => r.survived).length} of ${results.length} survived\n`,
    );
    expect(results.filter((r) => !r.survived)).toEqual([]);
  }, 180_000);
});
