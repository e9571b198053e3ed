// SqlRunner: the status each kind of sandbox error is sent with, one query at a time per account, and at most two
// CSV runs at once in the process — on a lake whose queries finish when the test says.
import { EtlError } from '#functions/errors.js';
import type { ExplorerLake, SandboxedResult, SandboxLimits } from '#functions/explorer/ports.js';
import { SQL_LIMITS, SqlRunner } from '#functions/explorer/sql-run.js';

const RESULT: SandboxedResult = { columns: ['one'], rows: [{ one: 1 }], truncated: false, elapsedMs: 1 };

/** A lake whose sandboxed queries wait until released, and fail with the error an SQL text names. */
class HeldLake implements ExplorerLake {
  readonly calls: SandboxLimits[] = [];
  private releases: (() => void)[] = [];
  constructor(private readonly errors: Readonly<Record<string, Error>> = {}) {}
  query = async () => ({ rows: [] });
  version = async () => '1';
  async sandboxed(sql: string, limits: SandboxLimits): Promise<SandboxedResult> {
    this.calls.push(limits);
    const error = this.errors[sql];
    if (error) throw error;
    if (sql === 'held') await new Promise<void>((resolve) => this.releases.push(resolve));
    return RESULT;
  }
  release(): void {
    for (const r of this.releases.splice(0)) r();
  }
}

describe('SqlRunner', () => {
  it.each([
    ['Query refused: one statement at a time (this SQL holds 2).', 'refused', 400],
    ['Query stopped: it ran longer than 10 s.', 'stopped', 422],
    ['Query failed: Parser Error: syntax error at or near "SELEC"', 'failed', 422],
  ])('sends "%s" as %s, %i', async (text, kind, status) => {
    const runner = new SqlRunner(new HeldLake({ bad: new EtlError(text, { hint: 'a hint' }) }));
    expect(await runner.run('ana', 'bad', 10)).toEqual({
      ok: false,
      kind,
      status,
      message: text,
      hint: 'a hint',
    });
  });

  it('throws on an error that is not the sandbox speaking (a bug: the app answers 500 and logs it)', async () => {
    const runner = new SqlRunner(new HeldLake({ bad: new TypeError('x is undefined') }));
    await expect(runner.run('ana', 'bad', 10)).rejects.toThrow(TypeError);
  });

  it('runs with the time limit and the row cap it is given', async () => {
    const lake = new HeldLake();
    const runner = new SqlRunner(lake);
    expect(await runner.run('ana', 'SELECT 1', SQL_LIMITS.shownRows)).toEqual({ ok: true, result: RESULT });
    expect(lake.calls).toEqual([{ timeoutMs: 10_000, maxRows: 1_000 }]);
  });

  it('runs one query at a time per account; other accounts are not held up', async () => {
    const lake = new HeldLake();
    const runner = new SqlRunner(lake);
    const first = runner.run('ana', 'held', 10);
    expect(await runner.run('ana', 'SELECT 1', 10)).toMatchObject({ ok: false, kind: 'busy', status: 429 });
    expect(await runner.run('ben', 'SELECT 1', 10)).toMatchObject({ ok: true });
    lake.release();
    expect(await first).toMatchObject({ ok: true });
    expect(await runner.run('ana', 'SELECT 1', 10)).toMatchObject({ ok: true });
  });

  it('makes at most two CSV files at once in the process', async () => {
    const lake = new HeldLake();
    const runner = new SqlRunner(lake);
    const csv = SQL_LIMITS.csvRows;
    const running = [runner.run('ana', 'held', csv), runner.run('ben', 'held', csv)];
    expect(await runner.run('cem', 'SELECT 1', csv)).toMatchObject({
      kind: 'busy',
      message: 'Other CSV files are being made right now: try again in a few seconds.',
    });
    expect(await runner.run('cem', 'SELECT 1', SQL_LIMITS.shownRows)).toMatchObject({ ok: true });
    lake.release();
    await Promise.all(running);
    expect(await runner.run('cem', 'SELECT 1', csv)).toMatchObject({ ok: true });
  });

  it('refuses SQL longer than 100,000 characters without running it', async () => {
    const lake = new HeldLake();
    const outcome = await new SqlRunner(lake).run('ana', 'x'.repeat(100_001), 10);
    expect(outcome).toMatchObject({ ok: false, kind: 'refused', status: 400 });
    expect(lake.calls).toEqual([]);
  });
});
