// The shape every Lambda of the stack shares: a bundled ESM NodejsFunction on arm64, its log group and a role that
// may write only there, an encrypted dead-letter queue for failed asynchronous invocations, and their alarms.
import { ArnFormat, type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#functions/adapters/aws/metrics.js';
import { fileURLToPath } from 'node:url';
import { alarmName } from './monitoring.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * ESM output still meets CommonJS dependencies that call `require` (the AWS SDK's and ajv's internals):
 * give the module a real `require`. The alias avoids clashing with a bundled `import { createRequire }`.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __etlCreateRequire } from 'module'; const require = __etlCreateRequire(import.meta.url);";

export const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // Bundle @aws-sdk/* too (the default leaves them out): the runtime's SDK can lag the version the tests ran with.
  externalModules: [],
};

/**
 * Lets a function's role write to that function's log group and no other. The stack creates the group, so no
 * logs:CreateLogGroup: AWSLambdaBasicExecutionRole would allow that and CreateLogStream/PutLogEvents on `*`.
 */
export function grantWriteToOwnLogGroup(role: iam.IRole, logGroup: logs.LogGroup): void {
  const stack = Stack.of(logGroup);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [
        logGroup.logGroupArn,
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: `${logGroup.logGroupName}:log-stream:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
  const logGroupId = stack.getLogicalId(logGroup.node.defaultChild as CfnElement);
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<${logGroupId}>:log-stream:*]`,
    reason:
      'Lambda names its log streams itself (date, version, instance id); the wildcard covers only the streams of this function’s own log group.',
  });
}

/** A metric a handler reports in Embedded Metric Format (namespace SpotifyEtl, dimension Function=<handler>). */
export function handlerMetric(
  handler: 'extract' | 'transform' | 'check',
  metricName: string,
  statistic: 'Sum' | 'Maximum',
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { Function: handler },
    statistic,
    period,
  });
}

export interface EtlFunctionProps {
  /** Handler file, relative to the repository root (exports `handler`). */
  readonly entry: string;
  /** A fixed name, only where the function must name itself (a policy on its own ARN would be circular). */
  readonly functionName?: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** One at a time: see the extractor and transformer for why. */
  readonly reservedConcurrentExecutions: number;
  /** Lambda's own retries of a failed asynchronous invocation (0–2), before the event goes to the DLQ. */
  readonly retryAttempts: number;
  readonly maxEventAge?: Duration;
}

export class EtlFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;
  readonly alarms: cloudwatch.Alarm[];
  readonly widgets: cloudwatch.IWidget[];

  // A construct's constructor is long by design: it reads top to bottom like the part of the diagram it builds.
  constructor(scope: Construct, id: string, props: EtlFunctionProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (of failed invocations); a DLQ of a DLQ adds nothing.',
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    // Our own role rather than the default one, which would carry AWSLambdaBasicExecutionRole.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grantWriteToOwnLogGroup(role, this.logGroup);

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${repoRoot}${props.entry}`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      description: props.description,
      ...(props.functionName ? { functionName: props.functionName } : {}),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      logGroup: this.logGroup,
      role,
      bundling: BUNDLING,
      retryAttempts: props.retryAttempts,
      ...(props.maxEventAge ? { maxEventAge: props.maxEventAge } : {}),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project is tested on (engines >=20); move to 24 with the test matrix.',
    });

    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const errors = this.fn.metricErrors(fiveMinutes);
    const dlqDepth = this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    });
    this.alarms = [
      new cloudwatch.Alarm(this, 'Errors', {
        alarmName: alarmName(this, `${props.description.replace(/^spotify-etl /, '')} threw`),
        alarmDescription: `${props.description}: the function threw. Its log group has the structured error.`,
        metric: errors,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'DeadLetters', {
        alarmName: alarmName(
          this,
          `${props.description.replace(/^spotify-etl /, '')} invocations dead-lettered`,
        ),
        alarmDescription: `${props.description}: an invocation failed after its retries and is parked in the dead-letter queue.`,
        metric: dlqDepth,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    this.widgets = [
      new cloudwatch.GraphWidget({
        title: 'Invocations / errors / throttles',
        left: [this.fn.metricInvocations(fiveMinutes), errors, this.fn.metricThrottles(fiveMinutes)],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Duration (max)',
        left: [this.fn.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Dead-letter queue depth', left: [dlqDepth], width: 8 }),
    ];
  }
}
