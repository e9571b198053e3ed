// The synthesized stack: what each resource promises (encryption, prefixes, retries, least privilege, catalog,
// alarms) and that cdk-nag's AwsSolutions pack finds nothing unacknowledged. Synthesized once, bundling included.
import { RemovalPolicy } from 'aws-cdk-lib';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CACHE,
  CHECKS_PENDING,
  INBOX,
  PROCESSED,
  REJECTED,
  TABLES,
  TO_PROCESS,
  TRANSFORMED,
} from '#functions/core/lake.js';
import { ConfigError } from '#functions/errors.js';
import { ESM_REQUIRE_BANNER } from '#infra/constructs/etl-function.js';
import { glueColumns } from '#infra/glue-columns.js';
import { DATABASE_NAME, RAW_TABLE } from '#infra/constructs/lake-catalog.js';
import { TABLE_SCHEMAS } from '#functions/core/schemas.js';
import { namedQueryFiles, WORKGROUP_NAME } from '#infra/constructs/query-workgroup.js';
import { DEFAULT_SETTINGS, settingsFromContext } from '#infra/settings.js';
import { cdkJson, synthesize, type Synthesized } from './stack-fixture.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = synthesize();
  template = synth.template;
});

const only = (type: string, props: Record<string, unknown> = {}): [string, Resource] => {
  const found = Object.entries(template.findResources(type, { Properties: props })) as [string, Resource][];
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
};

/** The bucket logical id of the data lake (the one with server access logging). */
const dataBucketId = (): string => only('AWS::S3::Bucket', { LoggingConfiguration: Match.objectLike({}) })[0];

const objectsArn = (prefix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [dataBucketId(), 'Arn'] }, `/${prefix}*`]],
});

const functionNamed = (description: string): [string, Resource] =>
  only('AWS::Lambda::Function', { Description: description });

/** Every statement of the inline/default policies attached to a role. */
function statementsOf(roleLogicalId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r).includes(roleLogicalId)))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Order-free comparison: minimizePolicies merges and sorts statements and resources. */
const sorted = (xs: readonly unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

const roleOf = (fn: Resource): string =>
  ((fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'] ?? [])[0];

describe('data bucket', () => {
  it('is SSE-S3 encrypted, blocks all public access, refuses plain HTTP and is retained', () => {
    const [id, bucket] = only('AWS::S3::Bucket', { LoggingConfiguration: Match.objectLike({}) });
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('logs access to a separate bucket that is itself encrypted, private and TLS-only', () => {
    const [, bucket] = only('AWS::S3::Bucket', { LoggingConfiguration: Match.objectLike({}) });
    const logBucketId = (bucket.Properties.LoggingConfiguration as { DestinationBucketName: { Ref: string } })
      .DestinationBucketName.Ref;
    expect(logBucketId).not.toBe(dataBucketId());
    const logBucket = template.toJSON().Resources[logBucketId] as Resource;
    expect(logBucket.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('moves processed raw objects to IA then Glacier IR, expires Athena results, keeps rejected lines', () => {
    const [, bucket] = only('AWS::S3::Bucket', { LoggingConfiguration: Match.objectLike({}) });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Prefix: PROCESSED,
        Status: 'Enabled',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
        ],
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: 'athena-results/', ExpirationInDays: 30 }),
    );
    // Nothing expires rejected lines or the tables (a rule without a prefix would apply to them).
    const expiring = rules.filter((r) => 'ExpirationInDays' in r);
    expect(expiring.map((r) => r.Prefix)).toEqual(['athena-results/']);
    expect(rules.some((r) => String(r.Prefix ?? '').startsWith(REJECTED))).toBe(false);
  });

  it('is versioned, and expires noncurrent versions after 30 days and the delete markers left behind', () => {
    const [, bucket] = only('AWS::S3::Bucket', { LoggingConfiguration: Match.objectLike({}) });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    // No prefix: the rule covers transformed_data/, whose files the transformer deletes and rewrites.
    expect(rules).toContainEqual({
      Id: 'expire-noncurrent-versions',
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      ExpiredObjectDeleteMarker: true,
    });
    expect(rules.filter((r) => 'AbortIncompleteMultipartUpload' in r)).toEqual([
      {
        Id: 'abort-incomplete-uploads',
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
  });

  it('can be destroyed with the stack when retainData is false', () => {
    const { template: t } = synthesize({ dataRemovalPolicy: RemovalPolicy.DESTROY }, { bundle: false });
    const buckets = Object.values(t.findResources('AWS::S3::Bucket')) as Resource[];
    expect(buckets.map((b) => b.DeletionPolicy)).toEqual(['Delete', 'Delete']);
  });
});

describe('Firehose delivery stream', () => {
  it('delivers Direct PUT records to raw_data/to_process/ with 60 s / 5 MiB buffering and an error prefix', () => {
    const [, stream] = only('AWS::KinesisFirehose::DeliveryStream');
    expect(stream.Properties).toMatchObject({
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: {
        Prefix: TO_PROCESS,
        ErrorOutputPrefix:
          'top_200_global/raw_data/firehose_errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
        CloudWatchLoggingOptions: { Enabled: true },
      },
    });
    const destination = stream.Properties.ExtendedS3DestinationConfiguration as Record<string, unknown>;
    expect(destination.CompressionFormat ?? 'UNCOMPRESSED').toBe('UNCOMPRESSED');
  });

  it('gzips when rawGzip is set', () => {
    const { template: t } = synthesize({ rawGzip: true }, { bundle: false });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({ CompressionFormat: 'GZIP', Prefix: TO_PROCESS }),
    });
  });

  it("may write only under its two prefixes (its role is not the L2's bucket-wide grant)", () => {
    const [, stream] = only('AWS::KinesisFirehose::DeliveryStream');
    const roleId = (
      (stream.Properties.ExtendedS3DestinationConfiguration as { RoleARN: { 'Fn::GetAtt': string[] } })
        .RoleARN['Fn::GetAtt'] as string[]
    )[0]!;
    const role = template.toJSON().Resources[roleId] as Resource;
    const inline = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    const put = inline.find((s) => ([] as string[]).concat(s.Action).includes('s3:PutObject'));
    expect(sorted([put?.Resource].flat())).toEqual(
      sorted([objectsArn(TO_PROCESS), objectsArn('top_200_global/raw_data/firehose_errors/')]),
    );
    expect(statementsOf(roleId)).toEqual([]); // nothing added behind our back
  });
});

describe('Lambda functions', () => {
  it.each([
    ['spotify-etl extractor', 512, 300],
    ['spotify-etl transformer', 1024, 300],
    ['spotify-etl checker', 256, 600],
  ])(
    '%s: Node.js 22 on arm64, one at a time, ESM bundle with source maps',
    (description, memory, timeout) => {
      const [, fn] = functionNamed(description);
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        ReservedConcurrentExecutions: 1,
        Handler: 'index.handler',
        MemorySize: memory,
        Timeout: timeout,
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    },
  );

  it('gives the extractor its bucket, stream, chart source and secret', () => {
    const [, fn] = functionNamed('spotify-etl extractor');
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).sort()).toEqual([
      'CHART_SOURCE',
      'DATA_BUCKET',
      'DELIVERY_STREAM_NAME',
      'NODE_OPTIONS',
      'SPOTIFY_SECRET_ARN',
    ]);
    expect(env.CHART_SOURCE).toBe('charts-csv');
    expect(env.DATA_BUCKET).toEqual({ Ref: dataBucketId() });
    expect(env.SPOTIFY_SECRET_ARN).toEqual({ Ref: only('AWS::SecretsManager::Secret')[0] });
  });

  it('retries failed async invocations twice, then parks them in an encrypted, TLS-only queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as Resource[];
    expect(configs).toHaveLength(3);
    for (const config of configs) {
      expect(config.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
      });
    }
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as Resource[];
    expect(queues.map((q) => q.Properties.SqsManagedSseEnabled)).toEqual([true, true, true]);
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      3,
    );
  });

  it('bundles each handler with its dependencies (AWS SDK included) into an ESM file that loads in Node', () => {
    for (const [description, marker] of [
      ['spotify-etl extractor', 'PutRecordBatch'],
      ['spotify-etl transformer', 'transform finished'],
      ['spotify-etl checker', 'checks finished'],
    ] as const) {
      const key = (functionNamed(description)[1].Properties.Code as { S3Key: string }).S3Key;
      const dir = join(synth.app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toContain(marker);
      expect(code).not.toMatch(/from\s*"@aws-sdk\//); // bundled, not left to the runtime's copy
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      // Module scope runs (configuration, clients) without AWS: it must not throw on CJS-in-ESM or JSON imports.
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log(typeof m.handler);`,
        ],
        {
          env: {
            PATH: process.env.PATH,
            DATA_BUCKET: 'b',
            DELIVERY_STREAM_NAME: 's',
            ATHENA_WORKGROUP: 'w',
            GLUE_DATABASE: 'd',
            AWS_REGION: 'eu-west-1',
          },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      expect(out.trim()).toBe('function');
    }
  });
});

describe('function logs', () => {
  const lambdas = () =>
    Object.entries(template.findResources('AWS::Lambda::Function')) as [string, Resource][];

  /** Policy statements of a role: its attached policies and its inline ones. */
  const allStatementsOf = (roleId: string): Statement[] => {
    const role = template.toJSON().Resources[roleId] as Resource;
    const inline = (
      (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    return [...statementsOf(roleId), ...inline];
  };

  it('gives no role AWSLambdaBasicExecutionRole (logs:CreateLogGroup, CreateLogStream, PutLogEvents on *)', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')) as [string, Resource][];
    expect(roles.length).toBeGreaterThan(4);
    const withBasicRole = roles.filter(([, r]) =>
      JSON.stringify(r.Properties.ManagedPolicyArns ?? []).includes('AWSLambdaBasicExecutionRole'),
    );
    expect(withBasicRole.map(([id]) => id)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('logs:CreateLogGroup');
  });

  it('sends each function, the bucket-notifications handler included, to a log group of its own with a retention', () => {
    const fns = lambdas();
    expect(fns).toHaveLength(4);
    const groups = fns.map(
      ([, fn]) => (fn.Properties.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref,
    );
    expect(new Set(groups).size).toBe(fns.length);
    for (const group of groups) {
      const logGroup = template.toJSON().Resources[String(group)] as Resource | undefined;
      expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup?.Properties.RetentionInDays).toBe(90);
    }
  });

  it("lets each function's role create streams and put events in its own log group only", () => {
    for (const [fnId, fn] of lambdas()) {
      const group = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logStatements = allStatementsOf(roleOf(fn)).filter((s) =>
        ([] as string[]).concat(s.Action).some((a) => a.startsWith('logs:')),
      );
      expect([fnId, logStatements]).toEqual([
        fnId,
        [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: [
              { 'Fn::GetAtt': [group, 'Arn'] },
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':logs:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':log-group:',
                    { Ref: group },
                    ':log-stream:*',
                  ],
                ],
              },
            ],
          },
        ],
      ]);
      // No statement of the role, logs or not, names another function's log group.
      const others = lambdas()
        .map(([, f]) => (f.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref)
        .filter((g) => g !== group);
      const text = JSON.stringify(allStatementsOf(roleOf(fn)));
      for (const other of others) expect(text).not.toContain(other);
    }
  });
});

describe('schedule', () => {
  it('invokes the extractor daily at 16:00 UTC with 2 retries within an hour and a dead-letter queue', () => {
    const [, fn] = functionNamed('spotify-etl extractor');
    const [, schedule] = only('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [functionNamed('spotify-etl extractor')[0], 'Arn'] } }),
    });
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 16 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: {
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ExtractorHandlerDeadLetterQueue/), 'Arn'] },
        },
      },
    });
    const target = schedule.Properties.Target as { Arn: unknown; Input: string };
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [functionNamed('spotify-etl extractor')[0], 'Arn'] });
    expect(JSON.parse(target.Input)).toMatchObject({ time: '<aws.scheduler.scheduled-time>' });
    expect(fn).toBeDefined();
  });

  it('takes another expression from the context', () => {
    const { template: t } = synthesize({ scheduleExpression: 'cron(30 6 * * ? *)' }, { bundle: false });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 6 * * ? *)' });
  });

  it('has three schedules: the extractor’s, the checker’s an hour later, and the checker’s hourly one', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as Resource[];
    expect(schedules.map((s) => s.Properties.ScheduleExpression).sort()).toEqual([
      'cron(0 16 * * ? *)',
      'cron(0 17 * * ? *)',
      'rate(1 hour)',
    ]);
  });
});

describe('S3 notification', () => {
  it('announces ObjectCreated under raw_data/to_process/ only (prefix, no suffix) to the transformer', () => {
    const [, notifications] = only('Custom::S3BucketNotifications');
    const config = notifications.Properties.NotificationConfiguration as {
      LambdaFunctionConfigurations: { Events: string[]; Filter: unknown; LambdaFunctionArn: unknown }[];
    };
    expect(config.LambdaFunctionConfigurations).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: TO_PROCESS }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [functionNamed('spotify-etl transformer')[0], 'Arn'] },
      },
    ]);
  });
});

describe('inbox on arrival (context inboxOnArrival=true)', () => {
  it('also invokes the extractor for Spotify-named CSVs in the inbox, never for its own moves to inbox/done/', () => {
    const { template: t } = synthesize({ inboxOnArrival: true }, { bundle: false });
    const notifications = Object.values(t.findResources('Custom::S3BucketNotifications'))[0] as
      Resource | undefined;
    const configs = (
      notifications?.Properties.NotificationConfiguration as {
        LambdaFunctionConfigurations: {
          Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
        }[];
      }
    ).LambdaFunctionConfigurations.map((c) =>
      c.Filter.Key.FilterRules.map((r) => `${r.Name}=${r.Value}`)
        .sort()
        .join(' '),
    );
    expect(configs.sort()).toEqual([
      'prefix=top_200_global/inbox/regional- suffix=.csv',
      'prefix=top_200_global/inbox/spotifycharts-regional- suffix=.csv',
      `prefix=${TO_PROCESS}`,
    ]);
    expect(configs.some((c) => c.includes('inbox/done/'))).toBe(false);
  });
});

describe('inbox continuation', () => {
  it('names the extractor so that it may invoke itself, and nothing else', () => {
    const [, fn] = functionNamed('spotify-etl extractor');
    expect(fn.Properties.FunctionName).toBe('SpotifyEtl-extractor');
    const invokes = statementsOf(roleOf(fn)).filter((st) =>
      ([] as string[]).concat(st.Action).some((a) => a.startsWith('lambda:')),
    );
    expect(invokes).toHaveLength(1);
    expect(invokes[0]?.Action).toBe('lambda:InvokeFunction');
    expect(JSON.stringify(invokes[0]?.Resource)).toContain(':function:SpotifyEtl-extractor"');
    const [, transformer] = functionNamed('spotify-etl transformer');
    expect(transformer.Properties.FunctionName).toBeUndefined();
  });
});

describe('IAM: least privilege by prefix', () => {
  const s3Statements = (description: string) =>
    statementsOf(roleOf(functionNamed(description)[1])).filter((s) =>
      ([] as string[]).concat(s.Action).some((a) => a.startsWith('s3:')),
    );
  const resourcesFor = (statements: Statement[], action: string) =>
    sorted(
      statements
        .filter((s) => ([] as string[]).concat(s.Action).includes(action))
        .flatMap((s) => ([] as unknown[]).concat(s.Resource)),
    );

  it('lets the extractor use inbox/ and cache/, write rejected/extract/, and list only those', () => {
    const statements = s3Statements('spotify-etl extractor');
    expect(resourcesFor(statements, 's3:GetObject')).toEqual(sorted([objectsArn(CACHE), objectsArn(INBOX)]));
    expect(resourcesFor(statements, 's3:DeleteObject')).toEqual(
      sorted([objectsArn(CACHE), objectsArn(INBOX)]),
    );
    expect(resourcesFor(statements, 's3:PutObject')).toEqual(
      sorted([objectsArn(CACHE), objectsArn(INBOX), objectsArn(`${REJECTED}extract/`)]),
    );
    expect(statements.find((s) => s.Action === 's3:ListBucket')?.Condition).toEqual({
      StringLike: { 's3:prefix': [`${INBOX}*`, `${CACHE}*`] },
    });
    expect(JSON.stringify(statements)).not.toContain(TRANSFORMED);
  });

  it('lets the transformer read to_process/, write processed/ rejected/ transformed_data/ and check markers, never the inbox', () => {
    const statements = s3Statements('spotify-etl transformer');
    expect(resourcesFor(statements, 's3:GetObject')).toEqual(
      sorted([objectsArn(TO_PROCESS), objectsArn(TRANSFORMED)]),
    );
    expect(resourcesFor(statements, 's3:DeleteObject')).toEqual(
      sorted([objectsArn(TO_PROCESS), objectsArn(TRANSFORMED)]),
    );
    expect(resourcesFor(statements, 's3:PutObject')).toEqual(
      sorted([
        objectsArn(PROCESSED),
        objectsArn(REJECTED),
        objectsArn(TRANSFORMED),
        objectsArn(CHECKS_PENDING),
      ]),
    );
    expect(statements.find((s) => s.Action === 's3:ListBucket')?.Condition).toEqual({
      StringLike: { 's3:prefix': [`${TO_PROCESS}*`, `${PROCESSED}*`, `${TRANSFORMED}*`] },
    });
    expect(JSON.stringify(statements)).not.toContain(INBOX);
    expect(JSON.stringify(statements)).not.toContain(CACHE);
  });

  it('gives only the extractor the secret and the stream, and only PutRecordBatch', () => {
    const extractor = statementsOf(roleOf(functionNamed('spotify-etl extractor')[1]));
    const transformer = statementsOf(roleOf(functionNamed('spotify-etl transformer')[1]));
    expect(extractor.filter((s) => JSON.stringify(s.Action).includes('firehose:'))).toEqual([
      expect.objectContaining({ Action: 'firehose:PutRecordBatch' }),
    ]);
    expect(JSON.stringify(extractor)).toContain('secretsmanager:GetSecretValue');
    expect(JSON.stringify(transformer)).not.toMatch(/secretsmanager|firehose/);
  });
});

describe('Glue catalog', () => {
  const tableInput = (name: string) =>
    (only('AWS::Glue::Table', { TableInput: Match.objectLike({ Name: name }) })[1].Properties.TableInput ??
      {}) as {
      Parameters: Record<string, unknown>;
      PartitionKeys?: { Name: string; Type: string }[];
      StorageDescriptor: {
        Columns: { Name: string; Type: string; Comment?: string }[];
        Location: unknown;
        SerdeInfo: { SerializationLibrary: string; Parameters?: Record<string, string> };
        InputFormat: string;
        OutputFormat: string;
      };
    };

  it('has the spotify_etl database and no crawler', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: DATABASE_NAME } });
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it.each(TABLES)('%s: columns generated from its schema, column by column and type by type', (table) => {
    const columns = tableInput(table).StorageDescriptor.Columns;
    expect(columns.map((c) => [c.Name, c.Type])).toEqual(
      glueColumns(TABLE_SCHEMAS[table]).map((c) => [c.name, c.type]),
    );
    expect(columns.map((c) => c.Comment)).toEqual(glueColumns(TABLE_SCHEMAS[table]).map((c) => c.comment));
  });

  it.each(TABLES)('%s: OpenX JSON over text files, partitioned by a projected snapshot_date', (table) => {
    const input = tableInput(table);
    const location = `/top_200_global/transformed_data/${table}/`;
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
      Location: { 'Fn::Join': ['', ['s3://', { Ref: dataBucketId() }, location]] },
    });
    expect(input.PartitionKeys).toEqual([expect.objectContaining({ Name: 'snapshot_date', Type: 'date' })]);
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.snapshot_date.type': 'date',
      'projection.snapshot_date.format': 'yyyy-MM-dd',
      'projection.snapshot_date.range': '2017-01-01,NOW',
      'projection.snapshot_date.interval': '1',
      'projection.snapshot_date.interval.unit': 'DAYS',
      'storage.location.template': {
        'Fn::Join': ['', ['s3://', { Ref: dataBucketId() }, `${location}snapshot_date=\${snapshot_date}/`]],
      },
    });
  });

  it('has a raw_track_records table over processed/ that skips malformed lines', () => {
    const input = tableInput(RAW_TABLE);
    expect(input.PartitionKeys ?? []).toEqual([]);
    expect(input.StorageDescriptor.Location).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: dataBucketId() }, `/${PROCESSED}`]],
    });
    expect(input.StorageDescriptor.SerdeInfo.Parameters).toEqual({ 'ignore.malformed.json': 'true' });
    expect(input.StorageDescriptor.Columns.find((c) => c.Name === 'track')?.Type).toBe('string');
  });
});

describe('Athena', () => {
  it('enforces engine v3, encrypted results under athena-results/ and a 1 GiB scan cap', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: WORKGROUP_NAME,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1073741824,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: dataBucketId() }, '/athena-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  it('saves each infra/queries/*.sql file unchanged as a named query in the workgroup', () => {
    const files = namedQueryFiles();
    expect(files.map((f) => f.name)).toEqual([
      'artist-daily-streams',
      'artist-share-of-streams',
      'longest-charting-songs',
      'new-entries-of-a-day',
      'song-rank-history',
      'top-10-of-a-day',
      'top-movers-of-a-day',
    ]);
    const saved = Object.values(template.findResources('AWS::Athena::NamedQuery')) as Resource[];
    expect(saved.map((q) => [q.Properties.Name, q.Properties.QueryString]).sort()).toEqual(
      files.map((f) => [f.name, f.sql]),
    );
    for (const q of saved) {
      expect(q.Properties).toMatchObject({
        Database: { Ref: only('AWS::Glue::Database', { DatabaseInput: { Name: DATABASE_NAME } })[0] },
        WorkGroup: { Ref: only('AWS::Athena::WorkGroup')[0] },
      });
      expect(String(q.Properties.Description).length).toBeGreaterThan(10);
    }
  });
});

describe('monitoring', () => {
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
  const alarmOn = (metric: string) => alarms().filter((a) => a.Properties.MetricName === metric);

  it('names every alarm in words a person reads in the console: the stack, then what went wrong', () => {
    const names = alarms().map((a) => String(a.Properties.AlarmName));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(name).toMatch(/^SpotifyEtl: [a-zA-Z][a-zA-Z0-9 -]+$/);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['SpotifyEtl: extractor threw', 'SpotifyEtl: no chart delivered in 26 hours']),
    );
  });

  it('alarms on a raw object quarantined (unreadable), as soon as one is', () => {
    expect(alarmOn('QuarantinedObjects')).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          Namespace: 'SpotifyEtl',
          Dimensions: [{ Name: 'Function', Value: 'transform' }],
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      }),
    ]);
  });

  it('alarms on function errors, dead letters, rejected lines and failed Firehose deliveries', () => {
    expect(alarmOn('Errors')).toHaveLength(3);
    expect(alarmOn('ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    for (const a of [...alarmOn('Errors'), ...alarmOn('ApproximateNumberOfMessagesVisible')]) {
      expect(a.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    // RejectedLines is what the transformer handler emits in Embedded Metric Format.
    expect(alarmOn('RejectedLines')).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          Namespace: 'SpotifyEtl',
          Dimensions: [{ Name: 'Function', Value: 'transform' }],
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      }),
    ]);
    expect(alarmOn('DeliveryToS3.Success')[0]?.Properties).toMatchObject({
      Namespace: 'AWS/Firehose',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  it('alarms when the extractor delivered no chart entry for 26 hours, treating silence as a breach', () => {
    expect(alarmOn('EntriesDelivered')[0]?.Properties).toMatchObject({
      Namespace: 'SpotifyEtl',
      Dimensions: [{ Name: 'Function', Value: 'extract' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('watches metrics the handlers really emit (name and Function dimension in their emitMetrics calls)', () => {
    for (const [handler, fn, metric] of [
      ['functions/transform/handler.ts', 'transform', 'RejectedLines'],
      ['functions/extract/handler.ts', 'extract', 'EntriesDelivered'],
    ] as const) {
      const source = readFileSync(new URL(`../../${handler}`, import.meta.url), 'utf8');
      expect(source).toContain(`emitMetrics('${fn}', {`);
      expect(source).toMatch(new RegExp(`\\b${metric}:`));
      expect(alarmOn(metric)[0]?.Properties.Dimensions).toEqual([{ Name: 'Function', Value: fn }]);
    }
    // The checker's metrics come from checkMetrics (test/unit/check-metrics.test.ts proves its names).
    const checker = readFileSync(new URL('../../functions/check/handler.ts', import.meta.url), 'utf8');
    expect(checker).toMatch(/emitMetrics\('check', metrics\)/);
    expect(checker).toMatch(/const metrics = checkMetrics\(report\)/);
    expect(alarmOn('FailedChecks')[0]?.Properties.Dimensions).toEqual([{ Name: 'Function', Value: 'check' }]);
  });

  it('sends every alarm (and its recovery) to one KMS-encrypted topic, on a dashboard', () => {
    const [topicId, topic] = only('AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    expect(alarms()).toHaveLength(11);
    for (const a of alarms()) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('subscribes the alarm e-mail from the context', () => {
    const { template: t } = synthesize({ alarmEmail: 'ops@example.com' }, { bundle: false });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('cdk-nag', () => {
  it('finds no AwsSolutions violation that is not acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources[0]?.constructPath}`)).toEqual(
      [],
    );
    expect(report.success).toBe(true);
  });

  it('would flag a bucket-wide grant (the check is live, not switched off)', () => {
    const { stack } = synthesize({}, { bundle: false });
    stack.lake.bucket.grantReadWrite(stack.transformer.fn);
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toContainEqual(
      expect.stringMatching(/^AwsSolutions-IAM5\[Action::s3:GetObject\*\]$/),
    );
  });
});

describe('settings', () => {
  it('uses cdk.json’s context values, which are the defaults', () => {
    expect(settingsFromContext((k) => cdkJson.context[k])).toEqual(DEFAULT_SETTINGS);
    expect(settingsFromContext(() => undefined)).toEqual(DEFAULT_SETTINGS);
  });

  it('accepts -c strings for flags and rejects what it cannot use', () => {
    const ctx = (values: Record<string, unknown>) => (k: string) => values[k];
    expect(settingsFromContext(ctx({ rawGzip: 'true', retainData: 'false' }))).toMatchObject({
      rawGzip: true,
      dataRemovalPolicy: RemovalPolicy.DESTROY,
    });
    expect(() => settingsFromContext(ctx({ rawGzip: 'yes please' }))).toThrow(ConfigError);
    const error = (() => {
      try {
        settingsFromContext(ctx({ scheduleExpression: '0 16 * * *' }));
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.message).toBe('Context scheduleExpression="0 16 * * *" is not valid.');
    expect(error?.hint).toContain('cron(0 16 * * ? *)');
    expect(() => settingsFromContext(ctx({ alarmEmail: 'not-an-address' }))).toThrow(/not an e-mail/);
  });

  it('fails the synth on a chart source the Lambda cannot run', () => {
    expect(() => synthesize({ chartSource: 'demo' }, { bundle: false })).toThrow('cannot run on AWS');
    expect(() => synthesize({ chartSource: 'spotify' }, { bundle: false })).toThrow(/CHART_SOURCE="spotify"/);
    const { template: t } = synthesize({ chartSource: 'playlist:37i9dQZEVXbMDoHDwVN2tF' }, { bundle: false });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHART_SOURCE: 'playlist:37i9dQZEVXbMDoHDwVN2tF' }) },
    });
  });
});
