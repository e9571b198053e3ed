// Kinesis Data Firehose (Direct PUT) → raw_data/to_process/: the extractor's raw records become buffered NDJSON
// objects, each announced by S3 to the transformer. Alarm: failed deliveries to S3.
import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROOT, TO_PROCESS } from '#functions/core/lake.js';
import type { DataLake } from './data-lake.js';
import { alarmName, type MonitoredComponent } from './monitoring.js';

/** Records Firehose could not write, by error type and day (the prefix needs both expressions to be valid). */
export const FIREHOSE_ERRORS = `${ROOT}/raw_data/firehose_errors/`;
const ERROR_OUTPUT_PREFIX = `${FIREHOSE_ERRORS}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`;

export interface RawDeliveryStreamProps {
  readonly lake: DataLake;
  /** GZIP the delivered objects (the transformer reads plain and gzip alike). */
  readonly gzip?: boolean;
}

export class RawDeliveryStream extends Construct implements MonitoredComponent {
  readonly title = 'Delivery stream (Firehose → raw_data/to_process/)';
  readonly stream: firehose.DeliveryStream;
  readonly alarms: cloudwatch.Alarm[];
  readonly widgets: cloudwatch.IWidget[];

  // A construct's constructor is long by design: it reads top to bottom like the part of the diagram it builds.
  constructor(scope: Construct, id: string, props: RawDeliveryStreamProps) {
    super(scope, id);
    const { lake } = props;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });

    // Firehose may write only its two prefixes. The role is handed to the destination without policy updates,
    // because the L2 destination would otherwise grant read/write on the whole bucket.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      inlinePolicies: {
        delivery: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
              resources: [lake.objectsUnder(TO_PROCESS), lake.objectsUnder(FIREHOSE_ERRORS)],
            }),
            new iam.PolicyStatement({
              actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
              resources: [lake.bucket.bucketArn],
            }),
            new iam.PolicyStatement({
              actions: ['logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    lake.acknowledgePrefixWildcards(
      role,
      [TO_PROCESS, FIREHOSE_ERRORS],
      'Firehose names its objects itself (date path, random suffix), so it needs every key under its two prefixes.',
    );

    this.stream = new firehose.DeliveryStream(this, 'Stream', {
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(lake.bucket, {
        role: role.withoutPolicyUpdates(),
        // No timestamp expression here, so Firehose appends YYYY/MM/dd/HH/ itself; the transformer takes any key
        // under to_process/, and the S3 notification filters on this prefix only (so .gz objects match too).
        dataOutputPrefix: TO_PROCESS,
        errorOutputPrefix: ERROR_OUTPUT_PREFIX,
        // A daily run sends ~200 records of ~3 KB (≈ 600 KB): far below 5 MiB, so the 60 s interval decides and
        // the whole chart lands as one object about a minute after the run (rather than five with the default 300 s).
        bufferingInterval: Duration.seconds(60),
        bufferingSize: Size.mebibytes(5),
        ...(props.gzip ? { compression: firehose.Compression.GZIP } : {}),
        loggingConfig: new firehose.EnableLogging(logGroup),
      }),
    });

    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason:
        "The Firehose L2 adds a mapping of Firehose's CIDR blocks, used only by destinations inside a VPC.",
    });

    const metric = (metricName: string, statistic: string, period: Duration) =>
      this.stream.metric(metricName, { statistic, period });
    const delivered = metric('DeliveryToS3.Records', 'Sum', Duration.hours(1));
    const success = metric('DeliveryToS3.Success', 'Average', Duration.minutes(5));

    this.alarms = [
      new cloudwatch.Alarm(this, 'DeliveryFailed', {
        alarmName: alarmName(this, 'Firehose could not write raw records to S3'),
        alarmDescription: `Firehose failed to write to S3; records go to ${FIREHOSE_ERRORS} (see the stream's log group).`,
        metric: success,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    this.widgets = [
      new cloudwatch.GraphWidget({
        title: 'Records in / delivered to S3',
        left: [this.stream.metricIncomingRecords({ statistic: 'Sum', period: Duration.hours(1) }), delivered],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'S3 delivery success ratio', left: [success], width: 12 }),
    ];
  }
}
