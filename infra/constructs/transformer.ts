// The transformer: S3 announces every object Firehose writes under raw_data/to_process/; the function splits it
// into song/album/artist rows per chart date, sets invalid lines aside, and moves the raw object to processed/.
import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { PROCESSED, REJECTED, TO_PROCESS, TRANSFORMED, CHECKS_PENDING } from '#functions/core/lake.js';
import type { DataLake } from './data-lake.js';
import { EtlFunction, grantWriteToOwnLogGroup, handlerMetric } from './etl-function.js';
import { alarmName, type MonitoredComponent } from './monitoring.js';

export interface TransformerProps {
  readonly lake: DataLake;
}

export class Transformer extends Construct implements MonitoredComponent {
  readonly title = 'Transformer (raw_data/to_process/ → transformed_data/)';
  readonly fn: EtlFunction['fn'];
  readonly alarms: cloudwatch.Alarm[];
  readonly widgets: cloudwatch.IWidget[];

  // A construct's constructor is long by design: it reads top to bottom like the part of the diagram it builds.
  constructor(scope: Construct, id: string, props: TransformerProps) {
    super(scope, id);
    const { lake } = props;

    const fn = new EtlFunction(this, 'Handler', {
      entry: 'functions/transform/handler.ts',
      description: 'spotify-etl transformer',
      environment: { DATA_BUCKET: lake.bucket.bucketName },
      memorySize: 1024,
      timeout: Duration.minutes(5),
      // The double-count rule reads a chart day's partitions, then writes and deletes files in them: two objects
      // of the same day transformed at once could each miss the other's files. One at a time removes that race;
      // throttled S3 events wait in Lambda's async queue (up to 6 h) instead of failing.
      reservedConcurrentExecutions: 1,
      retryAttempts: 2,
    });
    this.fn = fn.fn;

    lake.grantPrefixes(this.fn, {
      read: [TO_PROCESS, TRANSFORMED],
      // checks/pending/: the chart dates it wrote, for the checker.
      write: [PROCESSED, REJECTED, TRANSFORMED, CHECKS_PENDING],
      // to_process/: an object moved to processed/, or quarantined under rejected/objects/ when unreadable.
      delete: [TO_PROCESS, TRANSFORMED],
      list: [TO_PROCESS, PROCESSED, TRANSFORMED],
    });

    // Prefix only, no suffix: Firehose names objects itself (and adds .gz when compressing). The function's own
    // writes go elsewhere (processed/, rejected/, transformed_data/), so it never triggers itself.
    lake.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.fn), {
      prefix: TO_PROCESS,
    });
    confineNotificationsHandlerLogs(this);

    // The handler reports its counts in Embedded Metric Format (namespace SpotifyEtl, dimension Function=transform).
    const rejectedLines = handlerMetric('transform', 'RejectedLines', 'Sum', Duration.minutes(5));
    const quarantined = handlerMetric('transform', 'QuarantinedObjects', 'Sum', Duration.minutes(5));

    this.alarms = [
      ...fn.alarms,
      new cloudwatch.Alarm(this, 'QuarantinedObjects', {
        alarmName: alarmName(this, 'a raw object could not be read and was quarantined'),
        alarmDescription: `A raw object could not be read at all (a damaged gzip stream): it is under ${REJECTED}objects/ with a .reason.txt beside it.`,
        metric: quarantined,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'RejectedLines', {
        alarmName: alarmName(this, 'raw lines were rejected'),
        alarmDescription: `Raw lines were rejected (schema violations, malformed JSON): see ${REJECTED}*.rejected.ndjson.`,
        metric: rejectedLines,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    this.widgets = [
      ...fn.widgets,
      new cloudwatch.GraphWidget({
        title: 'Rejected lines / quarantined objects',
        left: [rejectedLines, quarantined],
        width: 8,
      }),
    ];
  }
}

/**
 * CDK's singleton Lambda that sets the bucket notifications at deploy time (one per stack) gets the same treatment
 * as ours: a log group of its own and a role that may write only there. CDK gives its role AWSLambdaBasicExecutionRole
 * (logs:CreateLogGroup, CreateLogStream and PutLogEvents on `*`), and the L2 offers no option to leave it out.
 */
function confineNotificationsHandlerLogs(scope: Construct): void {
  const handler = Stack.of(scope).node.children.find((c) =>
    c.node.id.startsWith('BucketNotificationsHandler'),
  );
  if (!handler || handler.node.tryFindChild('Logs')) return;
  const fn = handler.node.defaultChild;
  const role = handler.node.tryFindChild('Role');
  if (!(fn instanceof CfnResource) || !(role instanceof iam.Role)) {
    // Fail the synth rather than deploy the handler with its default permissions unnoticed.
    throw new Error(
      `${handler.node.path} no longer has the 'Resource' function and 'Role' this stack expects: ` +
        'update confineNotificationsHandlerLogs (infra/constructs/transformer.ts) for this aws-cdk-lib version.',
    );
  }
  const logGroup = new logs.LogGroup(handler, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
  fn.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  (role.node.defaultChild as iam.CfnRole).managedPolicyArns = undefined;
  grantWriteToOwnLogGroup(role, logGroup);
}
