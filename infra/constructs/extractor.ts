// The extractor: a daily EventBridge Scheduler schedule invokes it; it reads the inbox (or a playlist), enriches
// each chart entry through the Spotify Web API with credentials from Secrets Manager, and sends raw records to Firehose.
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CACHE, INBOX, REJECTED } from '#functions/core/lake.js';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type { DataLake } from './data-lake.js';
import { invokeOnSchedule } from './schedule.js';
import { EtlFunction, handlerMetric } from './etl-function.js';
import { alarmName, type MonitoredComponent } from './monitoring.js';
import type { RawDeliveryStream } from './raw-delivery-stream.js';

export const SPOTIFY_SECRET_NAME = 'spotify-etl/spotify';

export interface ExtractorProps {
  readonly lake: DataLake;
  readonly delivery: RawDeliveryStream;
  /** An EventBridge Scheduler expression, evaluated in UTC: `cron(0 16 * * ? *)`. */
  readonly scheduleExpression: string;
  /** CHART_SOURCE: `charts-csv` (the inbox) or `playlist:<id>`. */
  readonly chartSource: string;
  /** Run also when a Charts CSV lands in the inbox (the schedule still catches up whatever is left). */
  readonly inboxOnArrival?: boolean;
}

export class Extractor extends Construct implements MonitoredComponent {
  readonly title = 'Extractor (schedule → chart → Firehose)';
  readonly fn: EtlFunction['fn'];
  readonly secret: secretsmanager.Secret;
  readonly schedule: scheduler.Schedule;
  readonly alarms: cloudwatch.Alarm[];
  readonly widgets: cloudwatch.IWidget[];

  // A construct's constructor is long by design: it reads top to bottom like the part of the diagram it builds.
  constructor(scope: Construct, id: string, props: ExtractorProps) {
    super(scope, id);
    const { lake, delivery } = props;

    // Created with empty credentials and a generated placeholder key, so no secret value ever sits in the
    // template; fill it after the first deploy (README: put-secret-value). Empty values mean "no credentials".
    this.secret = new secretsmanager.Secret(this, 'SpotifySecret', {
      secretName: SPOTIFY_SECRET_NAME,
      description: 'Spotify app credentials for spotify-etl: {"client_id","client_secret","refresh_token"?}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ client_id: '', client_secret: '', refresh_token: '' }),
        generateStringKey: 'placeholder',
        excludePunctuation: true,
      },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Spotify client secrets are rotated in the Spotify developer dashboard; AWS has no API to rotate them.',
    });

    // The extractor continues a long inbox by invoking itself; its role can name it only by a fixed name.
    const functionName = `${Stack.of(this).stackName}-extractor`;
    const fn = new EtlFunction(this, 'Handler', {
      entry: 'functions/extract/handler.ts',
      functionName,
      description: 'spotify-etl extractor',
      environment: {
        DATA_BUCKET: lake.bucket.bucketName,
        DELIVERY_STREAM_NAME: delivery.stream.deliveryStreamName,
        CHART_SOURCE: props.chartSource,
        SPOTIFY_SECRET_ARN: this.secret.secretArn,
      },
      memorySize: 512,
      timeout: Duration.minutes(5),
      // One run at a time: two runs would both read and rewrite the entity cache and the inbox.
      reservedConcurrentExecutions: 1,
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
    });
    this.fn = fn.fn;

    this.secret.grantRead(this.fn);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [
          Stack.of(this).formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: functionName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    delivery.stream.grant(this.fn, 'firehose:PutRecordBatch');
    lake.grantPrefixes(this.fn, {
      read: [INBOX, CACHE],
      write: [INBOX, CACHE, `${REJECTED}extract/`],
      delete: [INBOX, CACHE],
      list: [INBOX, CACHE],
    });

    if (props.inboxOnArrival) {
      // Filtered on Spotify's file names so that the extractor's own moves to inbox/done/ never re-trigger it;
      // other names wait for the schedule. Reserved concurrency 1 queues a burst of files one run at a time.
      for (const name of ['regional-', 'spotifycharts-regional-']) {
        lake.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.fn), {
          prefix: `${INBOX}${name}`,
          suffix: '.csv',
        });
      }
    }

    // Scheduler invokes asynchronously: its retry policy and DLQ cover invocations that Lambda refuses; a run
    // that throws is retried by Lambda itself (retryAttempts above) and then lands in the same queue.
    this.schedule = invokeOnSchedule(this, {
      fn: this.fn,
      deadLetterQueue: fn.deadLetterQueue,
      expression: props.scheduleExpression,
      description: 'Daily Spotify chart extraction',
    });

    // The handler reports its counts in Embedded Metric Format (namespace SpotifyEtl, dimension Function=extract).
    const entriesDelivered = handlerMetric('extract', 'EntriesDelivered', 'Sum', Duration.hours(1));
    this.alarms = [
      ...fn.alarms,
      // Chart entries handed to Firehose: 0 on an empty inbox, absent when a run failed or never started, so 26
      // hourly periods without one (2 h of slack over a day) mean a chart day was missed whatever the cause.
      // Firehose's own leg (S3 delivery failures) has its alarm on the stream.
      new cloudwatch.Alarm(this, 'NoChartDelivered', {
        alarmName: alarmName(this, 'no chart delivered in 26 hours'),
        alarmDescription:
          'No chart entry was delivered in 26 hours: the daily chart was not extracted. Check the extractor logs and the inbox.',
        metric: entriesDelivered,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 26,
        datapointsToAlarm: 26,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    ];
    this.widgets = [
      ...fn.widgets,
      new cloudwatch.GraphWidget({ title: 'Chart entries delivered', left: [entriesDelivered], width: 8 }),
    ];
  }
}
