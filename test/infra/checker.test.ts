// The checker in the synthesized stack: its schedule an hour after the extractor, a role that can query the lake
// through Athena and nothing more, and the FailedChecks alarm that also fires when the checker goes quiet.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import {
  CACHE,
  CHECKS_PENDING,
  KNOWN_GAPS,
  INBOX,
  PROCESSED,
  REJECTED,
  TO_PROCESS,
  TRANSFORMED,
} from '#functions/core/lake.js';
import { ConfigError } from '#functions/errors.js';
import { ATHENA_RESULTS } from '#infra/constructs/data-lake.js';
import { checkScheduleFor, DEFAULT_SETTINGS, settingsFromContext } from '#infra/settings.js';
import { synthesize } from './stack-fixture.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

let template: Template;

beforeAll(() => {
  template = synthesize({}, { bundle: false }).template;
});

const resources = (type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];

const checkerFunction = (): [string, Resource] => {
  const found = resources('AWS::Lambda::Function').filter(
    ([, r]) => r.Properties.Description === 'spotify-etl checker',
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};

const logicalId = (type: string, prefix: string): string => {
  const found = resources(type).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0]![0];
};

/** Every statement of the policies attached to the checker function's role. */
function checkerStatements(): Statement[] {
  const roleId = (checkerFunction()[1].Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (s: Statement): string[] => ([] as string[]).concat(s.Action);

const objectsArn = (prefix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId('AWS::S3::Bucket', 'DataLakeData'), 'Arn'] }, `/${prefix}*`]],
});

const sorted = (xs: readonly unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

describe('checker function', () => {
  it('runs functions/check/handler.ts on Node.js 22, arm64, with the workgroup and database it queries', () => {
    const [, fn] = checkerFunction();
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      Timeout: 600,
    });
    expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({
      DATA_BUCKET: { Ref: logicalId('AWS::S3::Bucket', 'DataLakeData') },
      ATHENA_WORKGROUP: { Ref: logicalId('AWS::Athena::WorkGroup', 'Queries') },
      GLUE_DATABASE: { Ref: logicalId('AWS::Glue::Database', 'Catalog') },
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  const checkerSchedules = () => {
    const [fnId] = checkerFunction();
    return resources('AWS::Scheduler::Schedule').filter(
      ([, s]) =>
        JSON.stringify((s.Properties.Target as { Arn: unknown }).Arn) ===
        JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }),
    );
  };
  const inputOf = (schedule: Resource) =>
    JSON.parse((schedule.Properties.Target as { Input: string }).Input) as Record<string, unknown>;

  it('is invoked hourly for the chart dates waiting for a check (a backfill’s history among them)', () => {
    const hourly = checkerSchedules().filter(([, s]) => s.Properties.ScheduleExpression === 'rate(1 hour)');
    expect(hourly).toHaveLength(1);
    expect(inputOf(hourly[0]![1])).toMatchObject({
      checks: 'pending',
      time: '<aws.scheduler.scheduled-time>',
    });
  });

  it('is invoked daily at 17:00 UTC, an hour after the extractor, with the scheduled time as input', () => {
    const schedules = checkerSchedules().filter(
      ([, s]) => s.Properties.ScheduleExpression !== 'rate(1 hour)',
    );
    expect(schedules).toHaveLength(1);
    const [, schedule] = schedules[0]!;
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 17 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^CheckerHandlerDeadLetterQueue/), 'Arn'] },
        },
      },
    });
    expect(inputOf(schedule)).toMatchObject({ time: '<aws.scheduler.scheduled-time>' });
    expect(inputOf(schedule).checks).toBeUndefined();
  });
});

describe('checker IAM: Athena over the lake tables, nothing else', () => {
  it('may use only StartQueryExecution, GetQueryExecution and GetQueryResults, on the spotify-etl workgroup', () => {
    const athena = checkerStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('athena:')));
    expect(athena).toHaveLength(1);
    expect(actionsOf(athena[0]!).sort()).toEqual([
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StartQueryExecution',
    ]);
    expect(JSON.stringify(athena[0]!.Resource)).toContain(':workgroup/');
    expect(JSON.stringify(athena[0]!.Resource)).toContain(logicalId('AWS::Athena::WorkGroup', 'Queries'));
  });

  it('may read the catalog entries of the database and the three lake tables only (not the raw table)', () => {
    const glue = checkerStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('glue:')));
    expect(glue).toHaveLength(1);
    expect(actionsOf(glue[0]!).sort()).toEqual([
      'glue:GetDatabase',
      'glue:GetPartitions',
      'glue:GetTable',
      'glue:GetTables',
    ]);
    const targets = ([] as unknown[]).concat(glue[0]!.Resource).map((r) => JSON.stringify(r));
    expect(targets).toHaveLength(5);
    expect(targets.filter((t) => t.includes(':catalog"'))).toHaveLength(1);
    expect(targets.filter((t) => t.includes(':database/'))).toHaveLength(1);
    for (const table of ['album', 'artist', 'song']) {
      expect(
        targets.filter((t) => t.includes(':table/') && t.includes(`Catalog${table}dataTable`)),
      ).toHaveLength(1);
    }
    expect(targets.join()).not.toMatch(/rawtrackrecords|\*/i);
  });

  it('reads transformed_data/, the Athena results and the known gaps, writes only the results, deletes only the check markers', () => {
    const s3 = checkerStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const resourcesFor = (action: string) =>
      sorted(
        s3.filter((s) => actionsOf(s).includes(action)).flatMap((s) => ([] as unknown[]).concat(s.Resource)),
      );
    expect(resourcesFor('s3:GetObject')).toEqual(
      sorted([objectsArn(TRANSFORMED), objectsArn(ATHENA_RESULTS), objectsArn(KNOWN_GAPS)]),
    );
    expect(resourcesFor('s3:PutObject')).toEqual(sorted([objectsArn(ATHENA_RESULTS)]));
    expect(resourcesFor('s3:DeleteObject')).toEqual(sorted([objectsArn(CHECKS_PENDING)]));
    expect(s3.find((s) => s.Action === 's3:ListBucket')?.Condition).toEqual({
      StringLike: {
        's3:prefix': [`${TRANSFORMED}*`, `${ATHENA_RESULTS}*`, `${CHECKS_PENDING}*`, `${KNOWN_GAPS}*`],
      },
    });
    expect(sorted(s3.flatMap(actionsOf))).toEqual(
      sorted(['s3:DeleteObject', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:PutObject']),
    );
    const text = JSON.stringify(s3);
    for (const prefix of [INBOX, CACHE, TO_PROCESS, PROCESSED, REJECTED]) expect(text).not.toContain(prefix);
  });

  it('has no other permission than Athena, Glue, S3, its own dead-letter queue and its own log group', () => {
    const services = new Set(
      checkerStatements()
        .flatMap(actionsOf)
        .map((a) => a.split(':')[0]),
    );
    expect([...services].sort()).toEqual(['athena', 'glue', 'logs', 's3', 'sqs']);
  });
});

describe('FailedChecks alarm', () => {
  it('fires when a check failed (previous_rank aside) or when the checker reported nothing for 26 hours', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'FailedChecks',
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({
      Namespace: 'SpotifyEtl',
      Dimensions: [{ Name: 'Function', Value: 'check' }],
      Statistic: 'Maximum',
      Period: 26 * 3600,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: logicalId('AWS::SNS::Topic', 'Monitoring') }],
    });
  });

  it('does not alarm on PreviousRankMismatches, but graphs it beside FailedChecks on the dashboard', () => {
    expect(
      resources('AWS::CloudWatch::Alarm').filter(
        ([, a]) => a.Properties.MetricName === 'PreviousRankMismatches',
      ),
    ).toEqual([]);
    const body = JSON.stringify(resources('AWS::CloudWatch::Dashboard')[0]![1].Properties.DashboardBody);
    expect(body).toContain('Failed checks / previous_rank mismatches');
    expect(body).toMatch(/SpotifyEtl\\",\\"FailedChecks\\",\\"Function\\",\\"check/);
    expect(body).toMatch(/SpotifyEtl\\",\\"PreviousRankMismatches\\",\\"Function\\",\\"check/);
  });
});

describe('checkScheduleExpression', () => {
  it('is derived one hour after a daily cron extractor schedule, wrapping midnight', () => {
    expect(checkScheduleFor(DEFAULT_SETTINGS)).toBe('cron(0 17 * * ? *)');
    expect(checkScheduleFor({ ...DEFAULT_SETTINGS, scheduleExpression: 'cron(30 6 * * ? *)' })).toBe(
      'cron(30 7 * * ? *)',
    );
    expect(checkScheduleFor({ ...DEFAULT_SETTINGS, scheduleExpression: 'cron(15 23 * * ? *)' })).toBe(
      'cron(15 0 * * ? *)',
    );
  });

  it('is taken as given when set, and must be set when the extractor schedule is not a daily cron', () => {
    expect(
      checkScheduleFor({
        ...DEFAULT_SETTINGS,
        scheduleExpression: 'rate(1 day)',
        checkScheduleExpression: 'cron(0 9 * * ? *)',
      }),
    ).toBe('cron(0 9 * * ? *)');
    expect(() => checkScheduleFor({ ...DEFAULT_SETTINGS, scheduleExpression: 'rate(1 day)' })).toThrow(
      ConfigError,
    );
    const error = (() => {
      try {
        checkScheduleFor({ ...DEFAULT_SETTINGS, scheduleExpression: 'cron(0 16 ? * MON-FRI *)' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.message).toBe(
      'checkScheduleExpression cannot be derived from scheduleExpression="cron(0 16 ? * MON-FRI *)".',
    );
    expect(error?.hint).toContain('-c checkScheduleExpression=');
  });

  it('is read from the context with the same validation as scheduleExpression', () => {
    const ctx = (values: Record<string, unknown>) => (k: string) => values[k];
    expect(settingsFromContext(ctx({ checkScheduleExpression: 'cron(0 18 * * ? *)' }))).toMatchObject({
      checkScheduleExpression: 'cron(0 18 * * ? *)',
    });
    expect(() => settingsFromContext(ctx({ checkScheduleExpression: '0 17 * * *' }))).toThrow(
      'Context checkScheduleExpression="0 17 * * *" is not valid.',
    );
  });

  it('moves the checker schedule with the extractor’s, or to the expression given', () => {
    const expressions = (t: Template) =>
      Object.values(t.findResources('AWS::Scheduler::Schedule'))
        .map((s) => (s as Resource).Properties.ScheduleExpression)
        .sort();
    expect(
      expressions(synthesize({ scheduleExpression: 'cron(30 6 * * ? *)' }, { bundle: false }).template),
    ).toEqual(['cron(30 6 * * ? *)', 'cron(30 7 * * ? *)', 'rate(1 hour)']);
    const given = synthesize({ checkScheduleExpression: 'cron(0 20 * * ? *)' }, { bundle: false }).template;
    given.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 20 * * ? *)',
      Target: Match.objectLike({ Arn: Match.anyValue() }),
    });
  });
});
