// AthenaSqlEngine against a mocked Athena client (no local Athena exists) and a fake clock; the shapes of the
// responses are Athena's: every value as VarCharValue text, NULL as a datum without one, a header row on page 1.
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { ColumnInfo, QueryExecutionState } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { AthenaSqlEngine, athenaValue } from '#functions/adapters/aws/athena-engine.js';
import { runChecks } from '#functions/core/checks/index.js';
import { EtlError } from '#functions/errors.js';
import type { Clock } from '#functions/ports.js';
import { athenaPage } from '../helpers/athena.js';
import { fakeClock } from '../helpers/paths.js';

const athena = mockClient(AthenaClient);
const client = new AthenaClient({ region: 'eu-west-1' });

const engine = (clock: Clock, options: { timeoutMs?: number } = {}) =>
  new AthenaSqlEngine(client, {
    workGroup: 'spotify-etl',
    database: 'spotify_etl',
    clock,
    pollMs: 100,
    maxPollMs: 800,
    ...options,
  });

/** GetQueryExecution answers these states in turn (the last one repeats). */
function states(...sequence: QueryExecutionState[]): void {
  let call = 0;
  athena.on(GetQueryExecutionCommand).callsFake(() => {
    const State = sequence[Math.min(call++, sequence.length - 1)];
    return { QueryExecution: { QueryExecutionId: 'q-1', Status: { State } } };
  });
}

const COLUMNS: ColumnInfo[] = [
  { Name: 'chart_id', Type: 'varchar' },
  { Name: 'snapshot_date', Type: 'date' },
  { Name: 'position', Type: 'integer' },
  { Name: 'n', Type: 'bigint' },
  { Name: 'share', Type: 'double' },
  { Name: 'explicit', Type: 'boolean' },
];

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
});

describe('AthenaSqlEngine', () => {
  it('starts the query in the workgroup and database, polls with doubling waits, reads both result pages', async () => {
    states('QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED');
    // The header row (chart_id, snapshot_date, …) comes on the first page only.
    const page1 = athenaPage(COLUMNS, [['global-daily', '2026-11-26', '1', '2', '0.25', 'true']], {
      nextToken: 'page-2',
    });
    const page2 = athenaPage(
      COLUMNS,
      [['global-daily', '2026-11-27', '200', '9007199254740993', '1e-3', 'false']],
      {
        header: false,
      },
    );
    athena.on(GetQueryResultsCommand).resolvesOnce(page1).resolvesOnce(page2);
    const clock = fakeClock();

    const { rows } = await engine(clock).query('SELECT 1');

    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryString: 'SELECT 1',
      WorkGroup: 'spotify-etl',
      QueryExecutionContext: { Database: 'spotify_etl' },
    });
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 800, 800]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: 1000 },
      { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 'page-2' },
    ]);
    expect(rows).toEqual([
      {
        chart_id: 'global-daily',
        snapshot_date: '2026-11-26',
        position: 1,
        n: 2,
        share: 0.25,
        explicit: true,
      },
      {
        chart_id: 'global-daily',
        snapshot_date: '2026-11-27',
        position: 200,
        n: 9007199254740993n, // past 2^53: exact as a bigint rather than rounded
        share: 0.001,
        explicit: false,
      },
    ]);
  });

  it('reads a datum without VarCharValue as NULL, whatever the column type', async () => {
    states('SUCCEEDED');
    athena.on(GetQueryResultsCommand).resolves(athenaPage(COLUMNS, [[null, null, null, null, null, null]]));
    const { rows } = await engine(fakeClock()).query('SELECT …');
    expect(rows).toEqual([
      { chart_id: null, snapshot_date: null, position: null, n: null, share: null, explicit: null },
    ]);
  });

  it('returns no rows for a result that has only its header', async () => {
    states('SUCCEEDED');
    athena.on(GetQueryResultsCommand).resolves(athenaPage([{ Name: 'latest', Type: 'date' }], []));
    expect((await engine(fakeClock()).query('SELECT …')).rows).toEqual([]);
  });

  it.each([
    ['varchar', '', ''],
    ['varchar', '42', '42'],
    ['date', '2026-11-27', '2026-11-27'],
    ['tinyint', '-3', -3],
    ['smallint', '7', 7],
    ['real', '1.5', 1.5],
    ['double', 'NaN', NaN],
    ['decimal', '0.10', '0.10'],
    ['array', '[a, b]', '[a, b]'],
    ['timestamp', '2026-11-27 16:00:00.000', '2026-11-27 16:00:00.000'],
  ])('converts %s text %j to %p', (type, text, value) => {
    expect(athenaValue(text, type)).toEqual(value);
  });

  it("throws an EtlError that leads with Athena's reason when the query FAILED", async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q-1',
        Status: {
          State: 'FAILED',
          StateChangeReason:
            'HIVE_BAD_DATA: Error parsing field value \'x\' for field 3: For input string: "x"',
        },
      },
    });
    const error = await engine(fakeClock())
      .query('SELECT …')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtlError);
    expect((error as EtlError).message).toBe(
      'HIVE_BAD_DATA: Error parsing field value \'x\' for field 3: For input string: "x" (Athena query q-1)',
    );
    expect((error as EtlError).hint).toContain('get-query-execution --query-execution-id q-1');
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('reports an unreadable day as a schema failure with the reason when it runs the checks', async () => {
    // Athena cannot read song_data on 2026-11-26: every schema scan of song_data whose range holds that day fails,
    // and the halving search of checks.ts narrows the failure down to the day, with Athena's reason.
    athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
      const scan =
        /^SELECT snapshot_date, chart_id, count\(\*\) AS row_count.* FROM song_data WHERE snapshot_date BETWEEN DATE '([\d-]+)' AND DATE '([\d-]+)'/s.exec(
          input.QueryString,
        );
      const bad = scan !== null && scan[1]! <= '2026-11-26' && '2026-11-26' <= scan[2]!;
      return { QueryExecutionId: bad ? 'bad' : 'good' };
    });
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: {
        Status:
          input.QueryExecutionId === 'bad'
            ? { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA: Error parsing field value' }
            : { State: 'SUCCEEDED' },
      },
    }));
    athena.on(GetQueryResultsCommand).resolves(athenaPage([], [], { header: false }));
    const report = await runChecks(engine(fakeClock()), {
      from: '2026-11-25',
      to: '2026-11-27',
      today: '2026-11-27',
    });
    const schema = report.checks.find((c) => c.name === 'schema');
    expect(schema?.ok).toBe(false);
    expect(schema?.details).toEqual([
      'song_data 2026-11-26: the engine cannot read it, so its rows were not checked: HIVE_BAD_DATA: Error parsing field value (Athena query bad)',
    ]);
  });

  it('throws on a CANCELLED query', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } },
    });
    await expect(engine(fakeClock()).query('SELECT …')).rejects.toThrow(
      'Athena query q-1 was cancelled: Query cancelled by user',
    );
  });

  it('gives up on a query still running after timeoutMs, without reading results', async () => {
    states('QUEUED', 'RUNNING');
    const clock = fakeClock();
    await expect(engine(clock, { timeoutMs: 3000 }).query('SELECT …')).rejects.toThrow(
      'Athena query q-1 did not finish within 3 s (last state RUNNING).',
    );
    // 100 + 200 + 400 + 800 + 800 + 800 = 3100 ms ≥ 3000 ms: six polls, then it stops.
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 800, 800]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(6);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });
});
